//! The check of the live estimate against the bill, per complete UTC day. Pure.
//!
//! A day is checked only once it is settled: [`SETTLE_SECS`] after its UTC end. Costs land
//! minutes to hours after the usage (no SLA is published; see
//! `shared/openai/costs-and-other-endpoints.md`, 2.3) and usage itself up to an hour late, so a
//! day checked sooner would show a gap that is only the lag. The bill tracker re-reads
//! yesterday's bill until the same moment, so the figure checked is the settled one. A day
//! billed in another currency than USD is not checked (the estimate is in USD; no rate is
//! assumed).

use super::{Bill, DayCheck, Reconciliation, SECS_PER_DAY, utc_day_start};

/// A day is checked this long after its UTC end (and its bill re-read until then).
pub const SETTLE_SECS: i64 = 6 * 3_600;
/// The check covers the complete UTC days of this many days before today.
pub const CHECK_DAYS: i64 = 7;

/// Whether the day starting at `day_start` is settled at `now`.
pub fn is_settled(day_start: i64, now: i64) -> bool {
    now >= day_start + SECS_PER_DAY + SETTLE_SECS
}

/// For each settled day of the last [`CHECK_DAYS`] that has both an estimate (USD) and a bill
/// in USD: the two and their ratio, ascending.
pub fn reconcile(day_estimates: &[(i64, f64)], bill: &Bill, now: i64) -> Reconciliation {
    let today = utc_day_start(now);
    let first = today - CHECK_DAYS * SECS_PER_DAY;
    let mut days: Vec<DayCheck> = day_estimates
        .iter()
        .filter(|(day, _)| *day >= first && *day < today && is_settled(*day, now))
        .filter_map(|&(day, estimate)| {
            let billed = bill.day(day)?;
            let foreign = billed
                .items
                .iter()
                .any(|i| !i.amount.currency.eq_ignore_ascii_case("usd"));
            if foreign {
                return None;
            }
            let billed_usd = billed.usd();
            if billed_usd == 0.0 && estimate == 0.0 {
                return None;
            }
            Some(DayCheck {
                start_time: day,
                estimate_usd: estimate,
                billed_usd,
                ratio: (billed_usd > 0.0).then(|| estimate / billed_usd),
            })
        })
        .collect();
    days.sort_by_key(|d| d.start_time);
    days.dedup_by_key(|d| d.start_time);
    Reconciliation { days }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bill::NOTIFY_GAP;
    use crate::bill::days::{days_from_buckets, line_item};

    const D: i64 = SECS_PER_DAY;
    /// 2026-12-10T12:00:00Z
    const NOW: i64 = 1_796_904_000;

    fn bill(days: &[(i64, f64, &str)]) -> Bill {
        Bill {
            days: days_from_buckets(days.iter().map(|&(start, v, cur)| {
                (
                    start,
                    vec![line_item(
                        Some("gpt-4o, input"),
                        v,
                        cur,
                        None,
                        None,
                        None,
                        None,
                    )],
                )
            })),
            fetched_at_ms: 0,
        }
    }

    #[test]
    fn settled_days_with_both_are_checked_and_a_30_percent_gap_shows() {
        let today = utc_day_start(NOW);
        let y = today - D;
        let b = bill(&[(y - D, 10.0, "usd"), (y, 10.0, "usd"), (today, 3.0, "usd")]);
        let r = reconcile(&[(y - D, 13.0), (y, 10.2), (today, 3.0)], &b, NOW);
        assert_eq!(r.days.len(), 2, "today is not complete: {r:?}");
        assert_eq!(r.days[0].start_time, y - D);
        assert!((r.days[0].gap().unwrap() - 0.3).abs() < 1e-12);
        assert!(r.days[0].gap().unwrap() > NOTIFY_GAP);
        let last = r.last().unwrap();
        assert_eq!(last.start_time, y);
        assert!(last.gap().unwrap() < 0.03);
    }

    #[test]
    fn a_day_still_being_billed_is_not_checked() {
        let today = utc_day_start(NOW);
        let y = today - D;
        let b = bill(&[(y, 5.0, "usd")]);
        let early = today + SETTLE_SECS - 1;
        assert!(reconcile(&[(y, 10.0)], &b, early).days.is_empty());
        assert_eq!(
            reconcile(&[(y, 10.0)], &b, today + SETTLE_SECS).days.len(),
            1
        );
    }

    #[test]
    fn days_beyond_the_last_seven_or_without_a_bill_or_not_in_usd_are_not_checked() {
        let today = utc_day_start(NOW);
        let old = today - 8 * D;
        let b = bill(&[(old, 1.0, "usd"), (today - 2 * D, 1.0, "eur")]);
        let r = reconcile(
            &[(old, 1.0), (today - 2 * D, 1.0), (today - 3 * D, 1.0)],
            &b,
            NOW,
        );
        assert!(r.days.is_empty(), "{r:?}");
    }

    #[test]
    fn an_estimate_with_nothing_billed_has_no_ratio() {
        let today = utc_day_start(NOW);
        let b = Bill {
            days: days_from_buckets([(today - 2 * D, vec![])]),
            fetched_at_ms: 0,
        };
        let r = reconcile(&[(today - 2 * D, 4.0)], &b, NOW);
        assert_eq!(r.days.len(), 1);
        assert_eq!((r.days[0].ratio, r.days[0].billed_usd), (None, 0.0));
        assert!(reconcile(&[(today - 2 * D, 0.0)], &b, NOW).days.is_empty());
    }
}
