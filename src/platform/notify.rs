//! Native notifications: Notification Center on macOS, `org.freedesktop.Notifications` on
//! Linux, both through `notify-rust`. Sending blocks on IPC: the app sends from a worker thread.
//! The trait and its fake are the core's ([`usage_tracker_core::app::ports`]).

use std::sync::Once;

pub use usage_tracker_core::app::ports::{Note, Notifier, fakes::FakeNotifier};

/// The notifier of this OS.
pub struct SystemNotifier;

static SET_APPLICATION: Once = Once::new();

impl SystemNotifier {
    pub fn new() -> SystemNotifier {
        // macOS attributes notifications to a bundle id, set once before the first one.
        SET_APPLICATION.call_once(|| {
            #[cfg(target_os = "macos")]
            if let Err(e) = notify_rust::set_application(super::BUNDLE_ID) {
                tracing::warn!("notifications: cannot set the application: {e}");
            }
        });
        SystemNotifier
    }
}

impl Default for SystemNotifier {
    fn default() -> Self {
        Self::new()
    }
}

impl Notifier for SystemNotifier {
    fn notify(&self, note: &Note) -> Result<(), String> {
        notify_rust::Notification::new()
            .appname("UsageTracker")
            .summary(&note.summary)
            .body(&note.body)
            .show()
            .map(drop)
            .map_err(|e| format!("cannot show a notification: {e}"))
    }
}
