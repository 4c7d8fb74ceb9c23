//! The HTML report: one self-contained page (inline CSS and SVG, no script, no font or
//! image from anywhere) drawn from [`ReportData`]. A pure function of its data; every string
//! from the API or the settings is escaped. Each chart has a table of its figures beside it
//! (`data-*` attributes at full precision), which a person can read and a test can check.

mod svg;

use crate::figures::ReportData;
use crate::ui::format::{tokens, tokens_short, usd};
use chrono::{TimeZone, Utc};
use std::fmt::Write;
use svg::{Series, grouped_bars, labelled_bars};

/// Text or attribute value safe in HTML: `& < > " '` escaped.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn when(t: i64, pattern: &str) -> String {
    Utc.timestamp_opt(t, 0)
        .single()
        .map_or_else(|| t.to_string(), |d| d.format(pattern).to_string())
}

const STYLE: &str = "body{font-family:-apple-system,system-ui,'Segoe UI',Roboto,sans-serif;margin:2em auto;max-width:960px;color:#222;padding:0 1em}h1{font-size:1.5em}h2{font-size:1.15em;margin-top:2em}.chart{width:100%;height:auto}.axis{font-size:11px;fill:#666}.label{font-size:13px;fill:#222}table{border-collapse:collapse;font-size:13px;margin-top:.5em}td,th{padding:2px 10px;text-align:right;border-bottom:1px solid #eee}td:first-child,th:first-child{text-align:left}.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}.note{color:#666;font-size:13px}details summary{cursor:pointer;color:#555;font-size:13px}";

const ESTIMATE: &str = "#4e79a7";
const BILL: &str = "#f28e2b";

fn attr(v: f64) -> String {
    format!("{v:.6}")
}

/// The whole page.
pub fn page(d: &ReportData) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\"><title>UsageTracker report</title><style>{STYLE}</style></head><body>"
    );
    let _ = write!(
        s,
        "<h1>UsageTracker report</h1><p class=\"note\" id=\"meta\" data-generated=\"{g}\">Generated {gen_time} from the local history · keys: {keys} · pricing tier: {tier} · days are UTC</p>",
        g = d.generated_at,
        gen_time = esc(&when(d.generated_at, "%Y-%m-%d %H:%M UTC")),
        keys = esc(&d.key_set),
        tier = esc(&d.tier),
    );
    headline(&mut s, d);
    cost_per_day(&mut s, d);
    tokens_per_hour(&mut s, d);
    breakdown(
        &mut s,
        "by-model",
        "Cost by model",
        &d.by_model,
        d.days.len(),
    );
    breakdown(
        &mut s,
        "by-kind",
        "Cost by kind of usage",
        &d.by_kind,
        d.days.len(),
    );
    if d.unpriced > 0 {
        let _ = write!(
            s,
            "<p class=\"note\">{} usage lines have no price and are not in the estimates.</p>",
            d.unpriced
        );
    }
    check(&mut s, d);
    s.push_str("</body></html>\n");
    s
}

/// The report's headline, in the words `once`, `watch` and the menu use: the estimate and the
/// bill of the report's days, today (UTC) and the month so far with its parts.
fn headline(s: &mut String, d: &ReportData) {
    let estimate: f64 = d.days.iter().map(|t| t.estimate_usd).sum();
    let billed: f64 = d.days.iter().filter_map(|t| t.billed_usd).sum();
    let billed_days = d.days.iter().filter(|t| t.billed_usd.is_some()).count();
    let today = d.days.last().map_or(0.0, |t| t.estimate_usd);
    let m = &d.month;
    let mut estimate_words = usd(estimate);
    if d.unpriced > 0 {
        estimate_words.push('+');
    }
    let _ = write!(
        s,
        "<p id=\"headline\" class=\"headline\" data-estimate=\"{e}\" data-billed=\"{b}\" data-today=\"{t}\" data-month=\"{mt}\" data-month-billed=\"{mb}\" data-month-unbilled=\"{mu}\"><strong>Estimate {ew}, last {n} days</strong> · billed {bw} ({bd} of the days billed) · today (UTC) {tw} · month so far {mw}</p>",
        e = attr(estimate),
        b = attr(billed),
        t = attr(today),
        mt = attr(m.total_usd()),
        mb = attr(m.billed_usd),
        mu = attr(m.unbilled_usd),
        ew = esc(&estimate_words),
        n = d.days.len(),
        bw = usd(billed),
        bd = billed_days,
        tw = usd(today),
        mw = esc(&crate::ui::headline::month_words(
            m.billed_usd,
            m.unbilled_usd,
            m.complete
        )),
    );
}

