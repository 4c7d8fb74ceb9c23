//! The core's rules for the bill, driven with hand-made [`BillSnapshot`]s: the check told once
//! per day, the monthly budget once per month, the bill in the title, the bill of a replaced
//! session dropped.

use super::*;
use crate::bill::test_data::{self as data, DEC_1, NOW_MS, TODAY};
use crate::bill::{BillSnapshot, SECS_PER_DAY};

fn billed(s: SessionId, b: BillSnapshot) -> Input {
    Input::Poll(s, Event::Billed(Arc::new(b)))
}

fn checks(h: &Harness) -> Vec<String> {
    h.notes()
        .into_iter()
        .filter(|n| n.starts_with("Estimate"))
        .collect()
}

fn at_bill_time() -> Harness {
    let mut h = Harness::new(|s| s.daily_budget = None, FakeLoginItem::default());
    h.now = NOW_MS;
    h.feed(Input::Started);
    h
}

#[test]
fn a_30_percent_gap_is_told_once_for_its_day_then_again_for_a_new_day() {
    let mut h = at_bill_time();
    let s = h.session();
    h.feed(billed(s, data::with_check(DEC_1, 7.0, 10.0)));
    assert_eq!(checks(&h), ["Estimate 30 % below the bill on 1 Dec"]);
    let sent = h.notifier.sent.lock().unwrap().clone();
    assert!(sent[0].body.contains("--pricing"), "{:?}", sent[0]);
    // The next costs answers for the same day, and a failure keeping it: nothing more.
    h.now += 600_000;
    h.feed(billed(s, data::with_check(DEC_1, 7.0, 10.0)));
    let mut stale = data::with_check(DEC_1, 6.9, 10.0);
    stale.failure = Some(data::offline());
    h.feed(billed(s, stale));
    assert_eq!(checks(&h).len(), 1, "{:?}", checks(&h));
    // A new session (another admin key) sees the same day: still told once.
    h.feed(Input::AdminKeyStored(Ok(SecretString::from(
        "sk-admin-other",
    ))));
    let s = h.session();
    h.feed(billed(s, data::with_check(DEC_1, 7.0, 10.0)));
    assert_eq!(checks(&h).len(), 1, "{:?}", checks(&h));
    // The next day is complete and off too: told, once.
    h.now = (TODAY + SECS_PER_DAY + 3600) * 1000;
    h.feed(billed(s, data::with_check(TODAY, 13.0, 10.0)));
    h.feed(billed(s, data::with_check(TODAY, 13.0, 10.0)));
    assert_eq!(
        checks(&h),
        [
            "Estimate 30 % below the bill on 1 Dec",
            "Estimate 30 % above the bill on 2 Dec"
        ]
    );
}

#[test]
fn a_day_within_10_percent_is_never_told() {
    let mut h = at_bill_time();
    let s = h.session();
    for (estimate, billed_usd) in [
        (9.5, 10.0),
        (10.0, 10.0),
        (10.99, 10.0),
        (9.01, 10.0),
        (11.0, 10.0),
        (9.0, 10.0),
    ] {
        h.feed(billed(s, data::with_check(DEC_1, estimate, billed_usd)));
    }
    // Cents apart, whatever the ratio: nothing to tell.
    h.feed(billed(s, data::with_check(DEC_1, 0.001, 0.002)));
    h.feed(billed(s, data::with_check(DEC_1, 0.04, 0.0)));
    assert!(checks(&h).is_empty(), "{:?}", checks(&h));
    let v = rendered(&h.feed(billed(s, data::with_check(DEC_1, 9.5, 10.0)))).clone();
    assert!(
        v.menu
            .iter()
            .any(|n| *n == Node::Info("Estimate within 5 % of the bill yesterday".into())),
        "{:#?}",
        v.menu
    );
}

