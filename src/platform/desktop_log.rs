//! Messages the desktop libraries under the tray print through GLib's log (Linux): routed into
//! this app's log instead of raw stderr, and the known-harmless ones kept to debug level.
//!
//! The one seen on every menu opening is libdbusmenu's "About to Show called on an item
//! without submenus": tray hosts send `AboutToShow` for top-level rows, and libdbusmenu's
//! server answers for a row without children by ignoring the call and warning about it. Nothing
//! is wrong, so it is noise to the person reading the log. Runs on the UI thread at start.

/// Whether a GLib log message is known to be harmless noise.
pub fn is_noise(domain: Option<&str>, message: &str) -> bool {
    domain == Some("LIBDBUSMENU-GLIB") && message.starts_with("About to Show called on an item")
}

/// Installs the handler for the domains of the tray's libraries (before the tray is created).
#[cfg(all(feature = "app", target_os = "linux"))]
pub fn route_glib_logs() {
    use glib::LogLevels;
    for domain in [
        "LIBDBUSMENU-GLIB",
        "LIBDBUSMENU-GTK",
        "Gtk",
        "Gdk",
        "GLib-GObject",
    ] {
        glib::log_set_handler(
            Some(domain),
            LogLevels::LEVEL_WARNING | LogLevels::LEVEL_CRITICAL | LogLevels::LEVEL_MESSAGE,
            false,
            false,
            |domain, level, message| {
                if is_noise(domain, message) {
                    tracing::debug!("{}: {message}", domain.unwrap_or("glib"));
                } else if matches!(level, glib::LogLevel::Message) {
                    tracing::info!("{}: {message}", domain.unwrap_or("glib"));
                } else {
                    tracing::warn!("{}: {message}", domain.unwrap_or("glib"));
                }
            },
        );
    }
}

/// Nothing to route elsewhere: no GLib under the tray.
#[cfg(not(all(feature = "app", target_os = "linux")))]
pub fn route_glib_logs() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_known_dbusmenu_warning_is_noise() {
        assert!(is_noise(
            Some("LIBDBUSMENU-GLIB"),
            "About to Show called on an item wihtout submenus.  We're ignoring it."
        ));
        assert!(!is_noise(
            Some("LIBDBUSMENU-GLIB"),
            "Unable to get session bus"
        ));
        assert!(!is_noise(Some("Gtk"), "About to Show called on an item"));
        assert!(!is_noise(None, "About to Show called on an item"));
    }
}
