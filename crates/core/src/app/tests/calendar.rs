//! The calendar Lookback rows: sent to the poller, saved by name like the hour choices (not in
//! `--demo`), read back at the next start, and left again for an hour row.

use super::*;
use crate::history::periods::Calendar;

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
    let path = h.core.settings.settings_path.clone().unwrap();
    let saved = std::fs::read_to_string(&path).unwrap();
    assert!(saved.contains("lookback_hours = \"today\""), "{saved}");
    // The next start reads it back: the settings resolve it, the core checks its row.
    let env = crate::settings::Environment {
        vars: Default::default(),
        cwd: None,
        exe: None,
        config_dir: None,
        data_dir: None,
    };
    let mut opts = crate::cli::Options::default();
    opts.set(
        crate::settings::Key::Settings,
        path.to_string_lossy().into_owned(),
    );
    let again = crate::settings::resolve(&opts, &env, crate::settings::Scope::App).unwrap();
    assert_eq!(again.calendar, Some(Calendar::Today));
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
    let saved = std::fs::read_to_string(&path).unwrap();
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
    assert!(!h.core.settings.settings_path.clone().unwrap().exists());
}