#[test]
fn the_monthly_budget_is_told_once_per_crossing_per_month() {
    let mut h = Harness::new(
        |s| {
            s.daily_budget = None;
            s.monthly_budget = Some(5.0);
        },
        FakeLoginItem::default(),
    );
    h.now = NOW_MS;
    h.feed(Input::Started);
    let session = h.session();
    let budget = |h: &Harness| -> Vec<String> {
        h.notes()
            .into_iter()
            .filter(|n| n.contains("onthly budget"))
            .collect()
    };
    // The bill alone is $4.09 this month.
    h.feed(billed(session, data::sample()));
    // Today's UTC estimate comes with the glance.
    let estimate = |usd: f64| Input::History {
        session,
        view: Arc::new(crate::figures::glance::Glance::only_today(
            NOW_MS / 1000,
            usd,
        )),
    };
    // Today's estimate $0.80, $0.40 of it billed: $4.49.
    h.feed(estimate(0.8));
    assert!(budget(&h).is_empty());
    // $1.50 today, $1.10 of it not billed: $5.19, crossed.
    let out = h.feed(estimate(1.5));
    assert_eq!(budget(&h), ["Monthly budget reached: $5.19"]);
    let menu = &rendered(&out).menu;
    assert!(
        menu.iter().any(|n| *n
            == Node::Info(
                "Month so far: $5.19 of $5.00 budget (billed $4.09 + not yet billed $1.10)".into()
            )),
        "{menu:#?}"
    );
    h.feed(estimate(2.0));
    h.feed(billed(session, data::sample()));
    assert_eq!(budget(&h).len(), 1, "once per month");
    // January: a new month, crossed again by its own bill.
    h.now = (DEC_1 + 31 * SECS_PER_DAY + 7200) * 1000;
    let jan = h.now / 1000;
    let mut b = data::sample();
    b.bill.as_mut().unwrap().days.push(crate::bill::BilledDay {
        start_time: crate::bill::utc_day_start(jan),
        items: vec![data::usd(
            "gpt-4o, input",
            "gpt-4o",
            crate::bill::LineKind::Input,
            6.0,
        )],
    });
    h.feed(billed(session, b.clone()));
    h.feed(billed(session, b));
    // The last estimate was December's: the bill alone counts, $6.00.
    assert_eq!(
        budget(&h),
        [
            "Monthly budget reached: $5.19",
            "Monthly budget reached: $6.00"
        ]
    );
}

#[test]
fn month_to_date_in_the_title_is_saved_and_follows_the_bill() {
    let mut h = at_bill_time();
    let s = h.session();
    let out = h.feed(Input::Tray(TrayInput::Menu(Action::Title(
        TitleFormat::MonthToDate,
    ))));
    assert_eq!(rendered(&out).title, "MTD …");
    let saved = h.saved();
    assert!(saved.contains("title = \"month_to_date\""), "{saved}");
    let out = h.feed(billed(s, data::sample()));
    assert_eq!(rendered(&out).title, "MTD $4.09");
    let mut later = data::sample();
    later.bill.as_mut().unwrap().days[2].items[0].amount.value = 1.40;
    let out = h.feed(billed(s, later));
    assert_eq!(rendered(&out).title, "MTD $5.09");
}

#[test]
fn a_replaced_sessions_bill_is_dropped_and_a_new_session_starts_unfetched() {
    let mut h = at_bill_time();
    let old = h.session();
    h.feed(billed(old, data::sample()));
    assert!(h.core.state().bill.is_some());
    h.feed(Input::AdminKeyStored(Ok(SecretString::from(
        "sk-admin-other",
    ))));
    assert!(
        h.core.state().bill.is_none(),
        "another key's bill is not shown"
    );
    h.feed(billed(old, data::with_check(DEC_1, 1.0, 10.0)));
    assert!(h.core.state().bill.is_none());
    assert!(checks(&h).is_empty());
}

#[test]
fn the_billed_rows_follow_each_costs_answer_in_place() {
    let mut h = at_bill_time();
    let s = h.session();
    let first = rendered(&h.feed(billed(s, data::sample()))).menu.clone();
    let mut later = data::sample();
    later.bill.as_mut().unwrap().days[1].items[1].amount.value = 1.31;
    let second = rendered(&h.feed(billed(s, later))).menu.clone();
    assert!(view::same_shape(&first, &second), "relabelled, not rebuilt");
    let labels = |m: &[Node]| -> Vec<String> {
        view::flatten(m)
            .into_iter()
            .filter_map(|n| match n {
                Node::Submenu { text, .. } => Some(text.clone()),
                _ => None,
            })
            .filter(|t| t.starts_with("Yesterday") || t.starts_with("Month to date"))
            .collect()
    };
    assert_eq!(labels(&first), ["Month to date  $4.09", "Yesterday  $3.69"]);
    assert_eq!(
        labels(&second),
        ["Month to date  $4.20", "Yesterday  $3.80"]
    );
}

