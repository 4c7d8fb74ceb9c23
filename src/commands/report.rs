//! `usage-tracker report`: the HTML report of the stored history, written to `--out` or to
//! `report.html` beside the history and then opened in the default browser. Reads the store
//! only.

use super::CliError;
use super::export::open_store;
use crate::bill::SECS_PER_DAY;
use crate::figures::{self, report};
use crate::platform::browser::Browser;
use crate::pricing::{PriceMode, PriceTable, TierChoice};
use crate::settings::{HistoryDir, Settings};
use crate::store::{KeySet, Store, StoreError};
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

/// The report page of the `days` days ending today (UTC) as `store` holds them for `keys`,
/// priced at `tier`; `None` when the store has nothing of those keys in that time (no usage,
/// no bill): a page of zeros would say nothing.
pub fn render(
    store: &Store,
    keys: &[String],
    prices: &PriceTable,
    mode: PriceMode,
    tier: TierChoice,
    days: u32,
    now: i64,
) -> Result<Option<String>, StoreError> {
    let set = KeySet::of(keys);
    let prices = &super::export::stored_prices(store, &set, prices, mode)?.table;
    let (_, load_from) = report::span(now, days);
    let end = crate::bill::utc_day_start(now) + SECS_PER_DAY;
    let daily = store.load_periods(&set, BucketWidth::Day, load_from, end)?;
    let hour_from = BucketWidth::Hour.floor(now) - 47 * 3_600;
    let hourly = store.load_periods(&set, BucketWidth::Hour, hour_from, now + 3_600)?;
    let line = |d: &crate::store::PeriodData, p| {
        figures::lines(&d.completions, &d.others, &d.bill, p, prices, tier)
    };
    let (daily, hourly) = (
        line(&daily, BucketWidth::Day),
        line(&hourly, BucketWidth::Hour),
    );
    let empty = daily.is_empty() && hourly.is_empty();
    let data = figures::report_data(&daily, &hourly, now, days, set.as_str(), tier.as_str());
    Ok((!empty).then(|| crate::ui::html::page(&data)))
}

pub(crate) fn write(path: &Path, html: &str) -> Result<(), String> {
    std::fs::write(path, html)
        .map_err(|e| format!("cannot write the report to {}: {e}", path.display()))
}

/// Opens the written report in the browser (as a `file://` URL).
pub(crate) fn open(path: &Path, browser: &dyn Browser) -> Result<(), String> {
    let abs = std::path::absolute(path).unwrap_or(path.to_owned());
    let url = url::Url::from_file_path(&abs)
        .map(String::from)
        .unwrap_or_else(|()| abs.display().to_string());
    browser
        .open(&url)
        .map_err(|e| format!("the report is at {}, but {e}", path.display()))
}

pub fn run(
    settings: &Settings,
    dir: &HistoryDir,
    days: &str,
    out: Option<&Path>,
    browser: &dyn Browser,
) -> Result<ExitCode, CliError> {
    let days = parse_days(days)?;
    let store = open_store(settings, dir)?;
    let now = crate::engine::now_ms().div_euclid(1000);
    let keys = &settings.tracked_ids();
    let html = render(
        &store,
        keys,
        &settings.prices,
        settings.price_mode,
        settings.tier,
        days,
        now,
    )
    .map_err(|e| CliError::Other(e.to_string()))?;
    let html = html.unwrap_or_else(|| {
        eprintln!(
            "usage-tracker: warning: {} holds nothing for {} in the last {days} days: the report shows zeros",
            store.path().display(),
            KeySet::of(keys)
        );
        let set = KeySet::of(keys);
        let data = figures::report_data(&[], &[], now, days, set.as_str(), settings.tier.as_str());
        crate::ui::html::page(&data)
    });
    let (path, open_it): (PathBuf, bool) = match out {
        Some(p) => (p.to_owned(), false),
        None => {
            let name = if settings.demo {
                DEMO_FILE_NAME
            } else {
                FILE_NAME
            };
            (store.path().with_file_name(name), true)
        }
    };
    write(&path, &html).map_err(|e| {
        CliError::Other(if open_it {
            format!("{e} (--out FILE writes it elsewhere)")
        } else {
            e
        })
    })?;
    if !open_it {
        eprintln!("usage-tracker: report written to {}", path.display());
        return Ok(ExitCode::SUCCESS);
    }
    open(&path, browser).map_err(CliError::Other)?;
    eprintln!(
        "usage-tracker: report written to {} and opened",
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The report's file name beside the history; `--demo`'s beside its own history.
pub use usage_tracker_core::app::report::{DEMO_FILE_NAME, FILE_NAME};

#[cfg(feature = "app")]
pub mod menu;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Options;
    use crate::platform::browser::FakeBrowser;
    use crate::settings::{self, Environment, Origin, Scope};
    use crate::store::{StoreOptions, seed};

    #[test]
    fn without_out_the_report_is_written_beside_the_history_and_opened() {
        let dir = tempfile::tempdir().unwrap();
        let now = crate::engine::now_ms().div_euclid(1000);
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

        // A page that cannot be written beside the history says where and the way out.
        std::fs::remove_file(&page).unwrap();
        std::fs::create_dir(&page).unwrap();
        let e = run(&s, &history, "2", None, &FakeBrowser::default()).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains(&page.display().to_string()) && msg.contains("--out FILE"),
            "{msg}"
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
