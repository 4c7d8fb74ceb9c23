//! The glance rows in the menu over time: two glances, an hour apart, relabel the pace and
//! sparkline rows in place; a replaced session's glance is dropped; other keys clear them.

use super::*;
use crate::figures::glance::{DAYS, Glance, HOURS};
use crate::ui::view::glance::{DAYS_LABEL, HOURS_LABEL, PACE_LOADING};

/// 2026-12-02T06:00:00Z
const AT: i64 = 1_796_169_600 + 6 * 3_600;

fn glance(now: i64, last_hour: f64, today: f64) -> Arc<Glance> {
    let mut hourly = vec![Some(0.5); HOURS];
    hourly[HOURS - 1] = Some(last_hour);
    let mut daily = vec![Some(8.0); DAYS];
    daily[DAYS - 1] = Some(today);
    let midnight = crate::bill::utc_day_start(now);
    let pace = today * 86_400.0 / (now - midnight) as f64;
    Arc::new(Glance {
        now,
        hours_from: crate::usage::BucketWidth::Hour.floor(now) - 23 * 3_600,
        hourly,
        days_from: midnight - 29 * 86_400,
        daily,
        today_usd: Some(today),
        pace_today: Some(pace),
        pace_month: Some(300.0),
        month: Default::default(),
    })
}

fn glance_rows(v: &TrayView) -> Vec<String> {
    v.menu
        .iter()
        .filter_map(|n| match n {
            Node::Info(t)
                if t.starts_with("On pace")
                    || t.starts_with("Pace")
                    || t.starts_with(HOURS_LABEL)
                    || t.starts_with(DAYS_LABEL) =>
            {
                Some(t.clone())
            }
            _ => None,
        })
        .collect()
}

#[test]
fn two_glances_an_hour_apart_change_the_rows_in_place() {
    let mut h = Harness::started();
    let s = h.session();
    // The pace is the header's, which comes with the first figures.
    h.feed(updated(
        s,
        snap(vec![model("gpt-4o", 1_000)], vec![], vec![]),
    ));
    let before = h.view();
    let loading = glance_rows(&before);
    assert_eq!(loading.len(), 3, "{loading:?}");
    assert_eq!(loading[0], PACE_LOADING);

    h.now = AT * 1000;
    let first = rendered(&h.feed(Input::History {
        session: s,
        view: glance(AT, 0.0, 5.5),
    }))
    .clone();
    let rows = glance_rows(&first);
    assert_eq!(rows[0], "On pace for $22.00 today · $300.00 this month");
    assert!(rows[1].contains("peak $0.50"), "{rows:?}");
    assert!(rows[2].contains("peak $8.00"), "{rows:?}");
    assert!(
        view::same_shape(&before.menu, &first.menu),
        "relabelled in place"
    );

    // An hour later: $9 spent in the new hour; the peak moves to it, today and its pace grow.
    h.now = (AT + 3_600) * 1000;
    let second = rendered(&h.feed(Input::History {
        session: s,
        view: glance(AT + 3_600, 9.0, 14.5),
    }))
    .clone();
    let later = glance_rows(&second);
    assert_ne!(later, rows);
    // $14.50 by 07:00: 14.5 × 24 / 7.
    assert_eq!(later[0], "On pace for $49.71 today · $300.00 this month");
    let at = crate::ui::format::local_hm(AT + 3_600);
    assert!(
        later[1].ends_with(&format!("peak $9.00 at {at}")),
        "{later:?}"
    );
    assert!(later[1].contains('█'));
    assert!(later[2].ends_with("peak $14.50 on 2 Dec"), "{later:?}");
    assert!(view::same_shape(&first.menu, &second.menu));
}

#[test]
fn a_replaced_sessions_glance_is_dropped_and_other_keys_clear_it() {
    let mut h = Harness::started();
    let old = h.session();
    h.feed(updated(
        old,
        snap(vec![model("gpt-4o", 1_000)], vec![], vec![]),
    ));
    h.now = AT * 1000;
    h.feed(Input::History {
        session: old,
        view: glance(AT, 0.0, 5.5),
    });
    assert!(h.core.state().glance.is_some());
    h.feed(Input::Tray(TrayInput::Menu(Action::Track(Some(
        "key_b".into(),
    )))));
    assert!(h.core.state().glance.is_none(), "the old keys' past");
    assert_eq!(glance_rows(&h.view())[0], PACE_LOADING);
    // Reconnecting (a new admin key) starts a new session: the old one's glance is late.
    h.feed(Input::AdminKeyStored(Ok(SecretString::from(
        "sk-admin-other-0123456789",
    ))));
    assert_ne!(h.session(), old);
    h.feed(Input::History {
        session: old,
        view: glance(AT, 0.0, 5.5),
    });
    assert!(h.core.state().glance.is_none());
}
