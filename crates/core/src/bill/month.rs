//! This UTC month so far: the one answer the monthly budget, the month's pace and the menu's
//! month line all read.
//!
//! Day by day from the first of the month to today: a day the bill has landed for (before
//! today, with line items; or, without any, older than yesterday: an empty yesterday may not
//! have landed yet) counts what the bill says. Any other day (today; yesterday while its bill
//! has not landed; every day without a bill) counts what the bill has of it so far plus what
//! its estimate has that the bill does not have yet, `max(0, estimate − billed)`. The bill lags
//! the usage by minutes to hours; the estimate fills the gap without counting a cent twice.

use super::{Bill, Money, SECS_PER_DAY, present::is_usd, utc_day_start, utc_month_start};

/// This month so far by the rule above.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MonthSpend {
    /// What the bill has of the month in USD, today's included.
    pub billed_usd: f64,
    /// What the estimate has that the bill does not yet, over the days not landed; 0 for a day
    /// whose estimate is unknown.
    pub unbilled_usd: f64,
    /// Amounts the bill gave in other currencies: not in the USD figures, never converted.
    pub other_currencies: Vec<Money>,
    /// Whether every day not landed had an estimate (a pace needs them all).
    pub complete: bool,
}

impl MonthSpend {
    /// The month of `now` (unix seconds) from `bill` (when fetched) and `estimate`, the estimate
    /// in USD of the UTC day starting at its argument, when known.
    pub fn by_day(
        bill: Option<&Bill>,
        now: i64,
        estimate: impl Fn(i64) -> Option<f64>,
    ) -> MonthSpend {
        let mut s = MonthSpend::of_days(now, |d| {
            let billed = bill.and_then(|b| b.day(d));
            (
                billed.map(|day| (day.usd(), !day.items.is_empty())),
                estimate(d),
            )
        });
        s.other_currencies = bill.map_or_else(Vec::new, |b| {
            b.month_to_date(now)
                .into_iter()
                .filter(|m| !is_usd(m))
                .collect()
        });
        s
    }

    /// The same rule from per-day figures (the report's, from the store): `day(d)` gives the
    /// bill of the UTC day starting at `d` (USD, and whether it has line items) when one is
    /// stored, and its estimate when known.
    pub fn of_days(
        now: i64,
        day: impl Fn(i64) -> (Option<(f64, bool)>, Option<f64>),
    ) -> MonthSpend {
        let today = utc_day_start(now);
        let yesterday = today - SECS_PER_DAY;
        let mut s = MonthSpend {
            complete: true,
            ..MonthSpend::default()
        };
        let mut d = utc_month_start(now);
        while d <= today {
            let (billed, estimate) = day(d);
            let landed = d < today && billed.is_some_and(|(_, items)| items || d < yesterday);
            let billed_usd = billed.map_or(0.0, |(usd, _)| usd);
            s.billed_usd += billed_usd;
            if !landed {
                match estimate {
                    Some(e) => s.unbilled_usd += (e - billed_usd).max(0.0),
                    None => s.complete = false,
                }
            }
            d += SECS_PER_DAY;
        }
        s
    }

    /// `bill` at `now` with today's (UTC) live estimate in USD when known (and no estimate of
    /// any other day).
    pub fn of(bill: &Bill, now: i64, today_estimate_usd: Option<f64>) -> MonthSpend {
        let today = utc_day_start(now);
        MonthSpend::by_day(Some(bill), now, |d| {
            today_estimate_usd.filter(|_| d == today)
        })
    }

