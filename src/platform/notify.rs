//! Native notifications: Notification Center on macOS, `org.freedesktop.Notifications` on
//! Linux, both through `notify-rust`. Sending blocks on IPC: the app sends from a worker thread.

use std::sync::{Mutex, Once};

/// One notification as the user reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub summary: String,
    pub body: String,
}

pub trait Notifier: Send + Sync {
    fn notify(&self, note: &Note) -> Result<(), String>;
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fake_records_in_order() {
        let n = FakeNotifier::default();
        for s in ["a", "b"] {
            n.notify(&Note {
                summary: s.into(),
                body: String::new(),
            })
            .unwrap();
        }
        let sent = n.sent.lock().unwrap();
        assert_eq!(
            sent.iter().map(|n| n.summary.as_str()).collect::<Vec<_>>(),
            ["a", "b"]
        );
    }
}
