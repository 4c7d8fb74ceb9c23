//! Field-by-field checks of a price file, each failure one [`PricingError::Invalid`] line naming
//! the table, the model and the field.

use super::{Place, PricingError};
use crate::pricing::quote::Assumption;
use crate::redact::scrub;
use toml::{Table, Value};

pub(super) struct Ctx<'a> {
    pub(super) source_name: &'a str,
}

impl Ctx<'_> {
    pub(super) fn err(
        &self,
        table: &str,
        model: Option<&str>,
        field: Option<&str>,
        problem: String,
    ) -> PricingError {
        // A price file holds no secrets, but one pasted in by mistake is never echoed.
        PricingError::Invalid {
            source_name: self.source_name.to_owned(),
            place: Place {
                table: scrub(table),
                model: model.map(scrub),
                field: field.map(scrub),
            },
            problem: scrub(&problem),
        }
    }

    pub(super) fn table<'v>(
        &self,
        v: &'v Value,
        table: &str,
        model: Option<&str>,
    ) -> Result<&'v Table, PricingError> {
        v.as_table().ok_or_else(|| {
            let what = if model.is_some() {
                "an entry"
            } else {
                "a table"
            };
            self.err(
                table,
                model,
                None,
                format!(
                    "is {}, not {what}; see the README's pricing section",
                    v.type_str()
                ),
            )
        })
    }

    pub(super) fn known(
        &self,
        t: &Table,
        accepted: &[&str],
        table: &str,
        model: Option<&str>,
    ) -> Result<(), PricingError> {
        match t.keys().find(|k| !accepted.contains(&k.as_str())) {
            Some(k) => Err(self.err(
                table,
                model,
                Some(k),
                format!("is not a known field; accepted: {}", accepted.join(", ")),
            )),
            None => Ok(()),
        }
    }

    /// A price: a finite number, 0 or more (integers are accepted: `input = 1`).
    pub(super) fn price(
        &self,
        v: &Value,
        table: &str,
        model: Option<&str>,
        field: &str,
        unit: &str,
    ) -> Result<f64, PricingError> {
        let n = match v {
            Value::Float(f) => *f,
            Value::Integer(i) => *i as f64,
            other => {
                return Err(self.err(
                    table,
                    model,
                    Some(field),
                    format!("= {other} is not a number; use a number of USD per {unit}, 0 or more"),
                ));
            }
        };
        if !n.is_finite() || n < 0.0 {
            return Err(self.err(
                table,
                model,
                Some(field),
                format!("= {n:?} is not a price; use a finite number of USD per {unit}, 0 or more"),
            ));
        }
        Ok(n)
    }

    pub(super) fn opt_price(
        &self,
        t: &Table,
        table: &str,
        model: &str,
        field: &str,
        unit: &str,
    ) -> Result<Option<f64>, PricingError> {
        t.get(field)
            .map(|v| self.price(v, table, Some(model), field, unit))
            .transpose()
    }

    pub(super) fn assumption(
        &self,
        t: &Table,
        table: &str,
        model: &str,
    ) -> Result<Option<Assumption>, PricingError> {
        let Some(v) = t.get("assumption") else {
            return Ok(None);
        };
        v.as_str()
            .and_then(Assumption::from_code)
            .map(Some)
            .ok_or_else(|| {
                self.err(
                    table,
                    Some(model),
                    Some("assumption"),
                    format!(
                        "= {v} is not a known assumption; use one of {}",
                        Assumption::codes()
                    ),
                )
            })
    }
}
