//! The view of stored figures: the title's marks, the header's age, the spoken description,
//! and the store's notice row.

use super::super::*;
use super::{NOW_MS, state, two_models};

const HOUR_MS: i64 = 3_600_000;

fn with_stored(at_ms: i64) -> TrayState {
    let mut s = state();
    s.snapshot = Some(two_models());
    s.stored.as_of_ms = Some(at_ms);
    s
}

fn infos(v: &TrayView) -> Vec<String> {
    v.menu
        .iter()
        .filter_map(|n| match n {
            Node::Info(t) => Some(t.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn stored_figures_are_marked_in_the_title_header_and_description() {
    let s = with_stored(NOW_MS - 3 * HOUR_MS);
    let v = tray_view(&s, NOW_MS);
    assert_eq!(v.title, "◷ 1.2M · $3.45");
    let hm = format::local_hm((NOW_MS - 3 * HOUR_MS) / 1000);
    assert!(infos(&v).contains(&format!("As of {hm} (stored)")), "{v:?}");
    assert!(!infos(&v).iter().any(|r| r.starts_with("Updated")));
    assert_eq!(
        v.tooltip,
        format!("UsageTracker: 1.2M tokens, $3.45 in the last 6 hours; figures from {hm} (stored)")
    );
    // Three hours is far past three intervals, yet the figures are not called stale: they are
    // stored, and say so.
    assert!(!s.is_stale(NOW_MS));
    // The same figures live: no mark, "Updated".
    let mut live = s.clone();
    live.stored.as_of_ms = None;
    let v = tray_view(&live, NOW_MS);
    assert_eq!(v.title, "1.2M · $3.45");
    assert!(infos(&v).iter().any(|r| r.starts_with("Updated ")));
    // Stored and live menus have the same shape: the row's text changes in place.
    assert!(same_shape(&tray_view(&s, NOW_MS).menu, &v.menu));
}

#[test]
fn a_failure_adds_the_warning_to_the_stored_mark() {
    let mut s = with_stored(NOW_MS - HOUR_MS);
    s.failure = Some(FailureView {
        kind: ErrorKind::Offline,
        retry_at: None,
    });
    let v = tray_view(&s, NOW_MS);
    assert_eq!(v.title, "⚠ ◷ 1.2M · $3.45");
    assert!(
        v.tooltip
            .ends_with("(stored); the last refresh failed: offline"),
        "{}",
        v.tooltip
    );
    assert!(infos(&v).contains(&"⚠ Last refresh failed: offline".to_owned()));
    for t in [TitleFormat::Cost, TitleFormat::Tokens] {
        s.choices.title = t;
        assert!(title(&s, NOW_MS).starts_with("⚠ ◷ "), "{t:?}");
    }
}

#[test]
fn figures_from_another_day_name_the_date() {
    let at = NOW_MS - 30 * HOUR_MS;
    let v = tray_view(&with_stored(at), NOW_MS);
    let when = format::local(at / 1000);
    assert!(
        infos(&v).contains(&format!("As of {when} (stored)")),
        "{v:?}"
    );
    assert!(v.tooltip.contains(&format!("figures from {when} (stored)")));
}

#[test]
fn a_stored_age_without_figures_shows_nothing_stored() {
    let mut s = state();
    s.stored.as_of_ms = Some(NOW_MS);
    let v = tray_view(&s, NOW_MS);
    assert_eq!(v.title, LOADING_TITLE);
    assert!(!v.tooltip.contains("stored"));
}

#[test]
fn the_store_notice_is_a_header_row() {
    let mut s = with_stored(NOW_MS);
    s.stored.notice = Some("history.sqlite was damaged: moved aside, a new one started".into());
    let v = tray_view(&s, NOW_MS);
    let rows = infos(&v);
    assert_eq!(
        rows.iter().filter(|r| r.contains("history.sqlite")).count(),
        1,
        "{rows:?}"
    );
    assert!(
        rows.contains(&"⚠ history.sqlite was damaged: moved aside, a new one started".to_owned())
    );
    s.stored.notice = None;
    assert!(
        !infos(&tray_view(&s, NOW_MS))
            .iter()
            .any(|r| r.contains("history"))
    );
}
