//! The headline: the one set of figures every front end leads with, computed once here and
//! said in the same words everywhere (the menu-bar title and the menu's header, the first
//! lines of `once` and `watch`, their text lines, the JSON's `headline`, the report's top).
//!
//! - the **estimate** of the window: every kind of usage, completions being one part of it
//!   (`Estimate $252.11, last 6 h: completions $26.41 (5.3M tokens) + other usage $225.70`);
//! - **today (UTC)**: the estimate since UTC midnight (the glance's);
//! - **month so far**: [`MonthSpend`], the bill's landed days plus the estimate not yet billed;
//! - the **pace** of today and of this month.
//!
//! A figure that is a part says which part; a `+` after an amount means some usage has no
//! price and is left out of it. Pure: a snapshot, the bill, the glance and the time in.

use crate::bill::{Bill, MonthSpend, utc_day_start, utc_month_start};
use crate::figures::glance::Glance;
use crate::figures::pace::MIN_ELAPSED_SECS;
use crate::snapshot::Snapshot;
use crate::ui::format;
use crate::usage::Window;
use serde::Serialize;

/// The headline's figures (USD) and, in `lines`, its words.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Headline {
    /// The window in words: `last 6 h`, `today since 00:00 UTC`.
    pub window: String,
    /// The whole estimate of the window: completions plus every other kind of usage.
    #[serde(serialize_with = "crate::ui::json::money::amount")]
    pub window_usd: f64,
    /// The parts of `window_usd`.
    #[serde(serialize_with = "crate::ui::json::money::amount")]
    pub completions_usd: f64,
    #[serde(serialize_with = "crate::ui::json::money::amount")]
    pub other_usd: f64,
    /// Completions tokens in the window.
    pub completions_tokens: u64,
    /// Rows of any kind left out of `window_usd` for want of a price (the title's `+`).
    pub unpriced: usize,
    /// The estimate since this UTC day's midnight; `null` until the glance knows every hour.
    #[serde(serialize_with = "crate::ui::json::money::opt_amount")]
    pub today_usd: Option<f64>,
    /// This UTC month so far: `month_billed_usd + month_unbilled_usd`; `null` with neither a
    /// bill nor a glance.
    #[serde(serialize_with = "crate::ui::json::money::opt_amount")]
    pub month_usd: Option<f64>,
    /// What the bill has of the month.
    #[serde(serialize_with = "crate::ui::json::money::opt_amount")]
    pub month_billed_usd: Option<f64>,
    /// What the estimate has that the bill does not have yet (today, yesterday until billed).
    #[serde(serialize_with = "crate::ui::json::money::opt_amount")]
    pub month_unbilled_usd: Option<f64>,
    /// `false` when a day not yet billed has no estimate: `month_usd` is then a lower bound.
    pub month_complete: bool,
    /// On pace for, at the rate so far (UTC day and month).
    #[serde(serialize_with = "crate::ui::json::money::opt_amount")]
    pub pace_today_usd: Option<f64>,
    #[serde(serialize_with = "crate::ui::json::money::opt_amount")]
    pub pace_month_usd: Option<f64>,
    /// The same figures in words, as the first lines of `once` and `watch` say them: the
    /// window, today and the month, and the pace once today is known. Left out of `watch`'s
    /// lean JSON lines (`--detail` keeps them): `text` says the same.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<String>,
    /// The figures in one line, as `watch`'s text lines and notifications say them.
    pub text: String,
    #[serde(skip)]
    now: i64,
}

/// `last 6 h`, `last 7 d`, `last 90 min`, or a calendar window's `today since 00:00 UTC`.
pub fn window_words(w: &Window) -> String {
    if let Some(c) = w.calendar {
        return crate::ui::view::period::since_words(c, w.end_time);
    }
    let secs = w.end_time - w.start_time;
    if secs > 0 && secs % 86_400 == 0 && secs >= 2 * 86_400 {
        format!("last {} d", secs / 86_400)
    } else if secs % 3_600 == 0 {
        format!("last {} h", secs / 3_600)
    } else {
        format!("last {} min", (secs + 59) / 60)
    }
}

/// `$3.45`; `$3.45+` when some usage has no price; `—` when none of it has.
pub fn amount(usd: f64, unpriced: usize) -> String {
    if unpriced > 0 && usd == 0.0 {
        format::UNPRICED.to_owned()
    } else if unpriced > 0 {
        format!("{}+", format::usd(usd))
    } else {
        format::usd(usd)
    }
}

/// The window's line, from the snapshot alone: `Estimate $252.11, last 6 h: completions
/// $26.41 (5.3M tokens) + other usage $225.70`, with `; 2 unpriced rows not included` when
/// some usage has no price.
pub fn window_line(s: &Snapshot) -> String {
    let t = &s.summary.totals;
    let mut line = format!(
        "Estimate {}, {}: completions {} ({} tokens) + other usage {}",
        amount(s.total_cost_usd(), s.unpriced()),
        window_words(&s.window),
        format::usd(t.cost_usd),
        format::tokens_short(t.total_tokens),
        format::usd(s.other.cost_usd),
    );
    if s.unpriced() > 0 {
        line.push_str(&format!(
            "; {} not included",
            format::count(s.unpriced(), "unpriced row")
        ));
    }
    line
}

