//! The menu's "Billed" section, the check line, the monthly budget line, the month-to-date
//! title and the texts of the bill's notifications. Pure, like the rest of the view: from the
//! [`BillSnapshot`] the app holds (and the time) to rows and words.
//!
//! The section keeps one shape whatever the bill's state (the status row, whose submenu holds
//! the month to date, today, yesterday, the month's earlier days and the price checks; the
//! check row; the budget row when a budget is set), so each update relabels the rows in place;
//! only a new group of line items or a new day adds a row, as a new model does above. Two or
//! three rows at the top level, however many days the month has (the month to date is the
//! menu's header's too).

use super::{MARKER, Node, Notice, TrayState};
use crate::alerts::{BudgetAlert, MonthSpend};
use crate::bill::present::{self, Group};
use crate::bill::{
    Bill, BillFailure, BillSnapshot, DayCheck, LineItem, NOTIFY_MIN_USD, Reconciliation,
    SECS_PER_DAY, utc_day_start, utc_month_start,
};
use crate::openai::ErrorKind;
use crate::ui::format;

impl TrayState {
    /// Today's UTC estimate at `now` (unix seconds): the glance's
    /// ([`Glance::today_estimate`](crate::figures::glance::Glance::today_estimate)), the one
    /// answer the pace, the month's line and the monthly budget share.
    pub fn today_estimate(&self, now: i64) -> Option<f64> {
        self.glance.as_ref().and_then(|g| g.today_estimate(now))
    }
}

/// `MTD $20.00` in the menu bar.
pub const MONTH_TITLE: &str = "MTD";

/// What failed, in the words of the billed section: "cannot reach the API".
pub fn failure_words(f: &BillFailure) -> &'static str {
    match f.error.kind() {
        ErrorKind::Offline => "cannot reach the API",
        ErrorKind::Timeout => "the API did not answer in time",
        ErrorKind::InvalidKey => "the admin key was rejected",
        ErrorKind::MissingPermission => "the admin key may not read costs",
        ErrorKind::RateLimited => "rate limited",
        ErrorKind::ServerError => "the API had a server error",
        ErrorKind::Rejected => "the API rejected the request",
        ErrorKind::BadResponse => "the API's answer could not be read",
    }
}

/// "yesterday" or "on 1 Dec" (UTC days).
pub fn day_phrase(start: i64, now: i64) -> String {
    if start == utc_day_start(now) - SECS_PER_DAY {
        "yesterday".to_owned()
    } else {
        format!("on {}", format::utc_day(start))
    }
}

/// Whole percent the estimate is off, rounded up for "within" so the claim holds.
fn percent_within(gap: f64) -> u32 {
    ((gap * 100.0 - 1e-9).ceil().max(1.0)) as u32
}

/// "Estimate within 2 % of the bill yesterday", "Estimate 30 % below the bill on 1 Dec",
/// "Estimate $1.20, nothing billed yesterday".
pub fn check_text(c: &DayCheck, day: &str) -> String {
    match c.gap() {
        None => format!(
            "Estimate {}, nothing billed {day}",
            format::usd(c.estimate_usd)
        ),
        Some(g) if c.is_within() => {
            format!("Estimate within {} % of the bill {day}", percent_within(g))
        }
        Some(g) => {
            let side = if c.estimate_usd < c.billed_usd {
                "below"
            } else {
                "above"
            };
            let small = if c.is_small() {
                format!(", under {} apart", format::usd(NOTIFY_MIN_USD))
            } else {
                String::new()
            };
            format!(
                "Estimate {} % {side} the bill {day}{small}",
                (g * 100.0).round() as u32
            )
        }
    }
}

/// The check of the last complete day, or why there is none yet; when the usage of the checked
/// days could not be read, that, with the last good check marked as such.
pub fn check_line(snap: Option<&BillSnapshot>, now: i64) -> String {
    let last = snap
        .and_then(|s| s.reconciliation.as_ref())
        .and_then(Reconciliation::last)
        .map(|c| check_text(c, &day_phrase(c.start_time, now)));
    match (snap.and_then(|s| s.estimate_failure.as_ref()), last) {
        (Some(f), last) => {
            let mut line = format!(
                "{MARKER} Estimate check: usage of the checked days not read ({})",
                failure_words(f)
            );
            if let Some(last) = last {
                line.push_str(&format!(" · last good check: {last}"));
            }
            line
        }
        (None, Some(last)) => last,
        (None, None) => "Estimate check: no complete day with a bill yet".to_owned(),
    }
}

