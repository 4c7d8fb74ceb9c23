//! The one way to write token counts, money, rates and times, everywhere in the app.

use crate::alerts::Alert;
use chrono::{DateTime, Local, TimeZone, Utc};

/// The sign for "no price known".
pub const UNPRICED: &str = "—";

/// A token count with thousands separators: `1,234,567`.
pub fn tokens(n: u64) -> String {
    group_thousands(&n.to_string())
}

/// A token count in at most four characters or so: `950`, `12.3k`, `812k`, `1.2M`, `3.4B`.
pub fn tokens_short(n: u64) -> String {
    const UNITS: [(f64, &str); 3] = [(1e9, "B"), (1e6, "M"), (1e3, "k")];
    for (scale, unit) in UNITS {
        let v = n as f64 / scale;
        if v >= 0.9995 {
            return if v >= 99.95 {
                format!("{v:.0}{unit}")
            } else {
                trim_zero(format!("{v:.1}"), unit)
            };
        }
    }
    n.to_string()
}

fn trim_zero(s: String, unit: &str) -> String {
    format!("{}{unit}", s.strip_suffix(".0").unwrap_or(&s))
}

/// Money for tables: `$1,234.56`, `$3.45`, and four decimals under a dollar (`$0.0042`).
pub fn usd(v: f64) -> String {
    if v.abs() >= 1.0 {
        let cents = format!("{:.2}", v.abs());
        let (whole, frac) = cents.split_once('.').unwrap_or((&cents, "00"));
        format!("{}${}.{frac}", sign(v), group_thousands(whole))
    } else {
        format!("{}${:.4}", sign(v), v.abs())
    }
}

/// Money for the menu-bar title: `$3.45`, `$1.2k`, `<$0.01`.
pub fn usd_short(v: f64) -> String {
    if v > 0.0 && v < 0.01 {
        "<$0.01".into()
    } else if v >= 1_000.0 {
        let (scale, unit) = if v >= 999_950.0 {
            (1e6, "M")
        } else {
            (1e3, "k")
        };
        format!("${}", trim_zero(format!("{:.1}", v / scale), unit))
    } else {
        format!("${v:.2}")
    }
}

/// A cost that may be unknown.
pub fn cost(v: Option<f64>) -> String {
    v.map_or_else(|| UNPRICED.to_owned(), usd)
}

/// A rate per minute, whole: `48,210`.
pub fn rate(per_minute: f64) -> String {
    group_thousands(&format!("{:.0}", per_minute.max(0.0)))
}

fn sign(v: f64) -> &'static str {
    if v < 0.0 { "-" } else { "" }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_counts() {
        assert_eq!(tokens(0), "0");
        assert_eq!(tokens(999), "999");
        assert_eq!(tokens(1_000), "1,000");
        assert_eq!(tokens(1_234_567), "1,234,567");
        assert_eq!(tokens_short(950), "950");
        assert_eq!(tokens_short(999), "999");
        assert_eq!(tokens_short(1_000), "1k");
        assert_eq!(tokens_short(12_345), "12.3k");
        assert_eq!(tokens_short(812_000), "812k");
        assert_eq!(tokens_short(999_999), "1M");
        assert_eq!(tokens_short(1_200_000), "1.2M");
        assert_eq!(tokens_short(3_400_000_000), "3.4B");
    }

    #[test]
    fn money() {
        assert_eq!(usd(3.449), "$3.45");
        assert_eq!(usd(1234.5), "$1,234.50");
        assert_eq!(usd(0.00421), "$0.0042");
        assert_eq!(usd(0.0), "$0.0000");
        assert_eq!(cost(None), "—");
        assert_eq!(usd_short(3.449), "$3.45");
        assert_eq!(usd_short(0.004), "<$0.01");
        assert_eq!(usd_short(0.0), "$0.00");
        assert_eq!(usd_short(1234.0), "$1.2k");
        assert_eq!(usd_short(2_500_000.0), "$2.5M");
        assert_eq!(rate(48_210.4), "48,210");
    }

    #[test]
    fn times_and_keys() {
        assert_eq!(utc(1_764_000_030), "2025-11-24 16:00 UTC");
        assert_eq!(key_ids(&[]), "all keys (whole organization)");
        assert_eq!(key_ids(&["key_a".into(), "key_b".into()]), "key_a, key_b");
    }
}
