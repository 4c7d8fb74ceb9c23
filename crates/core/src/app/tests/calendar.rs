//! The calendar Lookback rows: sent to the poller, saved by name like the hour choices (not in
//! `--demo`), checked at the next start, and left again for an hour row. (That the settings
//! read the saved name back is the binary's test, `commands/app/tests.rs`.)

use super::*;
use crate::plan::periods::Calendar;

fn choose(h: &mut Harness, a: Action) -> Vec<Effect> {
    h.feed(Input::Tray(TrayInput::Menu(a)))
}

#[test]
fn a_calendar_choice_is_sent_saved_and_read_back_then_left_for_hours() {
    let mut h = Harness::started();
    let s = h.session();
    let out = choose(&mut h, Action::Calendar(Calendar::Today));
    assert!(
        out.iter().any(|e| matches!(e,
            Effect::Poll(id, Command::SetCalendar(Some(Calendar::Today))) if *id == s)),
        "{out:?}"
    );
    assert_eq!(h.core.state().choices.calendar, Some(Calendar::Today));
    let saved = h.saved();
    assert!(saved.contains("lookback_hours = \"today\""), "{saved}");
    // The next start: the settings hold it, the core checks its row.
    let mut again = settings(&config_dir());
    again.calendar = Some(Calendar::Today);
    let core = AppCore::new(again);
    assert_eq!(core.state().choices.calendar, Some(Calendar::Today));

    // An hour row leaves the calendar: one Lookback row checked, hours sent and saved.
    let out = choose(&mut h, Action::Lookback(6));
    assert!(
        out.iter()
            .any(|e| matches!(e, Effect::Poll(_, Command::SetLookbackSecs(21_600)))),
        "{out:?}"
    );
    assert_eq!(h.core.state().choices.calendar, None);
    assert_eq!(h.core.settings.calendar, None);
    let saved = h.saved();
    assert!(saved.contains("lookback_hours = 6"), "{saved}");
}

#[test]
fn the_demo_does_not_save_a_calendar_choice() {
    let mut h = Harness::new(
        |s| {
            s.demo = true;
            s.admin_key = None;
        },
        FakeLoginItem::default(),
    );
    h.feed(Input::Started);
    let out = choose(&mut h, Action::Calendar(Calendar::ThisMonth));
    assert!(!format!("{out:?}").contains("saved"), "{out:?}");
    assert!(
        out.iter()
            .any(|e| matches!(e, Effect::Poll(_, Command::SetCalendar(Some(_))))),
        "still applied: {out:?}"
    );
    assert!(h.files.settings.lock().unwrap().is_empty());
}