/// `gpt-4o-2024-08-06: input $1.20, cached $0.14, output $2.10`; `Other: web search $0.25`.
pub fn group_text(g: &Group) -> String {
    let parts: Vec<String> = g
        .parts
        .iter()
        .map(|p| format!("{} {}", p.label, format::money(&p.amount)))
        .collect();
    format!(
        "{}: {}",
        g.model.as_deref().unwrap_or("Other"),
        parts.join(", ")
    )
}

/// `Bill as of 09:12`, `⚠ Bill as of 09:12 · cannot reach the API`, `Bill not fetched yet`.
pub fn status_text(snap: Option<&BillSnapshot>) -> String {
    let bill = snap.and_then(|s| s.bill.as_ref());
    let failure = snap.and_then(|s| s.failure.as_ref());
    match (bill, failure) {
        (None, None) => "Bill not fetched yet".to_owned(),
        (None, Some(f)) => format!("{MARKER} Bill not fetched: {}", failure_words(f)),
        (Some(b), None) => format!(
            "Billed (UTC days) · as of {}",
            format::local_hm(b.fetched_at_ms / 1000)
        ),
        (Some(b), Some(f)) => format!(
            "{MARKER} Bill as of {} · {}",
            format::local_hm(b.fetched_at_ms / 1000),
            failure_words(f)
        ),
    }
}

fn period(label: &str, when: String, items: Option<Vec<&LineItem>>) -> Node {
    let (total, children) = match items {
        None => (
            "—".to_owned(),
            vec![Node::Info(when), Node::Info("Not fetched".into())],
        ),
        Some(items) => {
            let mut rows = vec![Node::Info(when)];
            let groups = present::by_model(items.iter().copied());
            if groups.is_empty() {
                rows.push(Node::Info("Nothing billed".into()));
            }
            rows.extend(groups.iter().map(|g| Node::Info(group_text(g))));
            (format::moneys(&present::totals(items)), rows)
        }
    };
    Node::Submenu {
        text: format!("{label}  {total}"),
        children,
    }
}

/// The days of the bill (today so far, yesterday, then this month's earlier days, newest
/// first) and the month to date.
fn periods(bill: Option<&Bill>, now: i64) -> (Vec<Node>, Node) {
    let today = utc_day_start(now);
    let yesterday = today - SECS_PER_DAY;
    let day = |start: i64| {
        bill.and_then(|b| b.day(start))
            .map(|d| d.items.iter().collect())
    };
    let month = bill.map(|b| b.month_days(now).flat_map(|d| d.items.iter()).collect());
    let mut days = vec![
        period(
            "Today",
            format!("{} (UTC day so far)", format::utc_day(today)),
            day(today),
        ),
        period(
            "Yesterday",
            format!("{} (UTC)", format::utc_day(yesterday)),
            day(yesterday),
        ),
    ];
    let mut earlier: Vec<i64> = bill
        .map(|b| {
            b.month_days(now)
                .map(|d| d.start_time)
                .filter(|&t| t < yesterday)
                .collect()
        })
        .unwrap_or_default();
    earlier.sort_unstable_by(|a, b| b.cmp(a));
    earlier.dedup();
    days.extend(earlier.into_iter().map(|start| {
        let name = format::utc_day(start);
        period(&name, format!("{name} (UTC)"), day(start))
    }));
    let month = period(
        "Month to date",
        format!(
            "{} – {} (UTC)",
            format::utc_day(utc_month_start(now)),
            format::utc_day(today)
        ),
        month,
    );
    (days, month)
}

/// `Month so far: $20.50 of $100.00 budget (billed $20.00 + not yet billed $0.50)`.
pub fn month_budget_text(
    bill: Option<&Bill>,
    today_usd: Option<f64>,
    budget: f64,
    now: i64,
) -> String {
    let Some(bill) = bill else {
        return format!("Month budget {}: bill not fetched yet", format::usd(budget));
    };
    let s = MonthSpend::of(bill, now, today_usd);
    // The headline's words for the month so far (`≥` while a day's estimate is missing).
    let (total, parts) = crate::ui::headline::month_words(s.billed_usd, s.unbilled_usd, s.complete)
        .split_once(" (")
        .map(|(t, p)| (t.to_owned(), p.trim_end_matches(')').to_owned()))
        .unwrap_or_default();
    let mut text = format!(
        "Month so far: {total} of {} budget ({parts})",
        format::usd(budget)
    );
    if !s.other_currencies.is_empty() {
        text.push_str(&format!(
            " · {} not counted",
            format::moneys(&s.other_currencies)
        ));
    }
    text
}

