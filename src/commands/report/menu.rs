//! The menu's "Open report…": the page of `usage-tracker report` for the app's current keys
//! and tier, written beside the history and opened in the browser, or the message saying why
//! not (no history yet, nothing stored for these keys, a store that cannot be read).

use super::{open, render, write};
use crate::platform::browser::Browser;
use crate::store::{KeySet, Store, StoreError, StoreOptions};
use std::path::PathBuf;

pub use usage_tracker_core::app::report::MenuReport;

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
    let store = Store::open_existing(&job.history, StoreOptions::keeping(job.keep), now).map_err(|e| match e {
        StoreError::Off(_) => format!(
            "There is no history yet at {}: it is recorded as the app refreshes. Open the report again after the first refresh.",
            job.history.display()
        ),
        e => e.to_string(),
    })?;
    let html = render(
        &store,
        &job.keys,
        &job.prices,
        job.mode,
        job.tier,
        MENU_DAYS,
        now,
    )
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
    use crate::commands::report::FILE_NAME;
    use crate::platform::browser::FakeBrowser;
    use crate::pricing::TierChoice;
    use crate::store::seed;
    use std::sync::Arc;

    #[test]
    fn the_menu_report_is_written_and_opened_or_says_why_not() {
        let dir = tempfile::tempdir().unwrap();
        let now = crate::engine::now_ms().div_euclid(1000);
        let file = crate::store::file_in(dir.path());
        let keys = vec![crate::simulator::DEMO_KEY_ID.to_owned()];
        let job = MenuReport {
            history: file.clone(),
            out: dir.path().join(FILE_NAME),
            keys: keys.clone(),
            prices: Arc::new(crate::pricing::PriceTable::builtin().clone()),
            mode: crate::pricing::PriceMode::Bill,
            tier: TierChoice::Auto,
            keep: crate::store::Retention::default(),
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
}
