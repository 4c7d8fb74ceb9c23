//! Launch at login. On macOS a LaunchAgent in `~/Library/LaunchAgents` (SMAppService for the
//! app bundle needs `objc2-service-management`, see NEEDED-DEPS.txt); on Linux an XDG autostart
//! `.desktop` file. Both are one file whose presence is the state, so one implementation,
//! [`FileLoginItem`], serves both with the per-OS path and contents. Plain file I/O: fine on any
//! thread.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

#[derive(Debug, thiserror::Error)]
#[error("launch at login: {action} {path}: {reason}")]
pub struct LoginItemError {
    pub action: &'static str,
    pub path: String,
    pub reason: String,
}

pub trait LoginItem: Send + Sync {
    fn is_enabled(&self) -> Result<bool, LoginItemError>;
    fn set_enabled(&self, on: bool) -> Result<(), LoginItemError>;
    /// Where the state lives, for `login-item status`.
    fn location(&self) -> String;
}

/// A login item that is one file: present means enabled.
pub struct FileLoginItem {
    pub path: PathBuf,
    pub contents: String,
}

impl LoginItem for FileLoginItem {
    fn is_enabled(&self) -> Result<bool, LoginItemError> {
        match std::fs::metadata(&self.path) {
            Ok(m) => Ok(m.is_file()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(self.error("read", e)),
        }
    }

    fn set_enabled(&self, on: bool) -> Result<(), LoginItemError> {
        if on {
            if let Some(dir) = self.path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| self.error("create", e))?;
            }
            std::fs::write(&self.path, &self.contents).map_err(|e| self.error("write", e))
        } else {
            match std::fs::remove_file(&self.path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(self.error("remove", e)),
            }
        }
    }

    fn location(&self) -> String {
        self.path.display().to_string()
    }
}

impl FileLoginItem {
    fn error(&self, action: &'static str, e: std::io::Error) -> LoginItemError {
        LoginItemError {
            action,
            path: self.path.display().to_string(),
            reason: e.to_string(),
        }
    }
}

/// The login item of this OS for the executable `exe`, under `home` (macOS) or the XDG config
/// directory `config_home` (Linux).
pub fn system(exe: &Path, home: &Path, config_home: &Path) -> FileLoginItem {
    #[cfg(target_os = "macos")]
    {
        let _ = config_home;
        launch_agent(exe, home)
    }
    #[cfg(not(target_os = "macos"))]
    {
        let _ = home;
        xdg_autostart(exe, config_home)
    }
}

/// The login item for the running executable and the user's directories.
pub fn current() -> Result<FileLoginItem, LoginItemError> {
    let err = |reason: String| LoginItemError {
        action: "locate",
        path: "the executable".into(),
        reason,
    };
    let exe = std::env::current_exe().map_err(|e| err(e.to_string()))?;
    let dirs = directories::BaseDirs::new().ok_or_else(|| err("no home directory".into()))?;
    Ok(system(&exe, dirs.home_dir(), dirs.config_dir()))
}

/// `~/Library/LaunchAgents/dev.usagetracker.UsageTracker.plist`, starting `exe` at login.
pub fn launch_agent(exe: &Path, home: &Path) -> FileLoginItem {
    FileLoginItem {
        path: home
            .join("Library/LaunchAgents")
            .join(format!("{}.plist", super::BUNDLE_ID)),
        contents: launch_agent_plist(super::BUNDLE_ID, exe),
    }
}

/// `$XDG_CONFIG_HOME/autostart/usage-tracker.desktop`, starting `exe` at login.
pub fn xdg_autostart(exe: &Path, config_home: &Path) -> FileLoginItem {
    FileLoginItem {
        path: config_home.join("autostart/usage-tracker.desktop"),
        contents: autostart_desktop(exe),
    }
}

pub fn launch_agent_plist(label: &str, exe: &Path) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>{label}</string>
	<key>ProgramArguments</key>
	<array>
		<string>{exe}</string>
	</array>
	<key>RunAtLoad</key>
	<true/>
	<key>ProcessType</key>
	<string>Interactive</string>
</dict>
</plist>
"#,
        label = esc(label),
        exe = esc(&exe.to_string_lossy()),
    )
}

pub fn autostart_desktop(exe: &Path) -> String {
    format!(
        "[Desktop Entry]\nType=Application\nName=UsageTracker\nComment=Tokens and estimated cost of an OpenAI API key, live\nExec={}\nTerminal=false\nX-GNOME-Autostart-enabled=true\n",
        desktop_exec_arg(&exe.to_string_lossy())
    )
}

/// Quotes a path for `Exec=` as the Desktop Entry spec asks: bare when plain, else in double
/// quotes with `"`, `` ` ``, `$` and `\` escaped (and every `\` doubled again for the file).
fn desktop_exec_arg(s: &str) -> String {
    let plain = s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+".contains(c));
    if plain {
        return s.to_owned();
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' | '`' | '$' => {
                out.push_str("\\\\");
                out.push(c);
            }
            '\\' => out.push_str("\\\\\\\\"),
            '%' => out.push_str("%%"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// In memory; `fail` makes every change fail (to test the menu's revert).
#[derive(Default)]
pub struct FakeLoginItem {
    pub enabled: Mutex<bool>,
    pub fail: bool,
}

impl LoginItem for FakeLoginItem {
    fn is_enabled(&self) -> Result<bool, LoginItemError> {
        Ok(*self.enabled.lock().unwrap())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn launch_agent_file_is_written_and_removed_under_home() {
        let home = tempfile::tempdir().unwrap();
        let item = launch_agent(
            Path::new("/Applications/U T.app/Contents/MacOS/usage-tracker"),
            home.path(),
        );
        assert!(!item.is_enabled().unwrap());
        item.set_enabled(true).unwrap();
        let path = home
            .path()
            .join("Library/LaunchAgents/dev.usagetracker.UsageTracker.plist");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.contains("<key>Label</key>\n\t<string>dev.usagetracker.UsageTracker</string>")
        );
        assert!(
            text.contains("<string>/Applications/U T.app/Contents/MacOS/usage-tracker</string>")
        );
        assert!(text.contains("<key>RunAtLoad</key>\n\t<true/>"));
        assert!(item.is_enabled().unwrap());
        item.set_enabled(false).unwrap();
        assert!(!path.exists() && !item.is_enabled().unwrap());
        item.set_enabled(false).unwrap();
    }

    #[test]
    fn autostart_file_is_written_and_removed_under_config_home() {
        let home = tempfile::tempdir().unwrap();
        let item = xdg_autostart(Path::new("/usr/bin/usage-tracker"), home.path());
        item.set_enabled(true).unwrap();
        let path = home.path().join("autostart/usage-tracker.desktop");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("[Desktop Entry]\nType=Application\n"));
        assert!(text.contains("\nExec=/usr/bin/usage-tracker\n"));
        assert!(item.is_enabled().unwrap());
        item.set_enabled(false).unwrap();
        assert!(!path.exists());
    }

    #[test]
    fn exec_paths_with_spaces_are_quoted() {
        assert_eq!(desktop_exec_arg("/opt/a b/ut"), "\"/opt/a b/ut\"");
        assert_eq!(desktop_exec_arg("/o/$x"), "\"/o/\\\\$x\"");
        assert_eq!(desktop_exec_arg("/o/100%"), "\"/o/100%%\"");
    }

    #[test]
    fn a_failing_item_keeps_its_state() {
        let item = FakeLoginItem {
            fail: true,
            ..Default::default()
        };
        assert!(item.set_enabled(true).is_err());
        assert!(!item.is_enabled().unwrap());
    }
}
