//! What the menu-bar shell needs to know or do differently per OS: the app's place in the Dock
//! (none: an accessory), how the tray icon is drawn, and whether a submenu's own label can be
//! changed in place.

use tray_icon::{Icon, TrayIconBuilder};

/// A menu-bar app has no Dock icon and no app menu (macOS); nothing to do elsewhere.
pub fn configure_event_loop<T>(event_loop: &mut tao::event_loop::EventLoop<T>) {
    #[cfg(target_os = "macos")]
    {
        use tao::platform::macos::{ActivationPolicy, EventLoopExtMacOS};
        event_loop.set_activation_policy(ActivationPolicy::Accessory);
    }
    #[cfg(not(target_os = "macos"))]
    let _ = event_loop;
}

/// The icon as a template on macOS (the system tints it for a light or dark menu bar); as is
/// elsewhere.
pub fn with_icon(builder: TrayIconBuilder, icon: Icon) -> TrayIconBuilder {
    #[cfg(target_os = "macos")]
    {
        builder.with_icon_templated(icon)
    }
    #[cfg(not(target_os = "macos"))]
    {
        builder.with_icon(icon)
    }
}

/// Whether `Submenu::set_text` shows. On macOS it sets the NSMenuItem's title. On Linux muda
/// builds a submenu's GTK item around a box (icon and label) and `set_text` calls
/// `gtk_menu_item_set_label`, which changes only a label that is the item's direct child: the
/// text never changes, in GTK or over dbusmenu. There the renderer replaces the submenu.
pub const SUBMENU_LABEL_UPDATES_IN_PLACE: bool = cfg!(target_os = "macos");

/// Whether anything can show the icon.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrayHost {
    Present,
    /// Nothing shows StatusNotifierItems: what to install.
    Missing(String),
    /// Cannot be told (no session bus).
    Unknown(String),
}

/// What to install when no StatusNotifierItem host runs.
pub const NO_HOST_ADVICE: &str = "nothing on this desktop shows tray icons (no StatusNotifierItem host on the session bus): on GNOME install and enable the AppIndicator extension (package gnome-shell-extension-appindicator, or extensions.gnome.org › AppIndicator and KStatusNotifierItem Support) and log in again; elsewhere add a system tray or status notifier plugin to the panel";

/// Asks the session bus for a StatusNotifierWatcher with a host registered (Linux); macOS
/// always has the menu bar. Blocks on D-Bus: call it off the UI thread.
pub fn tray_host() -> TrayHost {
    #[cfg(target_os = "linux")]
    {
        linux_tray_host()
    }
    #[cfg(not(target_os = "linux"))]
    {
        TrayHost::Present
    }
}

#[cfg(target_os = "linux")]
fn linux_tray_host() -> TrayHost {
    const WATCHER: &str = "org.kde.StatusNotifierWatcher";
    let ask = || -> zbus::Result<bool> {
        let conn = zbus::blocking::Connection::session()?;
        let bus = zbus::blocking::fdo::DBusProxy::new(&conn)?;
        if !bus.name_has_owner(WATCHER.try_into()?)? {
            return Ok(false);
        }
        let watcher =
            zbus::blocking::Proxy::new(&conn, WATCHER, "/StatusNotifierWatcher", WATCHER)?;
        watcher.get_property::<bool>("IsStatusNotifierHostRegistered")
    };
    match ask() {
        Ok(true) => TrayHost::Present,
        Ok(false) => TrayHost::Missing(NO_HOST_ADVICE.to_owned()),
        Err(e) => TrayHost::Unknown(e.to_string()),
    }
}