fn cost_per_day(s: &mut String, d: &ReportData) {
    let groups: Vec<(String, Vec<Option<f64>>)> = d
        .days
        .iter()
        .map(|t| {
            (
                when(t.start_time, "%m-%d"),
                vec![Some(t.estimate_usd), t.billed_usd],
            )
        })
        .collect();
    let _ = write!(
        s,
        "<h2>Cost per day, last {n} days</h2><div class=\"legend\"><span style=\"background:{ESTIMATE}\"></span>estimate<span style=\"background:{BILL}\"></span>bill</div>",
        n = d.days.len()
    );
    let series = [
        Series {
            name: "estimate",
            color: ESTIMATE,
        },
        Series {
            name: "bill",
            color: BILL,
        },
    ];
    let every = d.days.len().div_ceil(10).max(1);
    s.push_str(&grouped_bars(&groups, &series, 260.0, every, usd));
    s.push_str("<details><summary>Figures</summary><table id=\"days\"><tr><th>day</th><th>estimate</th><th>bill</th></tr>");
    for t in &d.days {
        let day = when(t.start_time, "%Y-%m-%d");
        let billed = t.billed_usd.map(attr).unwrap_or_default();
        let _ = write!(
            s,
            "<tr class=\"day\" data-day=\"{day}\" data-estimate=\"{e}\" data-billed=\"{billed}\"><td>{day}</td><td>{eu}</td><td>{bu}</td></tr>",
            e = attr(t.estimate_usd),
            eu = usd(t.estimate_usd),
            bu = t.billed_usd.map_or_else(|| "—".to_owned(), usd),
        );
    }
    s.push_str("</table></details>");
}

fn tokens_per_hour(s: &mut String, d: &ReportData) {
    let groups: Vec<(String, Vec<Option<f64>>)> = d
        .hours
        .iter()
        .map(|(t, n)| (when(*t, "%H:00"), vec![Some(*n as f64)]))
        .collect();
    s.push_str("<h2>Tokens per hour, last 48 hours</h2>");
    let series = [Series {
        name: "tokens",
        color: ESTIMATE,
    }];
    s.push_str(&grouped_bars(&groups, &series, 220.0, 6, |v| {
        tokens_short(v.round() as u64)
    }));
    s.push_str("<details><summary>Figures</summary><table id=\"hours\"><tr><th>hour (UTC)</th><th>tokens</th></tr>");
    for (t, n) in &d.hours {
        let hour = when(*t, "%Y-%m-%dT%H:00Z");
        let _ = write!(
            s,
            "<tr class=\"hour\" data-hour=\"{hour}\" data-tokens=\"{n}\"><td>{hour}</td><td>{}</td></tr>",
            tokens(*n)
        );
    }
    s.push_str("</table></details>");
}

fn breakdown(s: &mut String, id: &str, title: &str, items: &[(String, f64)], days: usize) {
    let _ = write!(s, "<h2>{} (estimate, last {days} days)</h2>", esc(title));
    if items.is_empty() {
        s.push_str("<p class=\"note\">No priced usage stored for these days.</p>");
        return;
    }
    s.push_str(&labelled_bars(items, ESTIMATE, usd));
    let _ = write!(s, "<table id=\"{id}\">");
    for (name, v) in items {
        let _ = write!(
            s,
            "<tr class=\"item\" data-name=\"{n}\" data-estimate=\"{a}\"><td>{n}</td><td>{u}</td></tr>",
            n = esc(name),
            a = attr(*v),
            u = usd(*v)
        );
    }
    s.push_str("</table>");
}

fn check(s: &mut String, d: &ReportData) {
    s.push_str("<h2>The estimate against the bill, last 7 complete days</h2>");
    if d.checks.is_empty() {
        s.push_str("<p class=\"note\">No bill stored for these days yet.</p>");
        return;
    }
    s.push_str("<table id=\"checks\"><tr><th>day</th><th>estimate</th><th>bill</th><th>estimate ÷ bill</th></tr>");
    for c in &d.checks {
        let day = when(c.start_time, "%Y-%m-%d");
        let ratio = c.ratio.map(|r| format!("{r:.6}")).unwrap_or_default();
        let shown = c
            .ratio
            .map_or_else(|| "—".to_owned(), |r| format!("{:.1} %", r * 100.0));
        let _ = write!(
            s,
            "<tr class=\"check\" data-day=\"{day}\" data-estimate=\"{e}\" data-billed=\"{b}\" data-ratio=\"{ratio}\"><td>{day}</td><td>{eu}</td><td>{bu}</td><td>{shown}</td></tr>",
            e = attr(c.estimate_usd),
            b = attr(c.billed_usd),
            eu = usd(c.estimate_usd),
            bu = usd(c.billed_usd),
        );
    }
    s.push_str("</table>");
}

#[cfg(test)]
mod tests;
