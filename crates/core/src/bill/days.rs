//! From the Costs API's buckets to the [`Bill`]'s days: each result made a [`LineItem`] with its
//! name read, buckets put on their UTC day (a clipped first bucket included), days without
//! spend kept as days without items, and a later fetch of a range replacing what it covers.
//! Pure.

use super::line_item::read_line_item;
use super::{Bill, BilledDay, LineItem, Money, utc_day_start};

/// One costs result as the transport read it, made a line item.
pub fn line_item(
    name: Option<&str>,
    value: f64,
    currency: &str,
    quantity: Option<f64>,
    quantity_unit: Option<&str>,
    api_key_id: Option<&str>,
    project_id: Option<&str>,
) -> LineItem {
    let read = read_line_item(name);
    LineItem {
        name: name.unwrap_or_default().to_owned(),
        model: read.model,
        kind: read.kind,
        batch: read.batch,
        amount: Money {
            value,
            currency: currency.to_ascii_lowercase(),
        },
        quantity,
        quantity_unit: quantity_unit.map(str::to_owned),
        api_key_id: api_key_id.map(str::to_owned),
        project_id: project_id.map(str::to_owned),
    }
}

/// Buckets `(start_time, items)` as days, ascending, one per UTC day.
pub fn days_from_buckets(
    buckets: impl IntoIterator<Item = (i64, Vec<LineItem>)>,
) -> Vec<BilledDay> {
    let mut days: Vec<BilledDay> = Vec::new();
    for (start, items) in buckets {
        let day = utc_day_start(start);
        match days.iter_mut().find(|d| d.start_time == day) {
            Some(d) => d.items.extend(items),
            None => days.push(BilledDay {
                start_time: day,
                items,
            }),
        }
    }
    days.sort_by_key(|d| d.start_time);
    days
}

impl Bill {
    /// Replaces the days from `from` on with `days` (a fetch of `[from, now)`), keeps the
    /// earlier ones, and drops the days before `keep_from`.
    pub fn replace_from(
        &mut self,
        from: i64,
        days: Vec<BilledDay>,
        keep_from: i64,
        fetched_at_ms: i64,
    ) {
        self.days
            .retain(|d| d.start_time < from && d.start_time >= keep_from);
        self.days
            .extend(days.into_iter().filter(|d| d.start_time >= keep_from));
        self.days.sort_by_key(|d| d.start_time);
        self.days.dedup_by_key(|d| d.start_time);
        self.fetched_at_ms = fetched_at_ms;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bill::{LineKind, SECS_PER_DAY};

    const D: i64 = SECS_PER_DAY;

    fn usd(name: &str, v: f64) -> LineItem {
        line_item(Some(name), v, "usd", None, None, None, None)
    }

    #[test]
    fn results_become_line_items_with_their_names_read() {
        let i = line_item(
            Some("batch | gpt-4o-mini-2024-07-18, cached input"),
            0.25,
            "USD",
            Some(1000.0),
            Some("tokens"),
            Some("key_a"),
            Some("proj_p"),
        );
        assert_eq!(i.kind, LineKind::CachedInput);
        assert!(i.batch);
        assert_eq!(i.model.as_deref(), Some("gpt-4o-mini-2024-07-18"));
        assert_eq!(i.amount.currency, "usd");
        assert_eq!(i.api_key_id.as_deref(), Some("key_a"));
        assert_eq!(i.project_id.as_deref(), Some("proj_p"));
        let unnamed = line_item(None, 0.06, "usd", None, None, None, None);
        assert_eq!((unnamed.name.as_str(), unnamed.kind), ("", LineKind::Other));
    }

    #[test]
    fn empty_buckets_stay_days_and_a_clipped_bucket_lands_on_its_day() {
        let days = days_from_buckets([
            (2 * D, vec![usd("web search tool calls", 1.0)]),
            (D + 3600, vec![usd("gpt-4o, input", 2.0)]), // clipped first bucket
            (3 * D, vec![]),
        ]);
        let starts: Vec<i64> = days.iter().map(|d| d.start_time).collect();
        assert_eq!(starts, vec![D, 2 * D, 3 * D]);
        assert!(days[2].items.is_empty());
        assert_eq!(days[0].usd(), 2.0);
    }

    #[test]
    fn a_later_fetch_replaces_what_it_covers_and_keeps_the_rest() {
        let mut bill = Bill::default();
        let first = days_from_buckets((0..5).map(|i| (i * D, vec![usd("x, input", i as f64)])));
        bill.replace_from(0, first, 0, 1);
        let today = days_from_buckets([(4 * D, vec![usd("x, input", 9.5)])]);
        bill.replace_from(4 * D, today, D, 2);
        let got: Vec<(i64, f64)> = bill.days.iter().map(|d| (d.start_time, d.usd())).collect();
        assert_eq!(
            got,
            vec![(D, 1.0), (2 * D, 2.0), (3 * D, 3.0), (4 * D, 9.5)]
        );
        assert_eq!(bill.fetched_at_ms, 2);
    }
}
