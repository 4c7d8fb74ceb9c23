//! What the menu-bar shell needs to know or do differently per OS: the app's place in the Dock
//! (none: an accessory), how the tray icon is drawn and described to screen readers, when its
//! menu opens and closes, and how a submenu's own label is changed in place.

use tray_icon::{Icon, TrayIcon, TrayIconBuilder};

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
/// elsewhere, written where [`describe`] finds it again (Linux).
pub fn with_icon(builder: TrayIconBuilder, icon: Icon) -> TrayIconBuilder {
    #[cfg(target_os = "macos")]
    {
        builder.with_icon_templated(icon)
    }
    #[cfg(target_os = "linux")]
    {
        builder
            .with_icon(icon)
            .with_temp_dir_path(linux::icon_dir())
    }
    #[cfg(not(any(target_os = "macos", target_os = "linux")))]
    {
        builder.with_icon(icon)
    }
}

/// Whether the tray host shows the icon only, not the title beside it, so that the title must
/// be drawn into the icon to be seen (`ui::tray::label`). macOS shows the title natively. On
/// Linux the StatusNotifierItem's label (`XAyatanaLabel`) is drawn by GNOME Shell's AppIndicator
/// extension and Unity-style indicator panels, and not by Xfce's StatusNotifier plugin, KDE
/// Plasma or LXQt: the desktop (`XDG_CURRENT_DESKTOP`) tells which kind of host runs.
pub fn label_in_icon() -> bool {
    #[cfg(target_os = "linux")]
    {
        linux::host_draws_no_label(std::env::var("XDG_CURRENT_DESKTOP").ok().as_deref())
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

/// Gives the icon `text` as its accessible description, what a screen reader says for it.
/// Linux: tray-icon names the icon "icon" (or "tray icon") for AppIndicator, which publishes
/// that as the StatusNotifierItem's `IconAccessibleDesc`; here it becomes `text`, and so does
/// the item's `Title` (tray-icon's title is the panel label, `XAyatanaLabel`). macOS: the
/// status item's button gets it as its accessibility label (VoiceOver would otherwise read the
/// bare title, `1.2M · $3.40`); tray-icon sets the tooltip.
pub fn describe(icon: &TrayIcon, text: &str) {
    #[cfg(target_os = "linux")]
    linux::describe(icon, text);
    #[cfg(target_os = "macos")]
    macos::describe(icon, text);
    #[cfg(not(any(target_os = "linux", target_os = "macos")))]
    let _ = (icon, text);
}

/// Calls `on_change(true)` when the menu opens and `on_change(false)` when it closes, where the
/// platform tells: on macOS AppKit posts `NSMenuDidBeginTrackingNotification` and
/// `NSMenuDidEndTrackingNotification` around a menu's tracking (the app has no other menu), so a
/// menu dismissed without a choice is seen too. Elsewhere it is never called. Call it once, on
/// the UI thread.
pub fn watch_menu(on_change: impl Fn(bool) + Send + Sync + 'static) {
    #[cfg(target_os = "macos")]
    macos::watch_menu(on_change);
    #[cfg(not(target_os = "macos"))]
    let _ = on_change;
}

#[cfg(target_os = "macos")]
mod macos {
    use block2::RcBlock;
    use objc2_app_kit::{NSMenuDidBeginTrackingNotification, NSMenuDidEndTrackingNotification};
    use objc2_foundation::{NSNotification, NSNotificationCenter};
    use std::ptr::NonNull;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};
    use tray_icon::TrayIcon;

    pub fn describe(icon: &TrayIcon, text: &str) {
        use objc2_app_kit::NSAccessibility;
        let Some(mtm) = objc2::MainThreadMarker::new() else {
            return;
        };
        if let Some(button) = icon.ns_status_item().and_then(|item| item.button(mtm)) {
            button.setAccessibilityLabel(Some(&objc2_foundation::NSString::from_str(text)));
        }
    }

    pub fn watch_menu(on_change: impl Fn(bool) + Send + Sync + 'static) {
        let on_change = Arc::new(on_change);
        // Should tracking sessions nest (a submenu), the menu is closed when the outermost ends.
        let depth = Arc::new(AtomicU32::new(0));
        let (opened, d) = (on_change.clone(), depth.clone());
        let began: RcBlock<dyn Fn(NonNull<NSNotification>)> = RcBlock::new(move |_| {
            if d.fetch_add(1, Ordering::Relaxed) == 0 {
                opened(true);
            }
        });
        let ended: RcBlock<dyn Fn(NonNull<NSNotification>)> = RcBlock::new(move |_| {
            let before = depth
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| {
                    Some(n.saturating_sub(1))
                })
                .unwrap_or(0);
            if before == 1 {
                on_change(false);
            }
        });
        let center = NSNotificationCenter::defaultCenter();
        // SAFETY: the names are AppKit's constant strings, valid for the process's life. No
        // object filter (`obj` is `None`, of any type) and no queue: each block runs on the
        // thread that posts, AppKit's main thread; they are sendable anyway (atomics and a
        // `Send + Sync` callback), as the method asks.
        unsafe {
            for (name, block) in [
                (NSMenuDidBeginTrackingNotification, &began),
                (NSMenuDidEndTrackingNotification, &ended),
            ] {
                let token = center.addObserverForName_object_queue_usingBlock(
                    Some(name),
                    None,
                    None,
                    block,
                );
                // Observed for the app's whole life: never removed.
                std::mem::forget(token);
            }
        }
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use gtk::prelude::*;
    use std::path::PathBuf;
    use tray_icon::TrayIcon;
    use tray_icon::menu::{ContextMenu, Menu};

    /// Where tray-icon writes the icon's PNG (it hands AppIndicator a file path as the icon's
    /// name): the user's runtime directory, private to them, else the temporary directory.
    pub fn icon_dir() -> PathBuf {
        std::env::var_os("XDG_RUNTIME_DIR")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .unwrap_or_else(std::env::temp_dir)
            .join("usage-tracker")
    }

    /// See [`super::label_in_icon`]: `desktop` is `XDG_CURRENT_DESKTOP`, a colon-separated list.
    pub fn host_draws_no_label(desktop: Option<&str>) -> bool {
        const DRAW_LABELS: [&str; 4] = ["gnome", "unity", "ubuntu", "pantheon"];
        !desktop.unwrap_or("").split(':').any(|d| {
            let d = d.trim().to_ascii_lowercase();
            DRAW_LABELS.iter().any(|l| d.contains(l))
        })
    }

    /// The icon file tray-icon wrote last: `tray-icon-<id>-<n>.png` in [`icon_dir`], `n`
    /// counting its `set_icon` calls (it removes the file before); the highest `n` present.
    fn current_icon_file(id: &str) -> Option<PathBuf> {
        let prefix = format!("tray-icon-{id}-");
        std::fs::read_dir(icon_dir())
            .ok()?
            .filter_map(|e| {
                let name = e.ok()?.file_name().into_string().ok()?;
                let n: u32 = name
                    .strip_prefix(&prefix)?
                    .strip_suffix(".png")?
                    .parse()
                    .ok()?;
                Some((n, name))
            })
            .max()
            .map(|(_, name)| icon_dir().join(name))
    }

    pub fn describe(icon: &TrayIcon, text: &str) {
        // AppIndicator takes the icon's name and its description in one call, so the name
        // must be given again: the file tray-icon wrote last (a title drawn into the icon
        // writes a new one at each change). Checked, not assumed: should that naming change,
        // the description stays tray-icon's rather than the icon going blank.
        let name = current_icon_file(&icon.id().0)
            .unwrap_or_else(|| icon_dir().join(format!("tray-icon-{}-0.png", icon.id().0)));
        // SAFETY: `app_indicator` is tray-icon's way to reach its AppIndicator, valid while
        // `icon` lives (borrowed here). The wrapper's methods take `&mut self` but only pass
        // the GObject pointer it holds to libappindicator: nothing in the Rust struct is
        // written. No other reference to it is in use: tray-icon touches it only inside its
        // own calls, and this runs on the UI thread between them.
        let indicator = unsafe { &mut *icon.app_indicator().cast_mut() };
        if name.is_file() {
            indicator.set_icon_full(&name.to_string_lossy(), text);
        } else {
            tracing::warn!(
                "tray icon file {} not found: the icon keeps tray-icon's description",
                name.display()
            );
        }
        indicator.set_title(text);
    }

    /// See [`super::relabel_submenu`]. Walks the GTK menu muda built for `menu` (the one
    /// tray-icon gave AppIndicator: muda builds it once and hands out the same one) down `path`
    /// and sets the first label in the item's box.
    pub fn relabel_submenu(menu: &Menu, path: &[usize], text: &str) -> bool {
        let Some((&last, down)) = path.split_last() else {
            return false;
        };
        let mut level = menu.gtk_context_menu();
        for &position in down {
            let Some(next) = item_at(&level, position)
                .and_then(|i| i.submenu())
                .and_then(|m| m.downcast::<gtk::Menu>().ok())
            else {
                return false;
            };
            level = next;
        }
        let Some(label) = item_at(&level, last)
            .filter(|i| i.submenu().is_some())
            .and_then(|i| i.child())
            .and_then(|c| first_label(&c))
        else {
            return false;
        };
        label.set_label(&mnemonic(text));
        true
    }

    fn item_at(menu: &gtk::Menu, position: usize) -> Option<gtk::MenuItem> {
        menu.children()
            .into_iter()
            .nth(position)
            .and_then(|w| w.downcast::<gtk::MenuItem>().ok())
    }

    fn first_label(w: &gtk::Widget) -> Option<gtk::Label> {
        if let Some(l) = w.downcast_ref::<gtk::Label>() {
            return Some(l.clone());
        }
        w.downcast_ref::<gtk::Container>()?
            .children()
            .iter()
            .find_map(first_label)
    }

    /// The text as muda writes a label for GTK (its labels use underlines as mnemonics): `_`
    /// doubled, `&&` a literal `&`, a lone `&` the mnemonic's `_`. The same text then shows the
    /// same, whether the submenu was built or relabelled.
    pub(super) fn mnemonic(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '_' => out.push_str("__"),
                '&' if chars.peek() == Some(&'&') => {
                    chars.next();
                    out.push('&');
                }
                '&' => out.push('_'),
                c => out.push(c),
            }
        }
        out
    }
}

