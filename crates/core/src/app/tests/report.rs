//! "Open report…": off when history is off (the row says why), a notification naming the
//! reason and the fix when there is nothing to show, else the page written beside the history
//! and opened in the (stand-in) browser.

use super::*;
use crate::settings::HistoryDir;
use crate::store::{Store, StoreOptions, seed};

fn report_row(h: &Harness) -> (String, bool) {
    h.view()
        .menu
        .iter()
        .find_map(|n| match n {
            Node::Item {
                action: Action::OpenReport,
                text,
                enabled,
            } => Some((text.clone(), *enabled)),
            _ => None,
        })
        .expect("an Open report row")
}

fn data_dir(s: &Settings) -> std::path::PathBuf {
    s.settings_path
        .as_ref()
        .unwrap()
        .parent()
        .unwrap()
        .join("data")
}

#[test]
fn history_off_disables_the_row_and_a_click_says_how_to_turn_it_on() {
    let mut h = Harness::new(
        |s| s.history = HistoryDir::Off(Origin::Env("USAGE_TRACKER_DATA_DIR")),
        FakeLoginItem::default(),
    );
    h.feed(Input::Started);
    assert_eq!(
        report_row(&h),
        ("Open report… (history is off)".to_owned(), false)
    );
    h.feed(Input::Tray(TrayInput::Menu(Action::OpenReport)));
    let sent = h.notifier.sent.lock().unwrap().clone();
    let n = sent.last().expect("a notification");
    assert_eq!(n.summary, "Cannot open the report");
    assert!(
        n.body.contains("USAGE_TRACKER_DATA_DIR") && n.body.contains("--data-dir"),
        "{}",
        n.body
    );
    assert!(h.browser.opened.lock().unwrap().is_empty());
}

#[test]
fn the_report_is_written_beside_the_history_and_opened_once_there_is_some() {
    let keys = vec![crate::simulator::DEMO_KEY_ID.to_owned()];
    let k = keys.clone();
    let mut h = Harness::new(
        move |s| {
            s.history = HistoryDir::At(data_dir(s), Origin::Default);
            s.api_key_ids = k;
        },
        FakeLoginItem::default(),
    );
    h.feed(Input::Started);
    assert_eq!(report_row(&h), ("Open report…".to_owned(), true));
    let dir = h._dir.path().join("data");
    let (file, page) = (crate::store::file_in(&dir), dir.join("report.html"));

    // Nothing recorded yet: said, with when to try again; no page, no browser.
    h.feed(Input::Tray(TrayInput::Menu(Action::OpenReport)));
    let body = h.notifier.sent.lock().unwrap().last().unwrap().body.clone();
    assert!(
        body.contains("no history yet") && body.contains(&file.display().to_string()),
        "{body}"
    );
    assert!(!page.exists() && h.browser.opened.lock().unwrap().is_empty());

    let now = crate::poller::now_ms().div_euclid(1000);
    let mut store = Store::open(&file, StoreOptions::default(), now).unwrap();
    seed::seed_from_simulator(
        &mut store,
        &crate::simulator::SimConfig::test(),
        &keys,
        now,
        3,
    )
    .unwrap();
    drop(store);
    let notes = h.notes().len();
    h.feed(Input::Tray(TrayInput::Menu(Action::OpenReport)));
    assert_eq!(h.notes().len(), notes, "{:?}", h.notes());
    assert_eq!(
        *h.browser.opened.lock().unwrap(),
        [url::Url::from_file_path(&page).unwrap().to_string()]
    );
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains(crate::simulator::DEMO_KEY_ID) && html.contains("last 30 days"));

    // Another key chosen in the menu: its report, which has nothing yet.
    h.feed(Input::Tray(TrayInput::Menu(Action::Track(Some(
        "key_other".into(),
    )))));
    h.feed(Input::Tray(TrayInput::Menu(Action::OpenReport)));
    let body = h.notifier.sent.lock().unwrap().last().unwrap().body.clone();
    assert!(body.contains("holds nothing for key_other"), "{body}");
    assert_eq!(h.browser.opened.lock().unwrap().len(), 1);
}

#[test]
fn the_demo_reads_and_writes_its_own_files() {
    let dir = std::path::Path::new("/tmp/ut");
    let at = HistoryDir::At(dir.to_owned(), Origin::Default);
    assert_eq!(
        super::super::report::place(&at, true).unwrap(),
        (
            dir.join("history-demo.sqlite"),
            dir.join("report-demo.html")
        )
    );
    assert_eq!(
        super::super::report::place(&at, false).unwrap(),
        (dir.join("history.sqlite"), dir.join("report.html"))
    );
    let (why, body) = super::super::report::place(&HistoryDir::NoDataDir, false).unwrap_err();
    assert_eq!(why, "no data folder");
    assert!(body.contains("--data-dir"), "{body}");
}
