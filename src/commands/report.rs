//! `usage-tracker report`: the HTML report of the stored history, written to `--out` or to
//! `report.html` beside the history and then opened in the default browser. Reads the store
//! only.

use super::CliError;
use super::export::open_store;
use crate::billing::SECS_PER_DAY;
use crate::history::{self, report};
use crate::platform::browser::Browser;
use crate::pricing::{PriceTable, TierChoice};
use crate::settings::{HistoryDir, Settings};
use crate::store::{KeySet, Store, StoreError, StoreOptions};
use crate::usage::BucketWidth;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

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
    tier: TierChoice,
    days: u32,
    now: i64,
) -> Result<Option<String>, StoreError> {
    let set = KeySet::of(keys);
    let (_, load_from) = report::span(now, days);
    let end = crate::billing::utc_day_start(now) + SECS_PER_DAY;
    let daily = store.load_periods(&set, BucketWidth::Day, load_from, end)?;
    let hour_from = BucketWidth::Hour.floor(now) - 47 * 3_600;
    let hourly = store.load_periods(&set, BucketWidth::Hour, hour_from, now + 3_600)?;
    let line = |d: &crate::store::PeriodData, p| {
        history::lines(&d.completions, &d.others, &d.bill, p, prices, tier)
    };
    let (daily, hourly) = (
        line(&daily, BucketWidth::Day),
        line(&hourly, BucketWidth::Hour),
    );
    let empty = daily.is_empty() && hourly.is_empty();
    let data = history::report_data(&daily, &hourly, now, days, set.as_str(), tier.as_str());
    Ok((!empty).then(|| crate::ui::html::page(&data)))
}

fn write(path: &Path, html: &str) -> Result<(), String> {
    std::fs::write(path, html)
        .map_err(|e| format!("cannot write the report to {}: {e}", path.display()))
}

/// Opens the written report in the browser (as a `file://` URL).
fn open(path: &Path, browser: &dyn Browser) -> Result<(), String> {
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
    let store = open_store(dir)?;
    let now = crate::poller::now_ms().div_euclid(1000);
    let keys = &settings.api_key_ids;
    let html = render(&store, keys, &settings.prices, settings.tier, days, now)
        .map_err(|e| CliError::Other(e.to_string()))?;
    let html = html.unwrap_or_else(|| {
        eprintln!(
            "usage-tracker: warning: {} holds nothing for {} in the last {days} days: the report shows zeros",
            store.path().display(),
            KeySet::of(keys)
        );
        let set = KeySet::of(keys);
        let data = history::report_data(&[], &[], now, days, set.as_str(), settings.tier.as_str());
        crate::ui::html::page(&data)
    });
    let (path, open_it): (PathBuf, bool) = match out {
        Some(p) => (p.to_owned(), false),
        None => (store.path().with_file_name(FILE_NAME), true),
    };
    write(&path, &html).map_err(CliError::Other)?;
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
pub const FILE_NAME: &str = "report.html";
pub const DEMO_FILE_NAME: &str = "report-demo.html";

/// What the menu's "Open report…" needs: the history file, where the page goes, and whose
/// figures priced how (the app's current choices).
#[derive(Clone, Debug)]
pub struct MenuReport {
    pub history: PathBuf,
    pub out: PathBuf,
    pub keys: Vec<String>,
    pub prices: Arc<PriceTable>,
    pub tier: TierChoice,
}

/// Days of cost per day in the report the menu opens (as `usage-tracker report`'s default).
pub const MENU_DAYS: u32 = 30;

/// "Open report…": writes the report of `job` (the code of `usage-tracker report`) and opens
/// it in the browser; the page's path, or the message saying why not and what to do (no
/// history yet, nothing stored for these keys, a store that cannot be read).
pub fn open_from_menu(
    job: &MenuReport,
    browser: &dyn Browser,
    now: i64,
) -> Result<PathBuf, String> {
    let store = Store::open_existing(&job.history, StoreOptions::default(), now).map_err(|e| match e {
        StoreError::Off(_) => format!(
            "There is no history yet at {}: it is recorded as the app refreshes. Open the report again after the first refresh.",
            job.history.display()
        ),
        e => e.to_string(),
    })?;
    let html = render(&store, &job.keys, &job.prices, job.tier, MENU_DAYS, now)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| {
            format!(
                "{} holds nothing for {} in the last {MENU_DAYS} days yet: it is recorded as the app refreshes. Open the report again after a refresh.",
                job.history.display(),
                KeySet::of(&job.keys)
            )
        })?;
    write(&job.out, &html)?;
    open(&job.out, browser)?;
    Ok(job.out.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::Options;
    use crate::platform::browser::FakeBrowser;
    use crate::settings::{self, Environment, Origin, Scope};
    use crate::store::seed;

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
    fn the_menu_report_is_written_and_opened_or_says_why_not() {
        let dir = tempfile::tempdir().unwrap();
        let now = crate::poller::now_ms().div_euclid(1000);
        let file = crate::store::file_in(dir.path());
        let keys = vec![crate::simulator::DEMO_KEY_ID.to_owned()];
        let job = MenuReport {
            history: file.clone(),
            out: dir.path().join(FILE_NAME),
            keys: keys.clone(),
            prices: Arc::new(crate::pricing::PriceTable::builtin().clone()),
            tier: TierChoice::Auto,
        };
        let browser = FakeBrowser::default();
        // No history yet: said, nothing written, nothing opened, no file made.
        let why = open_from_menu(&job, &browser, now).unwrap_err();
        assert!(
            why.contains("no history yet") && why.contains(&file.display().to_string()),
            "{why}"
        );
        assert!(!file.exists() && !job.out.exists());

        let mut store = Store::open(&file, StoreOptions::default(), now).unwrap();
        let config = crate::simulator::SimConfig::test();
        seed::seed_from_simulator(&mut store, &config, &keys, now, 2).unwrap();
        drop(store);
        // Other keys than those stored: nothing for them, said so, no blank page.
        let other = MenuReport {
            keys: vec!["key_other".into()],
            ..job.clone()
        };
        let why = open_from_menu(&other, &browser, now).unwrap_err();
        assert!(why.contains("holds nothing for key_other"), "{why}");
        assert!(!job.out.exists());
        assert!(browser.opened.lock().unwrap().is_empty());

        let page = open_from_menu(&job, &browser, now).unwrap();
        assert_eq!(page, job.out);
        let html = std::fs::read_to_string(&page).unwrap();
        assert!(html.contains("last 30 days") && html.contains(crate::simulator::DEMO_KEY_ID));
        assert_eq!(
            *browser.opened.lock().unwrap(),
            [url::Url::from_file_path(&page).unwrap().to_string()]
        );
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
