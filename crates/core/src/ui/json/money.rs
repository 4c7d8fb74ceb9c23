//! How every JSON output writes amounts of money (`once`, `watch`, `export`, `keys`, `prices`):
//! numbers rounded to a tenth of a cent, 0.001 of the currency (`26.408`, not
//! `26.407942512499996`); ratios to 0.001 and percentages to 0.1. Unit prices (`USD per 1M
//! tokens`) are not amounts and stay exact. Serde `serialize_with` helpers, so a field says
//! which rule it follows where it is declared.

use serde::Serializer;
use std::collections::BTreeMap;

/// `v` to the nearest 0.001 (half away from zero); `-0.0` written as `0.0`, non-finite
/// values as they are (serde_json writes `null`).
pub fn round(v: f64) -> f64 {
    round_to(v, 1_000.0)
}

fn round_to(v: f64, per_unit: f64) -> f64 {
    if !v.is_finite() {
        return v;
    }
    let r = (v * per_unit).round() / per_unit;
    if r == 0.0 { 0.0 } else { r }
}

/// An amount of money.
pub fn amount<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(round(*v))
}

/// An amount of money or `null`.
pub fn opt_amount<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_some(&round(*v)),
        None => s.serialize_none(),
    }
}

/// Amounts per currency code: `{"usd": 3.69}`.
pub fn per_currency<S: Serializer>(m: &BTreeMap<String, f64>, s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(m.iter().map(|(k, v)| (k, round(*v))))
}

/// A ratio (estimate ÷ bill) or `null`, to 0.001.
pub fn opt_ratio<S: Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    opt_amount(v, s)
}

/// A percentage, to 0.1.
pub fn percent<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(round_to(*v, 10.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct T {
        #[serde(serialize_with = "amount")]
        a: f64,
        #[serde(serialize_with = "opt_amount")]
        b: Option<f64>,
        #[serde(serialize_with = "opt_amount")]
        c: Option<f64>,
        #[serde(serialize_with = "per_currency")]
        d: BTreeMap<String, f64>,
        #[serde(serialize_with = "percent")]
        e: f64,
    }

    #[test]
    fn amounts_are_written_to_a_tenth_of_a_cent() {
        let t = T {
            a: 26.407942512499996,
            b: Some(0.165_973_274_999_999_98),
            c: None,
            d: BTreeMap::from([
                ("usd".into(), 3_633.088_850_162_497),
                ("eur".into(), -0.0004),
            ]),
            e: 10.000000000000009,
        };
        assert_eq!(
            serde_json::to_string(&t).unwrap(),
            r#"{"a":26.408,"b":0.166,"c":null,"d":{"eur":0.0,"usd":3633.089},"e":10.0}"#
        );
        assert_eq!(round(-1.23456), -1.235);
        assert!(round(f64::NAN).is_nan());
    }
}
