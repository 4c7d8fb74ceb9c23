//! "Open report…": off when history is off (the row says why), a notification naming the
//! reason and the fix when there is nothing to show, else the page for the current choices
//! beside the history, opened in the (stand-in) browser. (The page written from a real store
//! is the binary's test.)

use super::*;
use crate::settings::HistoryDir;

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
fn the_report_of_the_current_choices_is_asked_for_and_opened_or_says_why_not() {
    let keys = vec!["key_demo".to_owned()];
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
    let dir = config_dir().join("data");
    let (file, page) = (dir.join("history.sqlite"), dir.join("report.html"));

    // The shell's answer (nothing recorded yet, say) is told; no browser.
    *h.files.report.lock().unwrap() = Some("no history yet: try later".into());
    h.feed(Input::Tray(TrayInput::Menu(Action::OpenReport)));
    let n = h.notifier.sent.lock().unwrap().last().unwrap().clone();
    assert_eq!(n.summary, "Cannot open the report");
    assert_eq!(n.body, "no history yet: try later");
    assert!(h.browser.opened.lock().unwrap().is_empty());
    let job = h.files.reports.lock().unwrap()[0].clone();
    assert_eq!((job.history, job.out), (file.clone(), page.clone()));
    assert_eq!((job.keys, job.tier), (keys, TierChoice::Auto));

    *h.files.report.lock().unwrap() = None;
    let notes = h.notes().len();
    h.feed(Input::Tray(TrayInput::Menu(Action::OpenReport)));
    assert_eq!(h.notes().len(), notes, "{:?}", h.notes());
    assert_eq!(
        *h.browser.opened.lock().unwrap(),
        [page.display().to_string()]
    );

    // Another key chosen in the menu: its report.
    h.feed(Input::Tray(TrayInput::Menu(Action::Track(Some(
        "key_other".into(),
    )))));
    h.feed(Input::Tray(TrayInput::Menu(Action::OpenReport)));
    let jobs = h.files.reports.lock().unwrap().clone();
    assert_eq!(jobs.len(), 3);
    assert_eq!(jobs[2].keys, ["key_other"]);
    assert_eq!(jobs[2].history, file);
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