/// Sets the label of the submenu at `path` (its position in `menu`, then in each submenu on the
/// way down) to `text` in place, as every other row is updated; `false` where that cannot be
/// done, and the caller replaces the submenu instead. On macOS `Submenu::set_text` sets the
/// NSMenuItem's title. On Linux it does not show: muda builds a submenu's GTK item around a box
/// (icon and label), and its `set_text` calls `gtk_menu_item_set_label`, which changes only a
/// label that is the item's direct child. Here the label inside that box is set, in the GTK menu
/// tray-icon handed to AppIndicator; dbusmenu sends the one changed property to the tray host,
/// where a replaced submenu made it send, and the host fetch, the whole menu again.
pub fn relabel_submenu(
    menu: &tray_icon::menu::Menu,
    path: &[usize],
    submenu: &tray_icon::menu::Submenu,
    text: &str,
) -> bool {
    #[cfg(target_os = "macos")]
    {
        let _ = (menu, path);
        submenu.set_text(text);
        true
    }
    #[cfg(target_os = "linux")]
    {
        let _ = submenu;
        linux::relabel_submenu(menu, path, text)
    }
    #[cfg(not(any(target_os = "macos", target_os = "linux")))]
    {
        let _ = (menu, path, submenu, text);
        false
    }
}

/// Hands the heap's free pages back to the system (glibc on Linux: `malloc_trim`), after a
/// refresh has been shown. Each refresh parses a few hundred kB of JSON on the network thread
/// and builds menu rows on this one; glibc keeps what they freed, spread over the arenas of the
/// threads that used it, as resident memory for the process's life. Elsewhere a no-op.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn malloc_trim(pad: usize) -> std::ffi::c_int;
        }
        // SAFETY: glibc's malloc_trim takes a size and touches only the allocator's own state,
        // under its own locks; any thread may call it at any time.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// Makes sure the event loop wakes after `wait`, for a `ControlFlow::WaitUntil` of that long.