    pub fn total_usd(&self) -> f64 {
        self.billed_usd + self.unbilled_usd
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bill::{BilledDay, LineItem, LineKind};

    /// 2026-12-03T12:00:00Z: the month began 2026-12-01 (DEC_1).
    const DEC_1: i64 = 1_796_083_200;
    const NOW: i64 = DEC_1 + 2 * SECS_PER_DAY + 12 * 3_600;

    fn day(start: i64, usd: &[f64]) -> BilledDay {
        BilledDay {
            start_time: start,
            items: usd
                .iter()
                .map(|v| LineItem {
                    name: "gpt-4o, input".into(),
                    model: Some("gpt-4o".into()),
                    kind: LineKind::Input,
                    batch: false,
                    amount: Money {
                        value: *v,
                        currency: "usd".into(),
                    },
                    quantity: None,
                    quantity_unit: None,
                    api_key_id: None,
                    project_id: None,
                })
                .collect(),
        }
    }

    #[test]
    fn landed_days_count_the_bill_and_the_rest_what_the_estimate_adds() {
        // Dec 1 landed ($10); Dec 2 (yesterday) landed with one item ($3 of an estimated $5:
        // the bill wins once landed); today billed $1 of an estimated $4.
        let bill = Bill {
            days: vec![
                day(DEC_1, &[10.0]),
                day(DEC_1 + SECS_PER_DAY, &[3.0]),
                day(DEC_1 + 2 * SECS_PER_DAY, &[1.0]),
            ],
            fetched_at_ms: NOW * 1000,
        };
        let estimate = |d: i64| {
            Some(if d == DEC_1 + 2 * SECS_PER_DAY {
                4.0
            } else {
                5.0
            })
        };
        let s = MonthSpend::by_day(Some(&bill), NOW, estimate);
        assert_eq!(
            (s.billed_usd, s.unbilled_usd, s.complete),
            (14.0, 3.0, true)
        );
        // Yesterday not landed yet (no items): its estimate counts, beyond what it billed.
        let bill = Bill {
            days: vec![day(DEC_1, &[10.0]), day(DEC_1 + SECS_PER_DAY, &[])],
            fetched_at_ms: NOW * 1000,
        };
        let s = MonthSpend::by_day(Some(&bill), NOW, estimate);
        assert_eq!((s.billed_usd, s.unbilled_usd), (10.0, 9.0));
        // Without a bill: every day's estimate; one unknown day makes it incomplete.
        let s = MonthSpend::by_day(None, NOW, estimate);
        assert_eq!((s.total_usd(), s.complete), (14.0, true));
        let s = MonthSpend::by_day(None, NOW, |d| (d != DEC_1).then_some(1.0));
        assert!(!s.complete);
    }

    #[test]
    fn the_budget_and_the_pace_read_the_same_month() {
        // The budget knows today's estimate only; the pace every day's. Where the bill has
        // landed for every day before today, both give the same month.
        let bill = Bill {
            days: vec![day(DEC_1, &[10.0]), day(DEC_1 + SECS_PER_DAY, &[2.0])],
            fetched_at_ms: NOW * 1000,
        };
        let today = DEC_1 + 2 * SECS_PER_DAY;
        let budget = MonthSpend::of(&bill, NOW, Some(6.0));
        let pace = MonthSpend::by_day(Some(&bill), NOW, |d| {
            Some(if d == today { 6.0 } else { 99.0 })
        });
        assert_eq!(budget.total_usd(), 18.0);
        assert_eq!(budget.total_usd(), pace.total_usd());
    }

    #[test]
    fn the_report_s_days_follow_the_same_rule() {
        // As the first case above, from per-day figures: Dec 1 landed ($10), Dec 2 landed
        // ($3 of an estimated $5), today $1 billed of an estimated $4.
        let s = MonthSpend::of_days(NOW, |d| match (d - DEC_1) / SECS_PER_DAY {
            0 => (Some((10.0, true)), Some(5.0)),
            1 => (Some((3.0, true)), Some(5.0)),
            _ => (Some((1.0, true)), Some(4.0)),
        });
        assert_eq!(
            (s.billed_usd, s.unbilled_usd, s.complete),
            (14.0, 3.0, true)
        );
        // Yesterday billed nothing yet: not landed, its estimate counts.
        let s = MonthSpend::of_days(NOW, |d| match (d - DEC_1) / SECS_PER_DAY {
            0 => (Some((10.0, true)), Some(5.0)),
            1 => (Some((0.0, false)), Some(5.0)),
            _ => (None, None),
        });
        assert_eq!(
            (s.billed_usd, s.unbilled_usd, s.complete),
            (10.0, 5.0, false)
        );
    }
}
