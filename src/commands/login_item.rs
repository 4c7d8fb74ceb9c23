//! `usage-tracker login-item enable|disable|status`: start the app at login for the executable
//! that runs this command (macOS: SMAppService from the app bundle, else a LaunchAgent; Linux:
//! an XDG autostart entry; the platform layer picks).

use super::CliError;
use crate::cli::LoginItemAction;
use crate::platform::login_item::{self, APPROVAL_PLACE, LoginItem, LoginState};
use std::process::ExitCode;

pub fn run(action: LoginItemAction) -> Result<ExitCode, CliError> {
    let item = login_item::current().map_err(|e| CliError::Other(e.to_string()))?;
    run_with(item.as_ref(), action)
}

pub fn run_with(item: &dyn LoginItem, action: LoginItemAction) -> Result<ExitCode, CliError> {
    let fail = |e: login_item::LoginItemError| CliError::Other(e.to_string());
    let at = item.location();
    match action {
        LoginItemAction::Enable => {
            item.set_enabled(true).map_err(fail)?;
            println!("{}", enabled_line(item.state().map_err(fail)?, &at)?);
        }
        LoginItemAction::Disable => {
            item.set_enabled(false).map_err(fail)?;
            println!("UsageTracker will not start at login ({at}).");
        }
        LoginItemAction::Status => println!("{}", status_line(item.state().map_err(fail)?, &at)),
    }
    Ok(ExitCode::SUCCESS)
}

/// What `enable` says once the change went through; an error if the item still reads as off.
fn enabled_line(state: LoginState, at: &str) -> Result<String, CliError> {
    match state {
        LoginState::On => Ok(format!("UsageTracker will start at login ({at}).")),
        LoginState::NeedsApproval => Ok(format!(
            "UsageTracker is registered to start at login, but macOS waits for your approval: \
             switch UsageTracker on in {APPROVAL_PLACE}."
        )),
        LoginState::Off => Err(CliError::Other(format!(
            "launch at login: the change was accepted but it still reads as off ({at})"
        ))),
    }
}

fn status_line(state: LoginState, at: &str) -> String {
    match state {
        LoginState::On => format!("enabled ({at})"),
        LoginState::Off => format!("disabled ({at})"),
        LoginState::NeedsApproval => format!(
            "disabled: registered, needs your approval in {APPROVAL_PLACE} (switch UsageTracker on there)"
        ),
    }
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

    #[test]
    fn waiting_for_approval_is_said_with_where_to_approve() {
        let item = FakeLoginItem {
            needs_approval: true,
            ..Default::default()
        };
        run_with(&item, LoginItemAction::Enable).unwrap();
        let state = item.state().unwrap();
        let status = status_line(state, "x");
        assert!(
            status.starts_with("disabled: ") && status.contains(APPROVAL_PLACE),
            "{status}"
        );
        let enabled = enabled_line(state, "x").unwrap();
        assert!(enabled.contains(APPROVAL_PLACE), "{enabled}");
    }

    #[test]
    fn status_lines() {
        assert_eq!(status_line(LoginState::On, "/a"), "enabled (/a)");
        assert_eq!(status_line(LoginState::Off, "/a"), "disabled (/a)");
        assert!(enabled_line(LoginState::Off, "/a").is_err());
    }
}