/// The section: the status with the month to date, the days and `price_checks` (what the bill
/// says of the table's prices) inside; the check; the monthly budget.
pub fn billed_rows(state: &TrayState, now_ms: i64, price_checks: Vec<Node>) -> Vec<Node> {
    let now = now_ms / 1000;
    let snap = state.bill.as_deref();
    let bill = snap.and_then(|s| s.bill.as_ref());
    let (days, month) = periods(bill, now);
    let mut children = vec![month];
    children.extend(days);
    children.extend(price_checks);
    let mut rows = vec![
        Node::Submenu {
            text: status_text(snap),
            children,
        },
        Node::Info(check_line(snap, now)),
    ];
    if let Some(budget) = state.monthly_budget {
        rows.push(Node::Info(month_budget_text(
            bill,
            state.today_estimate(now),
            budget,
            now,
        )));
    }
    rows
}

/// The title's figures for "Month to date": `MTD $20.00`, `⚠ MTD $20.00` while stale.
pub fn month_title(state: &TrayState, now_ms: i64) -> String {
    let snap = state.bill.as_deref();
    match (
        snap.and_then(|s| s.bill.as_ref()),
        snap.and_then(|s| s.failure.as_ref()),
    ) {
        (None, None) => format!("{MONTH_TITLE} {}", super::LOADING_TITLE),
        (None, Some(f)) => format!("{MARKER} {MONTH_TITLE} {}", f.error.kind().label()),
        (Some(b), failure) => {
            let figures = format!(
                "{MONTH_TITLE} {}",
                format::moneys(&b.month_to_date(now_ms / 1000))
            );
            if failure.is_some() {
                format!("{MARKER} {figures}")
            } else {
                figures
            }
        }
    }
}

/// The notification for a complete day whose estimate is more than [`crate::bill::NOTIFY_GAP`] off its
/// bill: the size of the gap and the day, the figures, the likely causes and the fix.
/// `earlier`: other days off, not told before, named in the same notice. `unpriced`: rows of the
/// live estimate that have no price now.
pub fn check_notice(c: &DayCheck, earlier: &[&DayCheck], about: &str, unpriced: usize) -> Notice {
    let day = format!("on {}", format::utc_day(c.start_time));
    let mut body = format!(
        "{about}: estimated {}, billed {} ({} UTC). ",
        format::usd(c.estimate_usd),
        format::usd(c.billed_usd),
        format::utc_date(c.start_time)
    );
    if c.estimate_usd < c.billed_usd {
        body.push_str(
            "Likely causes: models without a price, prices out of date, or billed usage that \
cannot be tied to a key (charged per project).",
        );
        if unpriced > 0 {
            body.push_str(&format!(
                " {} of the live estimate have no price now.",
                format::count(unpriced, "row")
            ));
        }
    } else {
        body.push_str(
            "Likely causes: prices out of date, or free allowances and credits the bill applies.",
        );
    }
    if !earlier.is_empty() {
        let days: Vec<String> = earlier
            .iter()
            .map(|d| format::utc_day(d.start_time))
            .collect();
        body.push_str(&format!(" Also more than 10 % off on {}.", days.join(", ")));
    }
    body.push_str(" Correct or add prices with --pricing FILE (`pricing` in the settings file).");
    Notice {
        summary: check_text(c, &day),
        body,
    }
}

/// "Monthly budget reached: $101.00" with what it is made of.
pub fn monthly_budget_notice(a: &BudgetAlert, s: &MonthSpend, about: &str) -> Notice {
    let mut body = format!(
        "This UTC month for {about}: month so far {} (budget {})",
        crate::ui::headline::month_words(s.billed_usd, s.unbilled_usd, s.complete),
        format::usd(a.budget)
    );
    // As the menu row says: amounts in other currencies are not in the USD figures.
    if !s.other_currencies.is_empty() {
        body.push_str(&format!(
            "; {} billed in other currencies not counted",
            format::moneys(&s.other_currencies)
        ));
    }
    Notice {
        summary: super::notice::budget_summary(a, "Monthly", "monthly"),
        body,
    }
}
