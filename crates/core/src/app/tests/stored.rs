//! Figures from the history store at launch: shown at once, marked with their age until the
//! first refresh succeeds, kept through failures before it; and the store's notice, a menu row
//! told once.

use super::*;
use crate::ui::format;
use crate::ui::view::STORED_MARKER;

/// Two hours before the harness's clock: the last run's figures.
const STORED_AT: i64 = T0 - 2 * 3600 * 1000;

/// Figures fetched now, their totals' cost included (the title shows it).
fn live(models: Vec<ModelSummary>) -> Arc<Snapshot> {
    let mut s = (*snap(models, vec![], vec![])).clone();
    s.summary.totals.cost_usd = s.summary.models.iter().filter_map(|m| m.cost_usd).sum();
    Arc::new(s)
}

fn stored(models: Vec<ModelSummary>, alerts: Vec<Alert>) -> Arc<Snapshot> {
    let mut s = (*live(models)).clone();
    s.alerts = alerts;
    s.fetched_at_ms = STORED_AT;
    Arc::new(s)
}

fn restored(s: SessionId, snapshot: Arc<Snapshot>) -> Input {
    Input::Poll(s, Event::Restored(snapshot))
}

fn offline() -> ApiError {
    ApiError::Network {
        url: "http://127.0.0.1:9/v1/organization/usage/completions".into(),
        reason: "connection refused".into(),
    }
}