/// `$4,310.55 (billed $4,209.00 + not yet billed $101.55)`, `≥ …` when `complete` is false (a
/// day not yet billed has no estimate): the month so far and its two parts.
pub fn month_words(billed_usd: f64, unbilled_usd: f64, complete: bool) -> String {
    let total = format::usd(billed_usd + unbilled_usd);
    format!(
        "{}{total} (billed {} + not yet billed {})",
        if complete { "" } else { "≥ " },
        format::usd(billed_usd),
        format::usd(unbilled_usd)
    )
}

impl Headline {
    /// The headline of `snap` at `now` (unix seconds), with the month's bill when fetched and
    /// the glance when made. A glance of another UTC day (or month) gives nothing of today
    /// (or of the month); without one, the month is the bill's alone and marked incomplete.
    pub fn new(snap: &Snapshot, bill: Option<&Bill>, glance: Option<&Glance>, now: i64) -> Self {
        let today = utc_day_start(now);
        let same_day = glance.filter(|g| utc_day_start(g.now) == today);
        let same_month = glance.filter(|g| utc_month_start(g.now) == utc_month_start(now));
        let month = match (same_month, bill) {
            (Some(g), _) => Some(g.month.clone()),
            (None, Some(b)) => Some(MonthSpend::by_day(Some(b), now, |_| None)),
            (None, None) => None,
        };
        let mut h = Headline {
            window: window_words(&snap.window),
            window_usd: snap.total_cost_usd(),
            completions_usd: snap.summary.totals.cost_usd,
            other_usd: snap.other.cost_usd,
            completions_tokens: snap.summary.totals.total_tokens,
            unpriced: snap.unpriced(),
            today_usd: glance.and_then(|g| g.today_estimate(now)),
            month_usd: month.as_ref().map(MonthSpend::total_usd),
            month_billed_usd: month.as_ref().map(|m| m.billed_usd),
            month_unbilled_usd: month.as_ref().map(|m| m.unbilled_usd),
            month_complete: month.as_ref().is_some_and(|m| m.complete),
            pace_today_usd: same_day.and_then(|g| g.pace_today),
            pace_month_usd: same_month.and_then(|g| g.pace_month),
            lines: Vec::new(),
            text: String::new(),
            now,
        };
        h.lines = vec![window_line(snap), h.today_month_line()];
        // No pace without today (it is today's rate): the line would say nothing new.
        if h.today_usd.is_some() {
            h.lines.push(h.pace_line());
        }
        h.text = h.one_line();
        h
    }

    /// `$252.11`, `$252.11+` when some usage has no price: the title's cost.
    pub fn window_amount(&self) -> String {
        amount(self.window_usd, self.unpriced)
    }

    /// `$4,310.55`, `≥ $4,209.00` while a day's estimate is missing, `—` when not known.
    pub fn month_amount(&self) -> String {
        match self.month_usd {
            Some(v) if self.month_complete => format::usd(v),
            Some(v) => format!("≥ {}", format::usd(v)),
            None => format::UNPRICED.to_owned(),
        }
    }

    fn today_amount(&self) -> String {
        self.today_usd
            .map_or_else(|| "not known yet".to_owned(), format::usd)
    }

    /// `Today (UTC) $310.20 · month so far $4,310.55 (billed $4,209.00 + not yet billed
    /// $101.55)`.
    pub fn today_month_line(&self) -> String {
        let month = match (self.month_billed_usd, self.month_unbilled_usd) {
            (Some(b), Some(u)) => month_words(b, u, self.month_complete),
            _ => "not known yet".to_owned(),
        };
        format!("Today (UTC) {} · month so far {month}", self.today_amount())
    }

    /// `On pace for $620.00 today · $9,800.00 this month`; either half alone when the other
    /// is not known; `Pace: from 00:30 UTC` in the day's first half hour.
    pub fn pace_line(&self) -> String {
        let today = self
            .pace_today_usd
            .map(|v| format!("{} today", format::usd(v)));
        let month = self
            .pace_month_usd
            .map(|v| format!("{} this month", format::usd(v)));
        match (today, month) {
            (Some(t), Some(m)) => format!("On pace for {t} · {m}"),
            (Some(x), None) | (None, Some(x)) => format!("On pace for {x}"),
            (None, None) if self.now - utc_day_start(self.now) < MIN_ELAPSED_SECS => {
                "Pace: from 00:30 UTC".to_owned()
            }
            (None, None) => "Pace: not known yet".to_owned(),
        }
    }

    /// `Estimate $252.11 last 6 h (completions $26.41) · today (UTC) $310.20 · month so far
    /// $4,310.55 · on pace for $620.00 today · $9,800.00 this month`: what is known, in one
    /// line.
    pub fn one_line(&self) -> String {
        let mut parts = vec![format!(
            "Estimate {} {} (completions {})",
            self.window_amount(),
            self.window,
            format::usd(self.completions_usd)
        )];
        parts.extend(self.beyond_window());
        parts.join(" · ")
    }

    /// What is known beyond the window: `today (UTC) $310.20`, `month so far $4,310.55`, `on
    /// pace for $620.00 today · $9,800.00 this month`.
    pub fn beyond_window(&self) -> Vec<String> {
        let mut parts = Vec::new();
        if let Some(t) = self.today_usd {
            parts.push(format!("today (UTC) {}", format::usd(t)));
        }
        if self.month_usd.is_some() {
            parts.push(format!("month so far {}", self.month_amount()));
        }
        if self.pace_today_usd.is_some() || self.pace_month_usd.is_some() {
            parts.push(self.pace_line().replacen("On pace", "on pace", 1));
        }
        parts
    }
}

#[cfg(test)]
mod tests;
