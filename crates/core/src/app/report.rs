//! "Open report…": where the menu's report reads the history and writes the page, or why the
//! row is off. The page itself is `usage-tracker report`'s ([`crate::commands::report`]),
//! written and opened by the effect on the blocking pool.

use crate::commands::report::menu::{self as report, MenuReport};
use crate::settings::{HistoryDir, Settings};
use crate::ui::view::Notice;
use std::path::PathBuf;

/// The history file and the page beside it, or `Err((row reason, notification body))` when
/// history is off or has no folder.
pub(super) fn place(
    history: &HistoryDir,
    demo: bool,
) -> Result<(PathBuf, PathBuf), (String, String)> {
    let why = |short: &str| (short.to_owned(), history.folder().err().unwrap_or_default());
    match history {
        HistoryDir::At(dir, _) if demo => Ok((
            dir.join(crate::commands::DEMO_FILE_NAME),
            dir.join(report::DEMO_FILE_NAME),
        )),
        HistoryDir::At(dir, _) => Ok((
            crate::store::file_in(dir),
            dir.join(crate::commands::report::FILE_NAME),
        )),
        HistoryDir::Off(_) => Err(why("history is off")),
        HistoryDir::NoDataDir => Err(why("no data folder")),
    }
}

/// The job for the current choices (keys, tier), or the notification saying why there is none.
pub(super) fn job(
    place: &Result<(PathBuf, PathBuf), (String, String)>,
    settings: &Settings,
) -> Result<MenuReport, Notice> {
    match place {
        Ok((history, out)) => Ok(MenuReport {
            history: history.clone(),
            out: out.clone(),
            keys: settings.api_key_ids.clone(),
            prices: settings.prices.clone(),
            mode: settings.price_mode,
            tier: settings.tier,
            keep: settings.history_keep,
        }),
        Err((_, body)) => Err(Notice {
            summary: "Cannot open the report".into(),
            body: body.clone(),
        }),
    }
}
