//! "Open report…": where the menu's report reads the history and writes the page, or why the
//! row is off, and the job ([`MenuReport`]) the effect hands the shell. The page itself is
//! `usage-tracker report`'s, written and opened by the binary ([`super::ports::Files`]).

use crate::pricing::{PriceMode, PriceTable, TierChoice};
use crate::settings::{DEMO_HISTORY_FILE_NAME, HISTORY_FILE_NAME, HistoryDir, Retention, Settings};
use crate::ui::view::Notice;
use std::path::PathBuf;
use std::sync::Arc;

/// The report's file name beside the history.
pub const FILE_NAME: &str = "report.html";
/// `--demo`'s report, beside its own history.
pub const DEMO_FILE_NAME: &str = "report-demo.html";

/// What the menu's "Open report…" needs: the history file, where the page goes, and whose
/// figures priced how (the app's current choices).
#[derive(Clone, Debug)]
pub struct MenuReport {
    pub history: PathBuf,
    pub out: PathBuf,
    pub keys: Vec<String>,
    pub prices: Arc<PriceTable>,
    /// `--prices`: where the bill and the table differ, which one prices.
    pub mode: PriceMode,
    pub tier: TierChoice,
    /// The settings' retention: opening the store applies it.
    pub keep: Retention,
}

/// The history file and the page beside it, or `Err((row reason, notification body))` when
/// history is off or has no folder.
pub(super) fn place(
    history: &HistoryDir,
    demo: bool,
) -> Result<(PathBuf, PathBuf), (String, String)> {
    let why = |short: &str| (short.to_owned(), history.folder().err().unwrap_or_default());
    match history {
        HistoryDir::At(dir, _) if demo => {
            Ok((dir.join(DEMO_HISTORY_FILE_NAME), dir.join(DEMO_FILE_NAME)))
        }
        HistoryDir::At(dir, _) => Ok((dir.join(HISTORY_FILE_NAME), dir.join(FILE_NAME))),
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
