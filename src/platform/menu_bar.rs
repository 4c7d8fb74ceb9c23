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