#[test]
fn another_choice_of_keys_drops_the_bill_and_its_gap_is_told_again() {
    let mut h = at_bill_time();
    let s = h.session();
    h.feed(billed(s, data::with_check(DEC_1, 7.0, 10.0)));
    assert_eq!(checks(&h).len(), 1);
    let out = h.feed(Input::Tray(TrayInput::Menu(Action::Track(Some(
        "key_b".into(),
    )))));
    assert!(h.core.state().bill.is_none(), "the old keys' bill is gone");
    assert!(h.core.state().glance.is_none(), "nor today's estimate");
    assert!(
        rendered(&out)
            .menu
            .iter()
            .any(|n| matches!(n, Node::Submenu { text, .. } if text == "Bill not fetched yet")),
        "{:#?}",
        rendered(&out).menu
    );
    // The new key's estimate is off on the same day: news, told once.
    h.feed(billed(s, data::with_check(DEC_1, 13.0, 10.0)));
    h.feed(billed(s, data::with_check(DEC_1, 13.0, 10.0)));
    assert_eq!(
        checks(&h),
        [
            "Estimate 30 % below the bill on 1 Dec",
            "Estimate 30 % above the bill on 1 Dec"
        ]
    );
}

#[test]
fn the_settled_days_off_are_told_in_one_notice_naming_the_newest_and_the_others() {
    let mut h = at_bill_time();
    let s = h.session();
    let mut b = data::sample();
    b.reconciliation = Some(crate::bill::Reconciliation {
        days: vec![
            data::check(DEC_1 - 2 * SECS_PER_DAY, 5.0, 10.0),
            data::check(DEC_1 - SECS_PER_DAY, 10.2, 10.0),
            data::check(DEC_1, 13.0, 10.0),
        ],
    });
    h.feed(billed(s, b.clone()));
    assert_eq!(checks(&h), ["Estimate 30 % above the bill on 1 Dec"]);
    let sent = h.notifier.sent.lock().unwrap().clone();
    assert!(
        sent[0].body.contains("Also more than 10 % off on 29 Nov."),
        "30 Nov is within 10 %: {:?}",
        sent[0]
    );
    h.feed(billed(s, b.clone()));
    h.feed(billed(s, b.clone()));
    assert_eq!(checks(&h).len(), 1, "each day off is told once");
    // A day that settles later is told on its own.
    let mut next = b;
    let rec = next.reconciliation.as_mut().unwrap();
    rec.days.push(data::check(DEC_1 + SECS_PER_DAY, 20.0, 10.0));
    h.feed(billed(s, next));
    assert_eq!(
        checks(&h),
        [
            "Estimate 30 % above the bill on 1 Dec",
            "Estimate 100 % above the bill on 2 Dec"
        ]
    );
}

#[test]
fn an_estimate_with_nothing_billed_is_told() {
    let mut h = at_bill_time();
    let s = h.session();
    h.feed(billed(s, data::with_check(DEC_1, 3.0, 0.0)));
    assert_eq!(checks(&h), ["Estimate $3.00, nothing billed on 1 Dec"]);
    let sent = h.notifier.sent.lock().unwrap().clone();
    assert!(
        sent[0].body.contains("estimated $3.00, billed $0.00"),
        "{:?}",
        sent[0]
    );
}

#[test]
fn what_was_told_is_saved_and_a_new_core_from_it_does_not_tell_again() {
    let mut h = Harness::new(
        |s| {
            s.daily_budget = None;
            s.monthly_budget = Some(5.0);
        },
        FakeLoginItem::default(),
    );
    h.now = NOW_MS;
    h.feed(Input::Started);
    let path = h.core.told_path().unwrap().to_owned();
    let s = h.session();
    let mut b = data::with_check(DEC_1, 7.0, 10.0);
    b.bill.as_mut().unwrap().days[2].items[0].amount.value = 6.0;
    h.feed(billed(s, b.clone()));
    assert_eq!(h.notes().len(), 2, "{:?}", h.notes());
    // The effect kept it beside the settings; the next launch loads it.
    let told = h.files.told.lock().unwrap()[&path].clone();
    assert_eq!(path, config_dir().join("told.json"));
    assert_eq!(told.days.len(), 1);
    assert!(told.month.is_some());
    let mut next = Harness::new(
        |s| {
            s.daily_budget = None;
            s.monthly_budget = Some(5.0);
        },
        FakeLoginItem::default(),
    );
    next.core.restore_told(told);
    next.now = NOW_MS;
    next.feed(Input::Started);
    let s = next.session();
    next.feed(billed(s, b));
    assert!(next.notes().is_empty(), "{:?}", next.notes());
}

#[test]
fn the_demo_keeps_nothing_told_on_disk() {
    let h = Harness::new(|s| s.demo = true, FakeLoginItem::default());
    assert!(h.core.told_path().is_none());
}