fn infos(v: &TrayView) -> Vec<&str> {
    v.menu
        .iter()
        .filter_map(|n| match n {
            Node::Info(t) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}

fn as_of_row() -> String {
    format!("As of {} (stored)", format::local_hm(STORED_AT / 1000))
}

#[test]
fn stored_figures_show_at_once_marked_until_the_first_success() {
    let mut h = Harness::started();
    let s = h.session();
    assert_eq!(h.view().title, view::LOADING_TITLE);

    let out = h.feed(restored(s, stored(vec![model("gpt-4o", 48_300)], vec![])));
    let v = rendered(&out);
    assert_eq!(v.title, format!("{STORED_MARKER} 48.3k · $0.05"));
    assert!(infos(v).contains(&as_of_row().as_str()), "{:?}", infos(v));
    assert_eq!(model_rows(v), ["gpt-4o   48.3k tok · $0.05"]);
    let said = format!(
        "figures from {} (stored)",
        format::local_hm(STORED_AT / 1000)
    );
    assert!(v.tooltip.contains(&said), "{}", v.tooltip);
    assert!(!v.tooltip.contains(STORED_MARKER), "{}", v.tooltip);
    // Two hours old, yet not "stale": the stored mark says it, and no wake-up is due for it.
    assert!(!v.title.contains(view::MARKER), "{}", v.title);
    assert_eq!(h.core.next_wake(h.now), None);

    let out = h.feed(Input::Poll(s, Event::Refreshing));
    let refreshing = format!("{} · refreshing…", as_of_row());
    assert!(infos(rendered(&out)).contains(&refreshing.as_str()));

    let live = live(vec![model("gpt-4o", 51_000)]);
    let out = h.feed(updated(s, live));
    let v = rendered(&out);
    assert_eq!(
        v.title, "51.0k · $0.05",
        "the mark goes with the first success"
    );
    assert!(!infos(v).iter().any(|r| r.contains("stored")), "{v:?}");
    assert!(!v.tooltip.contains("stored"), "{}", v.tooltip);
    assert!(infos(v).contains(&format!("Updated {}", format::local_hm(T0 / 1000)).as_str()));
}

#[test]
fn a_failure_before_the_first_success_keeps_the_stored_figures_with_the_error() {
    let mut h = Harness::started();
    let s = h.session();
    h.feed(restored(s, stored(vec![model("gpt-4o", 48_300)], vec![])));
    h.feed(Input::Poll(s, Event::Refreshing));
    let out = h.feed(failed(s, offline()));
    let v = rendered(&out);
    assert_eq!(
        v.title,
        format!("{} {STORED_MARKER} 48.3k · $0.05", view::MARKER),
        "never a blank …"
    );
    let rows = infos(v);
    assert!(rows.contains(&as_of_row().as_str()), "{rows:?}");
    assert!(
        rows.iter()
            .any(|r| r.starts_with("⚠ Last refresh failed: offline")),
        "{rows:?}"
    );
    assert_eq!(model_rows(v), ["gpt-4o   48.3k tok · $0.05"]);
    assert!(
        v.tooltip
            .contains("(stored); the last refresh failed: offline"),
        "{}",
        v.tooltip
    );
    assert!(h.notes().is_empty(), "offline is not a notification");
    // Backing off: still stored, still no wake-up in the past (no spinning between refreshes).
    h.now += 60_000;
    assert!(h.core.next_wake(h.now).is_none_or(|t| t > h.now));
    let out = h.feed(failed(s, offline()));
    assert!(rendered(&out).title.contains(STORED_MARKER));
    let mut now = (*live(vec![model("gpt-4o", 60_000)])).clone();
    now.fetched_at_ms = h.now;
    let out = h.feed(updated(s, Arc::new(now)));
    assert_eq!(rendered(&out).title, "60.0k · $0.06");
}

#[test]
fn a_stored_spike_is_not_shown_nor_told_but_a_live_one_is() {
    let mut h = Harness::started();
    let s = h.session();
    let out = h.feed(restored(s, stored(vec![model("a", 1000)], vec![spike()])));
    assert!(
        !infos(rendered(&out)).iter().any(|r| r.contains("spike")),
        "an old spike is not one now"
    );
    assert!(h.notes().is_empty());
    h.feed(updated(s, snap(vec![], vec![spike()], vec![spike()])));
    assert_eq!(
        h.notes(),
        ["Token spike on the organization: 50,000 tokens/min"]
    );
}

#[test]
fn a_new_window_shows_its_stored_figures_and_a_reprice_keeps_their_age() {
    let mut h = Harness::started();
    let s = h.session();
    h.feed(updated(s, live(vec![model("a", 5000)])));
    // Lookback ▸ 24 h: the poller restores the stored figures of the new window before it
    // fetches what is missing; they show at once, marked, until that refresh answers.
    h.feed(Input::Tray(TrayInput::Menu(Action::Lookback(24))));
    let out = h.feed(restored(s, stored(vec![model("a", 90_000)], vec![])));
    assert_eq!(
        rendered(&out).title,
        format!("{STORED_MARKER} 90.0k · $0.09")
    );
    let out = h.feed(updated(s, live(vec![model("a", 95_000)])));
    assert_eq!(rendered(&out).title, "95.0k · $0.10");

    // Another connection starts from nothing: its store's figures, then a re-pricing of them
    // (a tier chosen before the first refresh answered) stays marked and as old.
    h.feed(Input::AdminKeyStored(Ok(SecretString::from(KEY))));
    let s2 = h.session();
    assert_ne!(s, s2);
    assert_eq!(h.view().title, view::LOADING_TITLE);
    h.feed(restored(s2, stored(vec![model("a", 1000)], vec![])));
    let mut repriced = (*live(vec![model("a", 2000)])).clone();
    repriced.fetched_at_ms = T0;
    let out = h.feed(Input::Poll(s2, Event::Repriced(Arc::new(repriced))));
    let v = rendered(&out);
    assert_eq!(v.title, format!("{STORED_MARKER} 2.0k · $0.0020"));
    assert!(infos(v).contains(&as_of_row().as_str()), "{:?}", infos(v));
    // The old connection's stored figures are dropped.
    h.feed(restored(s, stored(vec![model("a", 9000)], vec![])));
    assert!(h.view().title.ends_with("2.0k · $0.0020"));
}

#[test]
fn the_store_notice_is_one_row_and_no_notification_across_connections() {
    let mut h = Harness::started();
    let s = h.session();
    let why = "the history store /h/history.sqlite is locked by another process: running without history this time";
    let out = h.feed(Input::HistoryNotice(s, why.into()));
    let row = format!("{} {why}", view::MARKER);
    assert_eq!(
        infos(rendered(&out)).iter().filter(|r| **r == row).count(),
        1
    );
    // A new connection opens the store again and says the same: still one row, no notice.
    h.feed(Input::AdminKeyStored(Ok(SecretString::from(KEY))));
    let s2 = h.session();
    h.feed(Input::HistoryNotice(s2, why.into()));
    h.feed(Input::HistoryNotice(s, "a replaced connection's".into()));
    h.feed(updated(s2, live(vec![model("a", 1000)])));
    let v = h.view();
    assert_eq!(
        infos(&v)
            .iter()
            .filter(|r| r.contains("history store"))
            .count(),
        1
    );
    assert!(infos(&v).contains(&row.as_str()));
    assert!(h.notes().is_empty(), "{:?}", h.notes());
    // Without a notice there is no such row.
    let plain = Harness::started();
    assert!(!infos(&plain.view()).iter().any(|r| r.contains("history")));
}
