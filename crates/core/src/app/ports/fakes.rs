//! Stand-ins for the platform, in memory: each records what it was asked and answers from a
//! script, so the app's rules are tested without a desktop, a keyring or a disk.

use super::{
    Browser, Dialogs, Files, LoginItem, LoginItemError, LoginState, MenuReport, Note, Notifier,
    SecretError, SecretStore, Told,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Records what it was asked to show.
#[derive(Default)]
pub struct FakeNotifier {
    pub sent: Mutex<Vec<Note>>,
}

impl Notifier for FakeNotifier {
    fn notify(&self, note: &Note) -> Result<(), String> {
        self.sent.lock().unwrap().push(note.clone());
        Ok(())
    }
}

#[derive(Default)]
pub struct FakeBrowser {
    pub opened: Mutex<Vec<String>>,
}

impl Browser for FakeBrowser {
    fn open(&self, url: &str) -> Result<(), String> {
        self.opened.lock().unwrap().push(url.to_owned());
        Ok(())
    }
}

/// Answers from a script of replies; records the prompts.
#[derive(Default)]
pub struct FakeDialogs {
    pub replies: Mutex<Vec<Option<String>>>,
    pub shown: Mutex<Vec<String>>,
}

impl Dialogs for FakeDialogs {
    fn ask_secret(&self, _title: &str, prompt: &str) -> Result<Option<String>, String> {
        self.shown.lock().unwrap().push(prompt.to_owned());
        let mut r = self.replies.lock().unwrap();
        if r.is_empty() {
            Ok(None)
        } else {
            Ok(r.remove(0))
        }
    }

    fn show_message(&self, _title: &str, text: &str) -> Result<(), String> {
        self.shown.lock().unwrap().push(text.to_owned());
        Ok(())
    }
}

/// In memory, counting writes.
#[derive(Default)]
pub struct FakeSecretStore {
    value: Mutex<Option<String>>,
    writes: AtomicUsize,
}

impl FakeSecretStore {
    pub fn writes(&self) -> usize {
        self.writes.load(Ordering::SeqCst)
    }
}

impl SecretStore for FakeSecretStore {
    fn get(&self) -> Result<Option<String>, SecretError> {
        Ok(self.value.lock().unwrap().clone())
    }

    fn set(&self, value: &str) -> Result<(), SecretError> {
        self.writes.fetch_add(1, Ordering::SeqCst);
        *self.value.lock().unwrap() = Some(value.to_owned());
        Ok(())
    }

    fn delete(&self) -> Result<bool, SecretError> {
        Ok(self.value.lock().unwrap().take().is_some())
    }

    fn name(&self) -> &'static str {
        "the test store"
    }
}

/// In memory; `fail` makes every change fail (to test the menu's revert); `needs_approval`
/// makes an enabled item wait for approval, like SMAppService.
#[derive(Default)]
pub struct FakeLoginItem {
    pub enabled: Mutex<bool>,
    pub fail: bool,
    pub needs_approval: bool,
}

impl LoginItem for FakeLoginItem {
    fn state(&self) -> Result<LoginState, LoginItemError> {
        Ok(match (*self.enabled.lock().unwrap(), self.needs_approval) {
            (false, _) => LoginState::Off,
            (true, false) => LoginState::On,
            (true, true) => LoginState::NeedsApproval,
        })
    }

    fn set_enabled(&self, on: bool) -> Result<(), LoginItemError> {
        if self.fail {
            return Err(LoginItemError {
                action: "write",
                path: "fake".into(),
                reason: "refused".into(),
            });
        }
        *self.enabled.lock().unwrap() = on;
        Ok(())
    }

    fn location(&self) -> String {
        "fake".into()
    }
}

/// Settings files as TOML documents in memory (a file given text that is no TOML refuses
/// every write, as the real one does), what was told, and the reports asked for (answered
/// with `report`, or the page beside the history).
#[derive(Default)]
pub struct FakeFiles {
    pub settings: Mutex<BTreeMap<PathBuf, String>>,
    pub told: Mutex<BTreeMap<PathBuf, Told>>,
    pub reports: Mutex<Vec<MenuReport>>,
    /// The answer to every report asked for; `None`: the page is written.
    pub report: Mutex<Option<String>>,
}

impl FakeFiles {
    /// What the settings file at `path` holds; `None` when nothing wrote it.
    pub fn text(&self, path: &Path) -> Option<String> {
        self.settings.lock().unwrap().get(path).cloned()
    }

    /// Puts `text` in the settings file at `path`, as the user might.
    pub fn write(&self, path: &Path, text: &str) {
        let mut files = self.settings.lock().unwrap();
        files.insert(path.to_owned(), text.to_owned());
    }
}

impl Files for FakeFiles {
    fn save_settings(
        &self,
        path: &Path,
        values: Vec<(&'static str, toml_edit::Value)>,
    ) -> Result<(), String> {
        let mut files = self.settings.lock().unwrap();
        let text = files.get(path).cloned().unwrap_or_default();
        let mut doc: toml_edit::DocumentMut = text
            .parse()
            .map_err(|e| format!("{} is not valid TOML: {e}", path.display()))?;
        for (key, value) in values {
            doc[key] = toml_edit::value(value);
        }
        files.insert(path.to_owned(), doc.to_string());
        Ok(())
    }

    fn save_told(&self, path: &Path, told: &Told) -> Result<(), String> {
        self.told
            .lock()
            .unwrap()
            .insert(path.to_owned(), told.clone());
        Ok(())
    }

    fn open_report(&self, job: &MenuReport, browser: &dyn Browser) -> Result<PathBuf, String> {
        self.reports.lock().unwrap().push(job.clone());
        if let Some(why) = self.report.lock().unwrap().clone() {
            return Err(why);
        }
        browser.open(&job.out.display().to_string())?;
        Ok(job.out.clone())
    }
}

#[cfg(test)]
mod tests;
