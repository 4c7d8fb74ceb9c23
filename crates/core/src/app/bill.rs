//! The core's rules for the bill, pure like the rest of the core: the check of the estimate is
//! told once per settled UTC day (of the last 7) and choice of tracked keys that
//! [`DayCheck::is_off`] (never once per refresh; the days told outlive a reconnect, so a new
//! session or a later costs answer for the same day says nothing again), and the monthly
//! budget once per UTC month it is crossed. What was told outlives a restart too: each change
//! is an [`Effect::SaveTold`] and the shell hands the saved state back at start.

use super::Effect;
use super::told::Told;
use crate::alerts::{MonthSpend, MonthlyBudget};
#[cfg(doc)]
use crate::bill::DayCheck;
use crate::bill::SECS_PER_DAY;
use crate::ui::view::{self, TrayState};
use std::path::PathBuf;

/// Days told are kept this long (the check covers the last 7 complete days).
const TOLD_KEPT_SECS: i64 = 62 * SECS_PER_DAY;

#[derive(Debug)]
pub(super) struct BillRules {
    /// The days whose gap has been told (per choice of keys: another choice is another
    /// estimate, so its gap on a day already told is news) and the month last told.
    told: Told,
    monthly: Option<MonthlyBudget>,
    /// Where the shell keeps `told`; `None` in `--demo` and without a settings file.
    told_path: Option<PathBuf>,
}

impl BillRules {
    pub(super) fn new(monthly_budget: Option<f64>, told_path: Option<PathBuf>) -> BillRules {
        BillRules {
            told: Told::default(),
            monthly: monthly_budget.map(MonthlyBudget::new),
            told_path,
        }
    }

    /// Where the state is kept, for the shell to load it from.
    pub(super) fn told_path(&self) -> Option<&PathBuf> {
        self.told_path.as_ref()
    }

    /// What a previous launch told (loaded by the shell).
    pub(super) fn restore(&mut self, told: Told) {
        if let Some(m) = &mut self.monthly {
            m.restore(told.month);
        }
        self.told = told;
    }

    fn save(&self, out: &mut Vec<Effect>) {
        if let Some(path) = &self.told_path {
            out.push(Effect::SaveTold {
                path: path.clone(),
                told: self.told.clone(),
            });
        }
    }

    /// After a costs answer (the bill is in `state`): the check of the settled days, then the
    /// monthly budget. The days off and not told are told in one notice: the newest with its
    /// figures, the others named in it (a first launch with several days off is one
    /// notification, not one per day); a day that settles later gets its own.
    pub(super) fn billed(
        &mut self,
        state: &TrayState,
        keys: &[String],
        now_ms: i64,
        out: &mut Vec<Effect>,
    ) {
        let mut keys = keys.to_vec();
        keys.sort();
        let rec = state.bill.as_ref().and_then(|b| b.reconciliation.as_ref());
        if let Some(rec) = rec {
            let told = &self.told.days;
            let untold: Vec<_> = rec
                .days
                .iter()
                .filter(|c| c.is_off() && !told.contains(&(keys.clone(), c.start_time)))
                .collect();
            if let Some((c, earlier)) = untold.split_last() {
                for d in &untold {
                    self.told.days.insert((keys.clone(), d.start_time));
                }
                if let Some(newest) = rec.last() {
                    let oldest = newest.start_time - TOLD_KEPT_SECS;
                    self.told.days.retain(|(_, d)| *d >= oldest);
                }
                self.save(out);
                let unpriced = state.snapshot.as_ref().map_or(0, |s| s.unpriced());
                out.push(Effect::Notify(view::check_notice(
                    c,
                    earlier,
                    &view::subject(state),
                    unpriced,
                )));
            }
        }
        self.month(state, now_ms, out);
    }

    /// The monthly budget against the bill and today's estimate in `state`.
    pub(super) fn month(&mut self, state: &TrayState, now_ms: i64, out: &mut Vec<Effect>) {
        let bill = state.bill.as_ref().and_then(|b| b.bill.as_ref());
        let (Some(m), Some(bill)) = (&mut self.monthly, bill) else {
            return;
        };
        let now = now_ms / 1000;
        let spend = MonthSpend::of(bill, now, state.today_estimate(now));
        if let Some(a) = m.observe(now, &spend) {
            self.told.month = m.fired_month();
            self.save(out);
            out.push(Effect::Notify(view::monthly_budget_notice(
                &a,
                &spend,
                &view::subject(state),
            )));
        }
    }
}
