//! What reaches the core ([`Input`]) and what it asks the shell to do ([`Effect`]).

use super::engine::{Command, Event};
use super::ports::{LoginState, TrayHost};
use super::report::MenuReport;
use super::told::Told;
use crate::openai::ErrorKind;
use crate::settings::Settings;
use crate::ui::view::{Action, KeyChoice, Notice, TrayView};
use secrecy::SecretString;
use std::path::PathBuf;

/// Which connection an event belongs to; each (re)connect starts a new one.
pub type SessionId = u64;

/// The project keys, or the kind of failure to list them.
pub type KeysResult = Result<Vec<KeyChoice>, ErrorKind>;

/// What the renderer reports to the event loop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrayInput {
    Menu(Action),
    /// The icon was clicked (macOS: the menu is opening).
    Clicked,
    /// The menu opened and closed (macOS: AppKit's menu tracking began and ended).
    MenuOpened,
    MenuClosed,
}

/// Everything that reaches the app. Debug shows no key (the key is a [`SecretString`]).
#[derive(Debug)]
pub enum Input {
    /// The icon is up.
    Started,
    /// The admin key read from the secret store at start-up.
    SecretRead(Result<Option<SecretString>, String>),
    Poll(SessionId, Event),
    Keys(SessionId, KeysResult),
    /// The estimate since local midnight (`day`: local day number), for the daily budget.
    Budget {
        session: SessionId,
        day: i64,
        spent: f64,
    },
    /// The recent past (pace, sparklines) from the glance task, after each of its rounds.
    History {
        session: SessionId,
        view: std::sync::Arc<crate::figures::glance::Glance>,
    },
    ConnectFailed(SessionId, String),
    /// What went wrong with the history store (the connection's `history_notice`): it could
    /// not be used, or a damaged one was moved aside and a new one started.
    HistoryNotice(SessionId, String),
    Tray(TrayInput),
    /// The key typed in the dialog and stored, or why not.
    AdminKeyStored(Result<SecretString, String>),
    /// The login item's state, read back after a change to `wanted` (or just read).
    LoginItem {
        wanted: Option<bool>,
        changed: Result<(), String>,
        state: Result<LoginState, String>,
    },
    /// Something the shell did failed; told as a notification.
    Failed {
        summary: String,
        body: String,
    },
    /// Whether anything shows the icon (asked once, after it is up).
    TrayHost(TrayHost),
    /// The start-up options written to the settings file (their keys), or why not.
    StartupSaved(Result<Vec<&'static str>, String>),
    /// A time [`AppCore::next_wake`](super::AppCore::next_wake) asked for has come.
    Tick,
}

/// What the shell performs.
#[derive(Debug)]
pub enum Effect {
    Render(TrayView),
    Notify(Notice),
    Save {
        path: PathBuf,
        key: &'static str,
        value: toml_edit::Value,
    },
    /// Several settings written at once (the start-up options, for login).
    SaveSettings {
        path: PathBuf,
        values: Vec<(&'static str, toml_edit::Value)>,
    },
    Connect(SessionId, Box<Settings>),
    Poll(SessionId, Command),
    ReadSecret,
    AskAdminKey,
    ShowMessage {
        title: String,
        text: String,
    },
    SetLoginItem(bool),
    ReadLoginItem,
    OpenLoginApproval,
    OpenUrl(String),
    /// Write the history's report and open it in the browser (blocking: reads the store).
    OpenReport(MenuReport),
    CheckTrayHost,
    /// What the bill's notifications told, kept for the next launch.
    SaveTold {
        path: PathBuf,
        told: Told,
    },
    /// One line for the terminal the app was started from.
    Stderr(String),
    Quit,
}