/// tao 0.37 on Linux waits in GTK's main iteration without arming a timer for `WaitUntil`
/// (`platform_impl/linux/event_loop.rs`: no event → a blocking iteration), so the app's timed
/// checks (the stale mark, "Waiting for the API…", the menu-open expiry) would wait for some
/// other event; a one-shot GLib timeout ends that iteration on time. Elsewhere tao keeps the
/// deadline itself: a no-op.
pub fn wake_after(wait: std::time::Duration) {
    #[cfg(target_os = "linux")]
    {
        glib::timeout_add_local_once(wait, || {});
    }
    #[cfg(not(target_os = "linux"))]
    let _ = wait;
}

pub use usage_tracker_core::app::ports::{NO_HOST_ADVICE, TrayHost};

/// Asks the session bus for a StatusNotifierWatcher with a host registered (Linux); macOS
/// always has the menu bar. Started with the desktop (at login) the app may come before the
/// panel: without a host yet, it waits up to [`HOST_WAIT`] for one, woken by the bus's
/// `NameOwnerChanged` and the watcher's `StatusNotifierHostRegistered` (no polling), before
/// saying there is none. Blocks: call it off the UI thread, on the runtime's blocking pool.
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

/// How long a missing tray host is waited for before the app says there is none.
pub const HOST_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

