//! The Prometheus text exposition format, version 0.0.4 (`# HELP`, `# TYPE` and one line per
//! sample, label values escaped), and OpenMetrics 1.0.0 for a scraper that asks for it (a
//! counter's family named without `_total`, `"` escaped in help too, `# EOF` at the end). Hand-written: the exporter writes a few families of plain
//! gauges and counters whose values it already holds (derived from the store, not counted
//! in process), which is all this format needs; a metrics library's registry and its own
//! counters would be a second copy of those values to keep in step.

use std::fmt::Write;

/// The content type of the text format.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";
/// The content type of OpenMetrics.
pub const OPENMETRICS_CONTENT_TYPE: &str =
    "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Whether a request's `Accept` header asks for OpenMetrics (Prometheus' does, first).
pub fn wants_openmetrics(accept: Option<&str>) -> bool {
    accept.is_some_and(|a| {
        a.split(',').any(|part| {
            let mut it = part.split(';').map(str::trim);
            let kind = it.next().unwrap_or_default();
            // `q=0` means "not this one".
            kind.eq_ignore_ascii_case("application/openmetrics-text")
                && !it.any(|p| p.replace(' ', "") == "q=0")
        })
    })
}

/// What a family is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Counter,
    Gauge,
}

/// One scrape's text, written family by family.
#[derive(Debug, Default)]
pub struct Exposition {
    out: String,
    openmetrics: bool,
}

impl Exposition {
    /// An exposition in OpenMetrics rather than the text format.
    pub fn openmetrics() -> Exposition {
        Exposition {
            out: String::new(),
            openmetrics: true,
        }
    }

    /// Starts a family: its help and type lines. Its samples follow.
    pub fn family(&mut self, name: &str, kind: Kind, help: &str) -> &mut Self {
        let kind = match kind {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
        };
        // OpenMetrics names a counter's family without the `_total` of its samples.
        let name = match (self.openmetrics, kind) {
            (true, "counter") => name.strip_suffix("_total").unwrap_or(name),
            _ => name,
        };
        let help = if self.openmetrics {
            escape_help(help).replace('"', "\\\"")
        } else {
            escape_help(help)
        };
        let _ = writeln!(self.out, "# HELP {name} {help}");
        let _ = writeln!(self.out, "# TYPE {name} {kind}");
        self
    }

    /// One sample of the family started last.
    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) -> &mut Self {
        self.out.push_str(name);
        if !labels.is_empty() {
            self.out.push('{');
            for (i, (k, v)) in labels.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                let _ = write!(self.out, "{k}=\"{}\"", escape_label(v));
            }
            self.out.push('}');
        }
        self.out.push(' ');
        self.out.push_str(&number(value));
        self.out.push('\n');
        self
    }

    pub fn finish(mut self) -> String {
        if self.openmetrics {
            self.out.push_str("# EOF\n");
        }
        self.out
    }
}

/// A label value: backslash, double quote and line feed escaped.
pub fn escape_label(v: &str) -> String {
    let mut s = String::with_capacity(v.len());
    for c in v.chars() {
        match c {
            '\\' => s.push_str("\\\\"),
            '"' => s.push_str("\\\""),
            '\n' => s.push_str("\\n"),
            c => s.push(c),
        }
    }
    s
}

/// A help text: backslash and line feed escaped.
pub fn escape_help(v: &str) -> String {
    v.replace('\\', "\\\\").replace('\n', "\\n")
}

/// A value as the format spells it: `NaN`, `+Inf`, `-Inf`, else Rust's shortest round-trip
/// decimal (no exponent for integers: `12`, `0.25`).
pub fn number(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        format!("{v}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_and_help_are_escaped() {
        assert_eq!(escape_label(r#"a"b\c"#), r#"a\"b\\c"#);
        assert_eq!(escape_label("two\nlines"), "two\\nlines");
        assert_eq!(escape_label("gpt-4o-2024-08-06"), "gpt-4o-2024-08-06");
        assert_eq!(escape_help("a \\ b\nc \"q\""), "a \\\\ b\\nc \"q\"");
    }

    #[test]
    fn numbers_are_spelled_as_the_format_wants() {
        assert_eq!(number(1.0), "1");
        assert_eq!(number(0.25), "0.25");
        assert_eq!(number(1_796_169_600.0), "1796169600");
        assert_eq!(number(f64::NAN), "NaN");
        assert_eq!(number(f64::INFINITY), "+Inf");
        assert_eq!(number(f64::NEG_INFINITY), "-Inf");
    }

    #[test]
    fn openmetrics_when_asked_for() {
        let prometheus = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        assert!(wants_openmetrics(Some(prometheus)));
        assert!(!wants_openmetrics(Some("text/plain;version=0.0.4")));
        assert!(!wants_openmetrics(Some(
            "application/openmetrics-text; q=0"
        )));
        assert!(!wants_openmetrics(None));
        let mut e = Exposition::openmetrics();
        e.family("x_total", Kind::Counter, "Say \"x\".")
            .sample("x_total", &[("m", "a")], 2.0)
            .family("up", Kind::Gauge, "Up.")
            .sample("up", &[], 1.0);
        assert_eq!(
            e.finish(),
            "# HELP x Say \\\"x\\\".\n# TYPE x counter\nx_total{m=\"a\"} 2\n\
             # HELP up Up.\n# TYPE up gauge\nup 1\n# EOF\n"
        );
    }

    #[test]
    fn families_and_samples() {
        let mut e = Exposition::default();
        e.family("x_total", Kind::Counter, "Things.\nCounted.")
            .sample("x_total", &[("model", "m\"1"), ("tier", "")], 3.0)
            .family("up", Kind::Gauge, "Up.")
            .sample("up", &[], 1.0);
        assert_eq!(
            e.finish(),
            "# HELP x_total Things.\\nCounted.\n# TYPE x_total counter\n\
             x_total{model=\"m\\\"1\",tier=\"\"} 3\n# HELP up Up.\n# TYPE up gauge\nup 1\n"
        );
    }
}
