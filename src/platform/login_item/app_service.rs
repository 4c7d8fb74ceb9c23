//! macOS 13+: the app bundle registers itself as a login item with SMAppService (the main app
//! service, i.e. `NSBundle.mainBundle`). The user sees and can switch it off in System Settings;
//! macOS may hold a registration until the user approves it there. Any thread.
//!
//! Verified on Linux by type-checking and clippy only (scripts/check-macos.sh); not run on a Mac.

use super::{APPROVAL_PLACE, LoginItem, LoginItemError, LoginState, state_of_app_service_status};
use objc2::rc::autoreleasepool;
use objc2_foundation::NSError;
use objc2_service_management::{SMAppService, SMAppServiceStatus};
use std::path::PathBuf;

// The raw values `state_of_app_service_status` maps, checked against the bindings at compile time.
const _: () = assert!(
    SMAppServiceStatus::NotRegistered.0 == 0
        && SMAppServiceStatus::Enabled.0 == 1
        && SMAppServiceStatus::RequiresApproval.0 == 2
        && SMAppServiceStatus::NotFound.0 == 3
);

/// The running app bundle's login item. `bundle` names it in messages; the service itself is
/// always the main bundle's, asked for anew on each call (SMAppService objects are not `Send`).
pub struct AppServiceLoginItem {
    pub bundle: PathBuf,
}

fn status(service: &SMAppService) -> SMAppServiceStatus {
    // SAFETY: a property read on a valid SMAppService (macOS 13+, the app's minimum).
    unsafe { service.status() }
}

fn main_service() -> objc2::rc::Retained<SMAppService> {
    // SAFETY: a class method without arguments; the main bundle always exists.
    unsafe { SMAppService::mainAppService() }
}

/// "Operation not permitted (SMAppServiceErrorDomain 1)": what went wrong, and a code to search.
fn describe(e: &NSError) -> String {
    format!("{} ({} {})", e.localizedDescription(), e.domain(), e.code())
}

impl LoginItem for AppServiceLoginItem {
    fn state(&self) -> Result<LoginState, LoginItemError> {
        let raw = autoreleasepool(|_| status(&main_service()).0);
        Ok(state_of_app_service_status(raw))
    }

    fn set_enabled(&self, on: bool) -> Result<(), LoginItemError> {
        autoreleasepool(|_| {
            let service = main_service();
            let now = status(&service);
            let result = if on {
                // Already registered, approved or not: registering again changes nothing (and
                // fails if the user switched it off in System Settings).
                if matches!(
                    now,
                    SMAppServiceStatus::Enabled | SMAppServiceStatus::RequiresApproval
                ) {
                    return Ok(());
                }
                // SAFETY: an instance method on a valid service; the error is returned as Err.
                unsafe { service.registerAndReturnError() }
            } else {
                if matches!(
                    now,
                    SMAppServiceStatus::NotRegistered | SMAppServiceStatus::NotFound
                ) {
                    return Ok(());
                }
                // SAFETY: as above.
                unsafe { service.unregisterAndReturnError() }
            };
            result.map_err(|e| LoginItemError {
                action: if on { "register" } else { "unregister" },
                path: self.bundle.display().to_string(),
                reason: describe(&e),
            })
        })
    }

    fn location(&self) -> String {
        format!("{} in {APPROVAL_PLACE}", self.bundle.display())
    }

    fn open_approval_settings(&self) {
        // SAFETY: a class method without arguments (macOS 13+).
        unsafe { SMAppService::openSystemSettingsLoginItems() }
    }
}
