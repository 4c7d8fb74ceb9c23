//! The smallest tao + tray-icon menu-bar app: an icon, a title and a three-row menu, an event
//! loop that sleeps (`ControlFlow::Wait`). `scripts/measure-tray.sh` runs it beside the real
//! app on the same desktop, so the app's resident memory and wake-ups are measured as a ratio to
//! what the toolkit alone costs (issue 20's "Weight": at most 1.3x the memory, 2x the wake-ups).
//!
//! `cargo run --example bare_tray` (needs a desktop; the `app` feature, on by default).

#[cfg(feature = "app")]
fn main() {
    use tao::event::{Event, StartCause};
    use tao::event_loop::{ControlFlow, EventLoopBuilder};
    use tray_icon::menu::{Menu, MenuItem, PredefinedMenuItem};
    use tray_icon::{Icon, TrayIconBuilder};

    let event_loop = EventLoopBuilder::new().build();
    let mut _tray = None;
    event_loop.run(move |event, _, flow| {
        *flow = ControlFlow::Wait;
        if let Event::NewEvents(StartCause::Init) = event {
            let menu = Menu::new();
            let rows = [
                &MenuItem::new("bare tray", false, None) as &dyn tray_icon::menu::IsMenuItem,
                &PredefinedMenuItem::separator(),
                &MenuItem::new("Quit", true, None),
            ];
            menu.append_items(&rows).expect("menu");
            // A plain 16 px square: the artwork is not what is measured.
            let icon = Icon::from_rgba(vec![0x80; 16 * 16 * 4], 16, 16).expect("icon");
            let dir = std::env::var_os("XDG_RUNTIME_DIR")
                .map(std::path::PathBuf::from)
                .unwrap_or_else(std::env::temp_dir)
                .join("bare-tray");
            _tray = Some(
                TrayIconBuilder::new()
                    .with_id("bare-tray")
                    .with_menu(Box::new(menu))
                    .with_title("bare")
                    .with_tooltip("bare tray")
                    .with_icon(icon)
                    .with_temp_dir_path(dir)
                    .build()
                    .expect("tray icon"),
            );
        }
    });
}

#[cfg(not(feature = "app"))]
fn main() {
    eprintln!("bare_tray needs the `app` feature");
    std::process::exit(2);
}
