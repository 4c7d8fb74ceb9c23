//! Launch at login. On macOS, running from the app bundle, the app registers itself with
//! SMAppService (it then shows in System Settings → General → Login Items, where the user may
//! have to approve it); a bare binary gets a LaunchAgent in `~/Library/LaunchAgents` instead. On
//! Linux an XDG autostart `.desktop` file. The two files are one implementation,
//! [`FileLoginItem`], with the per-OS path and contents; [`current`] picks one at run time.
//! File I/O and SMAppService calls: fine on any thread.

#[cfg(target_os = "macos")]
mod app_service;

use std::path::{Path, PathBuf};

pub use usage_tracker_core::app::ports::{
    APPROVAL_PLACE, LoginItem, LoginItemError, LoginState, fakes::FakeLoginItem,
};

/// SMAppServiceStatus, from its raw value (SMAppService.h: 0 not registered, 1 enabled,
/// 2 requires approval, 3 not found). Not found means no such service in the bundle: off.
pub fn state_of_app_service_status(raw: isize) -> LoginState {
    match raw {
        1 => LoginState::On,
        2 => LoginState::NeedsApproval,
        _ => LoginState::Off,
    }
}

/// A login item that is one file: present means enabled.
pub struct FileLoginItem {
    pub path: PathBuf,
    pub contents: String,
}

impl LoginItem for FileLoginItem {
    fn state(&self) -> Result<LoginState, LoginItemError> {
        match std::fs::metadata(&self.path) {
            Ok(m) if m.is_file() => Ok(LoginState::On),
            Ok(_) => Ok(LoginState::Off),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(LoginState::Off),
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

/// The login item of this OS for the executable `exe`: on macOS SMAppService when `exe` is an
/// app bundle's executable (symlinks resolved), else a LaunchAgent under `home`; on Linux an
/// autostart entry under the XDG config directory `config_home`.
pub fn system(exe: &Path, home: &Path, config_home: &Path) -> Box<dyn LoginItem> {
    #[cfg(target_os = "macos")]
    {
        let _ = config_home;
        // `/usr/local/bin/usage-tracker` may be a link into the bundle: the bundle's item then.
        let real = std::fs::canonicalize(exe).unwrap_or_else(|_| exe.to_path_buf());
        match super::app_bundle(&real) {
            Some(bundle) => Box::new(app_service::AppServiceLoginItem {
                bundle: bundle.to_path_buf(),
            }),
            None => Box::new(launch_agent(exe, home)),
        }
    }
    #[cfg(not(target_os = "macos"))]
    {
        let _ = home;
        Box::new(xdg_autostart(exe, config_home))
    }
}

/// The login item for the running executable and the user's directories.
pub fn current() -> Result<Box<dyn LoginItem>, LoginItemError> {
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
    fn app_service_statuses() {
        assert_eq!(state_of_app_service_status(0), LoginState::Off);
        assert_eq!(state_of_app_service_status(1), LoginState::On);
        assert_eq!(state_of_app_service_status(2), LoginState::NeedsApproval);
        assert_eq!(state_of_app_service_status(3), LoginState::Off);
        assert_eq!(state_of_app_service_status(-1), LoginState::Off);
    }

    #[test]
    fn a_bare_binary_gets_a_file() {
        let home = tempfile::tempdir().unwrap();
        let item = system(
            Path::new("/usr/local/bin/usage-tracker"),
            home.path(),
            home.path(),
        );
        assert!(
            item.location()
                .starts_with(&home.path().display().to_string())
        );
        assert_eq!(item.state().unwrap(), LoginState::Off);
    }
}
