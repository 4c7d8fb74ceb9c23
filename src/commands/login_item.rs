//! `usage-tracker login-item enable|disable|status`: start the app at login (a LaunchAgent on
//! macOS, an XDG autostart entry on Linux), for the executable that runs this command.

use super::CliError;
use crate::cli::LoginItemAction;
use crate::platform::login_item::{self, LoginItem};
use std::process::ExitCode;

pub fn run(action: LoginItemAction) -> Result<ExitCode, CliError> {
    let item = login_item::current().map_err(|e| CliError::Other(e.to_string()))?;
    run_with(&item, action)
}

pub fn run_with(item: &dyn LoginItem, action: LoginItemAction) -> Result<ExitCode, CliError> {
    let fail = |e: login_item::LoginItemError| CliError::Other(e.to_string());
    let at = item.location();
    match action {
        LoginItemAction::Enable => {
            item.set_enabled(true).map_err(fail)?;
            println!("UsageTracker will start at login ({at}).");
        }
        LoginItemAction::Disable => {
            item.set_enabled(false).map_err(fail)?;
            println!("UsageTracker will not start at login ({at} removed).");
        }
        LoginItemAction::Status => {
            if item.is_enabled().map_err(fail)? {
                println!("enabled ({at})");
            } else {
                println!("disabled (no {at})");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::platform::login_item::FakeLoginItem;

    #[test]
    fn enable_disable_and_a_refused_change() {
        let item = FakeLoginItem::default();
        run_with(&item, LoginItemAction::Enable).unwrap();
        assert!(item.is_enabled().unwrap());
        run_with(&item, LoginItemAction::Status).unwrap();
        run_with(&item, LoginItemAction::Disable).unwrap();
        assert!(!item.is_enabled().unwrap());
        let refusing = FakeLoginItem {
            fail: true,
            ..Default::default()
        };
        let err = run_with(&refusing, LoginItemAction::Enable).unwrap_err();
        assert!(err.to_string().contains("launch at login"), "{err}");
        assert!(!refusing.is_enabled().unwrap());
    }
}
