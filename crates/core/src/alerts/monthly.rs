//! The monthly budget: one notification per UTC month when this month so far reaches the
//! budget. "This month so far" is [`MonthSpend`], the one rule the month's pace uses too.
//! Pure: the caller passes the bill, the estimate of the UTC day so far and the time.

use super::{BudgetAlert, BudgetDetector};
pub use crate::bill::MonthSpend;
use crate::bill::utc_day_start;
use chrono::{Datelike, TimeZone, Utc};

/// The UTC month holding `now` as one number (months since year 0), for the detector.
pub fn utc_month(now: i64) -> i64 {
    let at = Utc
        .timestamp_opt(utc_day_start(now), 0)
        .single()
        .unwrap_or_default();
    i64::from(at.year()) * 12 + i64::from(at.month0())
}

/// One [`BudgetAlert`] per UTC month, when the month's spend reaches the budget.
#[derive(Clone, Debug)]
pub struct MonthlyBudget(BudgetDetector);

impl MonthlyBudget {
    pub fn new(budget: f64) -> Self {
        MonthlyBudget(BudgetDetector::new(budget))
    }

    pub fn budget(&self) -> f64 {
        self.0.budget()
    }

    /// The UTC month it last fired in ([`utc_month`]).
    pub fn fired_month(&self) -> Option<i64> {
        self.0.fired_on()
    }

    /// Restores [`Self::fired_month`] from a previous launch.
    pub fn restore(&mut self, month: Option<i64>) {
        self.0.restore(month);
    }

    pub fn observe(&mut self, now: i64, spend: &MonthSpend) -> Option<BudgetAlert> {
        self.0.observe(utc_month(now), spend.total_usd())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bill::{Bill, BilledDay, LineItem, LineKind, Money, SECS_PER_DAY};

    /// 2026-12-02T00:45:00Z; the month began 2026-12-01.
    const NOW: i64 = 1_796_172_300;
    const DEC_1: i64 = 1_796_083_200;

    fn day(start: i64, amounts: &[(f64, &str)]) -> BilledDay {
        BilledDay {
            start_time: start,
            items: amounts
                .iter()
                .map(|(v, c)| LineItem {
                    name: "gpt-4o, input".into(),
                    model: Some("gpt-4o".into()),
                    kind: LineKind::Input,
                    batch: false,
                    amount: Money {
                        value: *v,
                        currency: (*c).into(),
                    },
                    quantity: None,
                    quantity_unit: None,
                    api_key_id: None,
                    project_id: None,
                })
                .collect(),
        }
    }

    fn bill(today_usd: f64) -> Bill {
        Bill {
            days: vec![
                day(DEC_1 - SECS_PER_DAY, &[(50.0, "usd")]),
                day(DEC_1, &[(10.0, "usd"), (4.0, "eur")]),
                day(DEC_1 + SECS_PER_DAY, &[(today_usd, "usd")]),
            ],
            fetched_at_ms: NOW * 1000,
        }
    }

    #[test]
    fn the_month_is_its_bill_plus_todays_estimate_not_yet_billed() {
        let s = MonthSpend::of(&bill(1.0), NOW, Some(3.5));
        assert_eq!(s.billed_usd, 11.0, "November and the euros are not in it");
        assert_eq!(s.unbilled_usd, 2.5);
        assert_eq!(s.total_usd(), 13.5);
        assert_eq!(s.other_currencies.len(), 1);
        assert_eq!(s.other_currencies[0].currency, "eur");
        // The bill has caught up past the estimate: nothing is counted twice or taken off.
        let s = MonthSpend::of(&bill(4.0), NOW, Some(3.5));
        assert_eq!((s.billed_usd, s.unbilled_usd), (14.0, 0.0));
        // No estimate yet: the bill alone.
        assert_eq!(MonthSpend::of(&bill(1.0), NOW, None).total_usd(), 11.0);
    }

    #[test]
    fn notifies_once_per_crossing_per_month() {
        let mut m = MonthlyBudget::new(12.0);
        assert_eq!(m.observe(NOW, &MonthSpend::of(&bill(1.0), NOW, None)), None);
        let a = m.observe(NOW, &MonthSpend::of(&bill(1.0), NOW, Some(2.0)));
        assert_eq!(a.map(|a| a.spent), Some(12.0));
        assert_eq!(
            m.observe(NOW + 60, &MonthSpend::of(&bill(5.0), NOW, None)),
            None
        );
        // January: re-armed, told again once crossed.
        let jan = DEC_1 + 31 * SECS_PER_DAY + 3600;
        assert_ne!(utc_month(jan), utc_month(NOW));
        let jan_bill = Bill {
            days: vec![day(utc_day_start(jan), &[(13.0, "usd")])],
            fetched_at_ms: 0,
        };
        assert!(
            m.observe(jan, &MonthSpend::of(&jan_bill, jan, None))
                .is_some()
        );
        assert!(
            m.observe(jan + 1, &MonthSpend::of(&jan_bill, jan, None))
                .is_none()
        );
    }

    #[test]
    fn months_are_utc() {
        assert_eq!(utc_month(DEC_1), utc_month(DEC_1 + 30 * SECS_PER_DAY - 1));
        assert_eq!(utc_month(DEC_1 - 1) + 1, utc_month(DEC_1));
    }
}
