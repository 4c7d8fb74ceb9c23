//! Unit prices learned from the bill, per key set: kept so a restart prices with them before
//! the bill is asked again, and so `prices` can list them. One row per (model, tier, field,
//! detail): a newer day's price replaces an older one, an older never replaces a newer.

use crate::error::StoreError;
use crate::handle::{KeySet, Store};
use rusqlite::params;
use usage_tracker_core::pricing::learned::{Learned, LearnedPrice, PriceKey};

impl Store {
    /// Keeps each price of `learned` unless the store holds one billed on a newer day.
    pub fn record_prices(&mut self, keys: &KeySet, learned: &Learned) -> Result<(), StoreError> {
        let scoped = self.scoped(keys);
        let (path, busy) = (self.path.clone(), self.options.busy_timeout);
        let err = |e| StoreError::from_sqlite(&path, busy, e);
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(err)?;
        {
            let mut upsert = tx
                .prepare_cached(
                    "INSERT INTO learned_price (key_set, model, tier, field, detail, per_unit, day)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                     ON CONFLICT (key_set, model, tier, field, detail) DO UPDATE
                       SET per_unit = excluded.per_unit, day = excluded.day
                       WHERE excluded.day >= learned_price.day",
                )
                .map_err(err)?;
            for (k, p) in &learned.prices {
                upsert
                    .execute(params![
                        scoped.as_str(),
                        k.model,
                        k.tier,
                        k.field.code(),
                        k.detail,
                        p.per_unit,
                        p.day
                    ])
                    .map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }

    /// Every price learned for `keys`. A row whose field this build does not know (written by
    /// a newer one) is left out.
    pub fn load_prices(&self, keys: &KeySet) -> Result<Learned, StoreError> {
        let scoped = self.scoped(keys);
        let err = |e| self.err(e);
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT model, tier, field, detail, per_unit, day FROM learned_price
                 WHERE key_set = ?1",
            )
            .map_err(err)?;
        let mut rows = stmt.query([scoped.as_str()]).map_err(err)?;
        let mut learned = Learned::default();
        while let Some(r) = rows.next().map_err(err)? {
            let field: String = r.get(2).map_err(err)?;
            let Ok(field) = field.parse() else { continue };
            let per_unit: f64 = r.get(4).map_err(err)?;
            if !per_unit.is_finite() || per_unit < 0.0 {
                continue;
            }
            learned.prices.insert(
                PriceKey {
                    model: r.get(0).map_err(err)?,
                    tier: r.get(1).map_err(err)?,
                    field,
                    detail: r.get(3).map_err(err)?,
                },
                LearnedPrice {
                    per_unit,
                    day: r.get(5).map_err(err)?,
                },
            );
        }
        Ok(learned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StoreOptions;
    use usage_tracker_core::pricing::learned::PriceField;

    fn key(model: &str, field: PriceField) -> PriceKey {
        PriceKey {
            model: model.into(),
            tier: "standard".into(),
            field,
            detail: String::new(),
        }
    }

    #[test]
    fn a_newer_day_replaces_an_older_and_never_the_reverse_and_key_sets_stay_apart() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.sqlite");
        let mut store = Store::open(&path, StoreOptions::default(), 1_796_860_800).unwrap();
        let keys = KeySet::of(&["key_a".to_owned()]);
        let at = |per_unit, day| LearnedPrice { per_unit, day };
        let mut first = Learned::default();
        first
            .prices
            .insert(key("gpt-6.9-preview", PriceField::Input), at(3.0, 200));
        first
            .prices
            .insert(key("dall-e-3", PriceField::Image), at(0.052, 200));
        store.record_prices(&keys, &first).unwrap();
        let mut later = Learned::default();
        later
            .prices
            .insert(key("gpt-6.9-preview", PriceField::Input), at(3.3, 300));
        // An older day's price for dall-e-3 does not replace the newer one held.
        later
            .prices
            .insert(key("dall-e-3", PriceField::Image), at(0.08, 100));
        store.record_prices(&keys, &later).unwrap();
        drop(store);
        let store = Store::open(&path, StoreOptions::default(), 1_796_860_800).unwrap();
        let got = store.load_prices(&keys).unwrap();
        assert_eq!(got.prices.len(), 2);
        assert_eq!(
            got.prices[&key("gpt-6.9-preview", PriceField::Input)],
            at(3.3, 300)
        );
        assert_eq!(
            got.prices[&key("dall-e-3", PriceField::Image)],
            at(0.052, 200)
        );
        let other = store.load_prices(&KeySet::of(&[])).unwrap();
        assert!(other.is_empty());
    }
}