#[cfg(target_os = "linux")]
const WATCHER: &str = "org.kde.StatusNotifierWatcher";

#[cfg(target_os = "linux")]
fn linux_tray_host() -> TrayHost {
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
    let missing = || TrayHost::Missing(NO_HOST_ADVICE.to_owned());
    match ask() {
        Ok(true) => TrayHost::Present,
        Ok(false) => match tokio::runtime::Handle::try_current() {
            Ok(rt) => match rt.block_on(wait_for_host(HOST_WAIT)) {
                Ok(true) => TrayHost::Present,
                Ok(false) => missing(),
                Err(e) => TrayHost::Unknown(e.to_string()),
            },
            Err(_) => missing(),
        },
        Err(e) => TrayHost::Unknown(e.to_string()),
    }
}

/// Whether a StatusNotifierWatcher with a host registered is on the bus now.
#[cfg(target_os = "linux")]
async fn host_registered(conn: &zbus::Connection) -> zbus::Result<bool> {
    let bus = zbus::fdo::DBusProxy::new(conn).await?;
    if !bus.name_has_owner(WATCHER.try_into()?).await? {
        return Ok(false);
    }
    let watcher = zbus::proxy::Builder::<zbus::Proxy>::new(conn)
        .destination(WATCHER)?
        .path("/StatusNotifierWatcher")?
        .interface(WATCHER)?
        .cache_properties(zbus::proxy::CacheProperties::No)
        .build()
        .await?;
    watcher
        .get_property::<bool>("IsStatusNotifierHostRegistered")
        .await
}

/// Waits up to `within` for a tray host: `true` as soon as one is registered.
#[cfg(target_os = "linux")]
async fn wait_for_host(within: std::time::Duration) -> zbus::Result<bool> {
    use std::task::Poll;
    use zbus::export::futures_core::Stream;
    let conn = zbus::Connection::session().await?;
    let bus = zbus::fdo::DBusProxy::new(&conn).await?;
    // Subscribed before asking, so that a host coming in between is not missed.
    let owners = bus
        .receive_name_owner_changed_with_args(&[(0, WATCHER)])
        .await?;
    let rule = zbus::MatchRule::builder()
        .msg_type(zbus::message::Type::Signal)
        .interface(WATCHER)?
        .member("StatusNotifierHostRegistered")?
        .build();
    let hosts = zbus::MessageStream::for_match_rule(rule, &conn, None).await?;
    let (mut owners, mut hosts) = (std::pin::pin!(owners), std::pin::pin!(hosts));
    let deadline = tokio::time::Instant::now() + within;
    loop {
        if host_registered(&conn).await? {
            return Ok(true);
        }
        // Either signal means: ask again.
        let changed = std::future::poll_fn(|cx| {
            if let Poll::Ready(s) = owners.as_mut().poll_next(cx) {
                return Poll::Ready(s.is_some());
            }
            hosts.as_mut().poll_next(cx).map(|s| s.is_some())
        });
        match tokio::time::timeout_at(deadline, changed).await {
            Ok(true) => {}
            Ok(false) | Err(_) => return Ok(false),
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::linux::host_draws_no_label;

    #[test]
    fn the_title_goes_into_the_icon_except_on_desktops_whose_host_draws_labels() {
        for d in ["XFCE", "KDE", "LXQt", "", "X-Cinnamon"] {
            assert!(host_draws_no_label(Some(d)), "{d}");
        }
        assert!(host_draws_no_label(None));
        for d in [
            "GNOME",
            "ubuntu:GNOME",
            "Unity",
            "Pantheon",
            "GNOME-Flashback:GNOME",
        ] {
            assert!(!host_draws_no_label(Some(d)), "{d}");
        }
    }
}
