//! The one way to write token counts, money, rates and times, everywhere in the app.

use crate::alerts::Alert;
use crate::usage::Unit;
use chrono::{DateTime, Local, TimeZone, Utc};

/// The sign for "no price known".
pub const UNPRICED: &str = "—";

/// A token count with thousands separators: `1,234,567`.
pub fn tokens(n: u64) -> String {
    group_thousands(&n.to_string())
}

/// A token count in a few characters, one rule for every size: one decimal below 100 of a
/// unit, none from 100 up (`950`, `1.0k`, `12.3k`, `812k`, `3.0M`, `1.2M`, `3.4B`). A value
/// that would round up to 100 or 1,000 of a unit moves to the next unit (`999,999` → `1.0M`).
pub fn tokens_short(n: u64) -> String {
    const UNITS: [(f64, &str); 3] = [(1e9, "B"), (1e6, "M"), (1e3, "k")];
    for (scale, unit) in UNITS {
        let v = n as f64 / scale;
        if v >= 0.9995 {
            return if v >= 99.95 {
                format!("{v:.0}{unit}")
            } else {
                format!("{v:.1}{unit}")
            };
        }
    }
    n.to_string()
}

/// Money, one rule everywhere (tables, menu title and rows, notifications, text lines): whole
/// cents with thousands separators (`$1,234.56`, `$0.25`, `$0.00`), four decimals only for an
/// amount that rounds to less than a cent (`$0.0042`), `<$0.0001` below that. Halves round
/// away from zero on the value as stored (`0.125` → `$0.13`, `0.005` → `$0.01`). A negative amount
/// (which the estimate never produces) keeps its sign; a non-finite one shows as unpriced.
pub fn usd(v: f64) -> String {
    if !v.is_finite() {
        return UNPRICED.to_owned();
    }
    let sign = if v < 0.0 { "-" } else { "" };
    let a = v.abs();
    let cents = (a * 100.0).round();
    if cents >= 1.0 || a == 0.0 {
        // Cents as an integer, so thousands grouping never sees a float.
        let cents = cents as u128;
        let whole = group_thousands(&(cents / 100).to_string());
        return format!("{sign}${whole}.{:02}", cents % 100);
    }
    let ten_thousandths = (a * 10_000.0).round();
    if ten_thousandths >= 1.0 {
        format!("{sign}$0.{:04}", ten_thousandths as u32)
    } else {
        format!("{sign}<$0.0001")
    }
}

/// An amount in its own currency: USD as [`usd`] writes it, any other with the same digits
/// and its code after (`4.00 EUR`), so it is never read as dollars.
pub fn money(m: &crate::bill::Money) -> String {
    if m.currency.eq_ignore_ascii_case("usd") {
        return usd(m.value);
    }
    let digits = usd(m.value).replacen('$', "", 1);
    format!("{digits} {}", m.currency.to_ascii_uppercase())
}

/// Amounts in several currencies, side by side, never summed: `$3.44, 2.00 EUR`; `$0.00` for
/// none.
pub fn moneys(all: &[crate::bill::Money]) -> String {
    if all.is_empty() {
        return usd(0.0);
    }
    all.iter().map(money).collect::<Vec<_>>().join(", ")
}

/// `1 Dec`: a UTC day (the bill's days are UTC).
pub fn utc_day(ts: i64) -> String {
    Utc.timestamp_opt(ts, 0)
        .single()
        .map_or_else(|| ts.to_string(), |t| t.format("%-d %b").to_string())
}

/// `2026-12-01`: a UTC date, for scripts.
pub fn utc_date(ts: i64) -> String {
    Utc.timestamp_opt(ts, 0)
        .single()
        .map_or_else(|| ts.to_string(), |t| t.format("%Y-%m-%d").to_string())
}

/// A unit price with the digits it has, at least cents: `$2.20`, `$0.125`, `$0.0625`.
pub fn unit_price(v: f64) -> String {
    let s = format!("{:.4}", v.abs());
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    let frac = frac.trim_end_matches('0');
    let frac = format!("{frac:0<2}");
    let sign = if v < 0.0 { "-" } else { "" };
    format!("{sign}${whole}.{frac}")
}

/// A cost that may be unknown.
pub fn cost(v: Option<f64>) -> String {
    v.map_or_else(|| UNPRICED.to_owned(), usd)
}

/// A count and its noun, in words: `1 model`, `2 models`, `0 projects`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A rate per minute, whole: `48,210`.
pub fn rate(per_minute: f64) -> String {
    group_thousands(&format!("{:.0}", per_minute.max(0.0)))
}

fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `2026-11-26 10:37 UTC`
pub fn utc(ts: i64) -> String {
    Utc.timestamp_opt(ts, 0).single().map_or_else(
        || ts.to_string(),
        |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

/// `2026-11-26 11:37` in the local time zone.
pub fn local(ts: i64) -> String {
    local_pattern(ts.saturating_mul(1000), "%Y-%m-%d %H:%M")
}

/// `HH:MM` in the local time zone.
pub fn local_hm(ts: i64) -> String {
    local_pattern(ts.saturating_mul(1000), "%H:%M")
}

/// `11-26` (month and day) in the local time zone.
pub fn local_md(ts: i64) -> String {
    local_pattern(ts.saturating_mul(1000), "%m-%d")
}

/// `10:37:05` in the local time zone, from unix milliseconds.
pub fn local_hms_ms(ms: i64) -> String {
    local_pattern(ms, "%H:%M:%S")
}

/// `2026-11-26 10:37:05` in the local time zone, from unix milliseconds.
pub fn local_datetime_ms(ms: i64) -> String {
    local_pattern(ms, "%Y-%m-%d %H:%M:%S")
}

fn local_pattern(ms: i64, pattern: &str) -> String {
    DateTime::from_timestamp_millis(ms).map_or_else(
        || (ms / 1000).to_string(),
        |t| t.with_timezone(&Local).format(pattern).to_string(),
    )
}

/// `Token spike: 48,210 tokens/min (threshold 10,000)`
pub fn alert(a: &Alert) -> String {
    format!(
        "{}: {} {} (threshold {})",
        a.kind.label(),
        rate(a.per_minute),
        a.kind.unit(),
        rate(a.threshold)
    )
}

/// The tracked keys, or the whole organization.
pub fn key_ids(ids: &[String]) -> String {
    if ids.is_empty() {
        "all keys (whole organization)".into()
    } else {
        ids.join(", ")
    }
}

/// What is tracked: the keys (or the whole organization), within the tracked projects.
pub fn scope(keys: &[String], projects: &[String]) -> String {
    match (keys.is_empty(), projects.is_empty()) {
        (_, true) => key_ids(keys),
        (true, false) => format!("all keys of {}", projects.join(", ")),
        (false, false) => format!("{} within {}", keys.join(", "), projects.join(", ")),
    }
}

/// `71,000 chars`, `42 images`, `3,600 s`.
pub fn quantity(q: u64, unit: Unit) -> String {
    let unit = match unit {
        Unit::Tokens => "tokens",
        Unit::Images => "images",
        Unit::Characters => "chars",
        Unit::Seconds => "s",
        Unit::Calls => "calls",
    };
    format!("{} {unit}", tokens(q))
}

/// "free", "—", "$1.24", or "~$1.24" for a cost resting on an assumption.
pub fn cost_marked(v: Option<f64>, free: bool, assumed: bool) -> String {
    match v {
        Some(_) if free => "free".to_owned(),
        Some(c) if assumed => format!("~{}", usd(c)),
        other => cost(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_counts() {
        assert_eq!(tokens(0), "0");
        assert_eq!(tokens(999), "999");
        assert_eq!(tokens(1_000), "1,000");
        assert_eq!(tokens(1_234_567), "1,234,567");
        assert_eq!(tokens(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn short_token_counts_round_one_way_at_every_size() {
        for (n, want) in [
            (0, "0"),
            (950, "950"),
            (999, "999"),
            (1_000, "1.0k"),
            (1_049, "1.0k"),
            (1_050, "1.1k"),
            (12_345, "12.3k"),
            (99_949, "99.9k"),
            (99_950, "100k"),
            (812_000, "812k"),
            (999_499, "999k"),
            (999_500, "1.0M"),
            (999_999, "1.0M"),
            (1_200_000, "1.2M"),
            (3_000_000, "3.0M"),
            (3_400_000_000, "3.4B"),
            (250_000_000_000, "250B"),
        ] {
            assert_eq!(tokens_short(n), want, "{n}");
        }
    }

    #[test]
    fn money_is_cents_and_four_decimals_only_below_a_cent() {
        for (v, want) in [
            (0.0, "$0.00"),
            (-0.0, "$0.00"),
            (0.00004, "<$0.0001"),
            (0.00005, "$0.0001"),
            (0.00421, "$0.0042"),
            (0.00499, "$0.0050"),
            (0.005, "$0.01"),
            (0.0099, "$0.01"),
            (0.01, "$0.01"),
            (0.125, "$0.13"),
            (0.2486, "$0.25"),
            (3.449, "$3.45"),
            (12.81, "$12.81"),
            (999.995, "$1,000.00"),
            (1234.5, "$1,234.50"),
            (2_500_000.0, "$2,500,000.00"),
            (-1.234, "-$1.23"),
            (-0.004, "-$0.0040"),
            (f64::NAN, "—"),
            (f64::INFINITY, "—"),
        ] {
            assert_eq!(usd(v), want, "{v}");
        }
        assert_eq!(
            usd(1e30).len(),
            usd(1e30).trim().len(),
            "huge values do not panic"
        );
        assert_eq!(cost(None), "—");
        assert_eq!(cost(Some(0.2486)), "$0.25");
        assert_eq!(rate(48_210.4), "48,210");
    }

    #[test]
    fn other_currencies_keep_their_code_and_are_never_summed() {
        use crate::bill::Money;
        let m = |value: f64, c: &str| Money {
            value,
            currency: c.into(),
        };
        assert_eq!(money(&m(1.2, "usd")), "$1.20");
        assert_eq!(money(&m(4.0, "eur")), "4.00 EUR");
        assert_eq!(money(&m(0.00421, "jpy")), "0.0042 JPY");
        assert_eq!(moneys(&[m(3.444, "usd"), m(2.0, "eur")]), "$3.44, 2.00 EUR");
        assert_eq!(moneys(&[]), "$0.00");
    }

    #[test]
    fn counts_are_words() {
        assert_eq!(count(0, "model"), "0 models");
        assert_eq!(count(1, "model"), "1 model");
        assert_eq!(count(2, "project"), "2 projects");
    }

    #[test]
    fn times_and_keys() {
        assert_eq!(utc(1_764_000_030), "2025-11-24 16:00 UTC");
        assert_eq!(key_ids(&[]), "all keys (whole organization)");
        assert_eq!(scope(&[], &[]), "all keys (whole organization)");
        assert_eq!(scope(&[], &["proj_a".into()]), "all keys of proj_a");
        assert_eq!(
            scope(&["key_a".into()], &["proj_a".into()]),
            "key_a within proj_a"
        );
        assert_eq!(utc_day(1_796_083_200), "1 Dec");
        assert_eq!(utc_date(1_796_083_200 + 86_399), "2026-12-01");
        assert_eq!(key_ids(&["key_a".into(), "key_b".into()]), "key_a, key_b");
    }
}
