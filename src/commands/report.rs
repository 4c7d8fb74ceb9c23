//! `usage-tracker report`: the HTML report of the stored history, written to `--out` or to
//! `report.html` beside the history and then opened in the default browser. Reads the store
//! only.

use super::CliError;
use super::export::open_store;
use crate::billing::SECS_PER_DAY;
use crate::history::{self, report};
use crate::platform::browser::Browser;
use crate::settings::{HistoryDir, Settings};
use crate::store::KeySet;
use crate::usage::BucketWidth;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

pub const MAX_DAYS: u32 = 400;

/// `--days N`: 1 to 400.
pub fn parse_days(text: &str) -> Result<u32, CliError> {
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|d| (1..=MAX_DAYS).contains(d))
        .ok_or_else(|| {
            CliError::BadInput(format!(
                "invalid --days {text:?}: expected a whole number of days from 1 to {MAX_DAYS}"
            ))
        })
}

pub fn run(
    settings: &Settings,
    dir: &HistoryDir,
    days: &str,
    out: Option<&Path>,
    browser: &dyn Browser,
) -> Result<ExitCode, CliError> {
    let days = parse_days(days)?;
    let store = open_store(dir)?;
    let now = crate::poller::now_ms().div_euclid(1000);
    let keys = KeySet::of(&settings.api_key_ids);
    let (_, load_from) = report::span(now, days);
    let end = crate::billing::utc_day_start(now) + SECS_PER_DAY;
    let failed = |e: crate::store::StoreError| CliError::Other(e.to_string());
    let daily = store
        .load_periods(&keys, BucketWidth::Day, load_from, end)
        .map_err(failed)?;
    let hour_from = BucketWidth::Hour.floor(now) - 47 * 3_600;
    let hourly = store
        .load_periods(&keys, BucketWidth::Hour, hour_from, now + 3_600)
        .map_err(failed)?;
    let line = |d: &crate::store::PeriodData, p| {
        history::lines(
            &d.completions,
            &d.others,
            &d.bill,
            p,
            &settings.prices,
            settings.tier,
        )
    };
    let data = history::report_data(
        &line(&daily, BucketWidth::Day),
        &line(&hourly, BucketWidth::Hour),
        now,
        days,
        keys.as_str(),
        settings.tier.as_str(),
    );
    let html = crate::ui::html::page(&data);
    let (path, open): (PathBuf, bool) = match out {
        Some(p) => (p.to_owned(), false),
        None => (store.path().with_file_name("report.html"), true),
    };
    std::fs::write(&path, html).map_err(|e| {
        CliError::Other(format!(
            "cannot write the report to {}: {e}",
            path.display()
        ))
    })?;
    if !open {
        eprintln!("usage-tracker: report written to {}", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    let abs = std::path::absolute(&path).unwrap_or(path.clone());
    let url = url::Url::from_file_path(&abs)
        .map(String::from)
        .unwrap_or_else(|()| abs.display().to_string());
    browser
        .open(&url)
        .map_err(|e| CliError::Other(format!("the report is at {}, but {e}", path.display())))?;
    eprintln!(
        "usage-tracker: report written to {} and opened",
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Options;
    use crate::platform::browser::FakeBrowser;
    use crate::settings::{self, Environment, Origin, Scope};
    use crate::store::{Store, StoreOptions, seed};

    #[test]
    fn without_out_the_report_is_written_beside_the_history_and_opened() {
        let dir = tempfile::tempdir().unwrap();
        let now = crate::poller::now_ms().div_euclid(1000);
        let file = crate::store::file_in(dir.path());
        let mut store = Store::open(&file, StoreOptions::default(), now).unwrap();
        let keys = vec![crate::simulator::DEMO_KEY_ID.to_owned()];
        let config = crate::simulator::SimConfig::test();
        seed::seed_from_simulator(&mut store, &config, &keys, now, 2).unwrap();
        drop(store);
        let mut opts = Options::default();
        opts.set(settings::Key::ApiKeyIds, crate::simulator::DEMO_KEY_ID);
        let s = settings::resolve(&opts, &Environment::default(), Scope::Report).unwrap();
        let history = HistoryDir::At(dir.path().to_owned(), Origin::Default);
        let browser = FakeBrowser::default();
        run(&s, &history, "2", None, &browser).unwrap();
        let page = dir.path().join("report.html");
        let html = std::fs::read_to_string(&page).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>") && html.contains("last 2 days"));
        let opened = browser.opened.lock().unwrap().clone();
        assert_eq!(
            opened,
            [url::Url::from_file_path(&page).unwrap().to_string()]
        );

        // With --out nothing is opened.
        let browser = FakeBrowser::default();
        let out = dir.path().join("elsewhere.html");
        run(&s, &history, "2", Some(&out), &browser).unwrap();
        assert!(out.is_file());
        assert!(browser.opened.lock().unwrap().is_empty());
    }

    #[test]
    fn days_outside_1_to_400_are_bad_input() {
        assert_eq!(parse_days(" 30 ").unwrap(), 30);
        for bad in ["0", "401", "x", "-1", "1.5"] {
            let e = parse_days(bad).unwrap_err();
            assert!(matches!(e, CliError::BadInput(_)), "{bad}");
        }
    }
}
