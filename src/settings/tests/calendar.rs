//! `lookback_hours` as a UTC calendar period: `today`, `week`, `month` from every layer, and a
//! bad value named with where it came from and what is accepted.

use super::super::*;
use std::collections::HashMap;
use std::fs;

fn env(dir: &std::path::Path, vars: &[(&str, &str)]) -> Environment {
    let cwd = dir.join("cwd");
    let config = dir.join("config");
    fs::create_dir_all(&cwd).unwrap();
    fs::create_dir_all(&config).unwrap();
    Environment {
        vars: vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect::<HashMap<_, _>>(),
        cwd: Some(cwd),
        exe: Some(dir.join("bin/usage-tracker")),
        config_dir: Some(config),
        data_dir: Some(dir.join("data")),
    }
}

#[test]
fn every_layer_takes_a_calendar_period() {
    let dir = tempfile::tempdir().unwrap();
    let mut o = Options::default();
    o.set(Key::LookbackHours, "today");
    let s = resolve(&o, &env(dir.path(), &[]), Scope::App).unwrap();
    assert_eq!(s.calendar, Some(Calendar::Today));

    let e = env(dir.path(), &[("USAGE_TRACKER_LOOKBACK_HOURS", "Week")]);
    let s = resolve(&Options::default(), &e, Scope::Watch).unwrap();
    assert_eq!(s.calendar, Some(Calendar::ThisWeek));

    fs::write(
        dir.path().join("cwd/.env"),
        "USAGE_TRACKER_LOOKBACK_HOURS=month\n",
    )
    .unwrap();
    let s = resolve(&Options::default(), &env(dir.path(), &[]), Scope::Once).unwrap();
    assert_eq!(s.calendar, Some(Calendar::ThisMonth));
    fs::remove_file(dir.path().join("cwd/.env")).unwrap();

    fs::write(
        dir.path().join("config/settings.toml"),
        "lookback_hours = \"week\"\n",
    )
    .unwrap();
    let s = resolve(&Options::default(), &env(dir.path(), &[]), Scope::App).unwrap();
    assert_eq!(s.calendar, Some(Calendar::ThisWeek));
    // The hours left are the declared default, as if none were set.
    assert_eq!(
        format!("{}", s.lookback_hours),
        defs::def(Key::LookbackHours).default.unwrap()
    );

    // Hours still work, and clear the calendar.
    fs::write(
        dir.path().join("config/settings.toml"),
        "lookback_hours = 24\n",
    )
    .unwrap();
    let s = resolve(&Options::default(), &env(dir.path(), &[]), Scope::App).unwrap();
    assert_eq!((s.calendar, s.lookback_hours), (None, 24.0));
}

#[test]
fn a_calendar_period_in_minute_buckets_is_not_too_many_buckets() {
    // The period picks its own width: `1m` (for the hours) does not make a month 44,640.
    let dir = tempfile::tempdir().unwrap();
    let mut o = Options::default();
    o.set(Key::LookbackHours, "month");
    o.set(Key::BucketWidth, "1m");
    let s = resolve(&o, &env(dir.path(), &[]), Scope::App).unwrap();
    assert_eq!(s.calendar, Some(Calendar::ThisMonth));
}

#[test]
fn a_bad_period_names_the_value_its_origin_and_the_accepted_values() {
    let dir = tempfile::tempdir().unwrap();
    let plain = env(dir.path(), &[]);
    fs::write(
        dir.path().join("config/settings.toml"),
        "lookback_hours = \"fortnight\"\n",
    )
    .unwrap();
    let e = resolve(&Options::default(), &plain, Scope::App).unwrap_err();
    let msg = e.to_string();
    for part in [
        "\"fortnight\"",
        "`lookback_hours` in settings file",
        "number of hours",
        "today, week or month",
    ] {
        assert!(msg.contains(part), "{part:?} not in {msg}");
    }
    let e = env(dir.path(), &[("USAGE_TRACKER_LOOKBACK_HOURS", "this week")]);
    let msg = resolve(&Options::default(), &e, Scope::Once)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("\"this week\"") && msg.contains("USAGE_TRACKER_LOOKBACK_HOURS"),
        "{msg}"
    );
}
