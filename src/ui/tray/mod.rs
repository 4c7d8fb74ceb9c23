//! The menu-bar renderer: tao owns the main thread, tray-icon shows the icon and title, muda the
//! menu. It renders a [`TrayView`] and forwards menu and tray events to the event loop as user
//! events; it decides nothing. Runs on the main (UI) thread only.
//!
//! Rendering updates rows in place (text, enabled, checked) while the menu keeps its shape, and
//! rebuilds the menu only when rows come or go (a new model, an alert, the key list).

mod icon;

use crate::ui::view::{Action, Node, TrayView};
use tao::event_loop::EventLoopProxy;
use tray_icon::menu::{
    CheckMenuItem, IsMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem, Submenu,
};
use tray_icon::{TrayIcon, TrayIconBuilder, TrayIconEvent};

/// What the renderer reports to the event loop.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrayInput {
    Menu(Action),
    /// The icon was clicked (macOS: the menu is opening).
    Clicked,
}

/// A rendered row, kept to update it in place.
enum Row {
    Item(MenuItem),
    Check(CheckMenuItem),
    Sub(Submenu),
    Separator,
}

pub struct Tray {
    icon: TrayIcon,
    rows: Vec<Row>,
    shown: TrayView,
}

/// The rows' kinds and ids in order, children included: equal shapes update in place.
fn shape(nodes: &[Node], out: &mut Vec<String>) {
    for n in nodes {
        match n {
            Node::Info(_) => out.push("i".into()),
            Node::Item { action, .. } => out.push(format!("a{}", action.id())),
            Node::Check { action, .. } => out.push(format!("c{}", action.id())),
            Node::Separator => out.push("-".into()),
            Node::Submenu { children, .. } => {
                out.push("[".into());
                shape(children, out);
                out.push("]".into());
            }
        }
    }
}

fn same_shape(a: &[Node], b: &[Node]) -> bool {
    let (mut x, mut y) = (Vec::new(), Vec::new());
    shape(a, &mut x);
    shape(b, &mut y);
    x == y
}

fn build(nodes: &[Node], rows: &mut Vec<Row>) -> Vec<Box<dyn IsMenuItem>> {
    let mut out: Vec<Box<dyn IsMenuItem>> = Vec::new();
    for n in nodes {
        match n {
            Node::Info(text) => {
                let i = MenuItem::new(text, false, None);
                rows.push(Row::Item(i.clone()));
                out.push(Box::new(i));
            }
            Node::Item {
                action,
                text,
                enabled,
            } => {
                let i = MenuItem::with_id(action.id(), text, *enabled, None);
                rows.push(Row::Item(i.clone()));
                out.push(Box::new(i));
            }
            Node::Check {
                action,
                text,
                checked,
                enabled,
            } => {
                let i = CheckMenuItem::with_id(action.id(), text, *enabled, *checked, None);
                rows.push(Row::Check(i.clone()));
                out.push(Box::new(i));
            }
            Node::Separator => {
                rows.push(Row::Separator);
                out.push(Box::new(PredefinedMenuItem::separator()));
            }
            Node::Submenu { text, children } => {
                let sub = Submenu::new(text, true);
                rows.push(Row::Sub(sub.clone()));
                let items = build(children, rows);
                let refs: Vec<&dyn IsMenuItem> = items.iter().map(|b| b.as_ref()).collect();
                if let Err(e) = sub.append_items(&refs) {
                    tracing::warn!("menu: {e}");
                }
                out.push(Box::new(sub));
            }
        }
    }
    out
}

fn menu_of(view: &TrayView) -> (Menu, Vec<Row>) {
    let mut rows = Vec::new();
    let items = build(&view.menu, &mut rows);
    let menu = Menu::new();
    let refs: Vec<&dyn IsMenuItem> = items.iter().map(|b| b.as_ref()).collect();
    if let Err(e) = menu.append_items(&refs) {
        tracing::warn!("menu: {e}");
    }
    (menu, rows)
}

/// Applies `new` to rows rendered from a view of the same shape. Check items are always set:
/// a click toggles them natively before the app decides (and may refuse).
fn update(rows: &mut std::slice::Iter<'_, Row>, old: &[Node], new: &[Node]) {
    for (o, n) in old.iter().zip(new) {
        let Some(row) = rows.next() else { return };
        match (row, n) {
            (Row::Item(i), Node::Info(t)) if o != n => i.set_text(t),
            (Row::Item(i), Node::Item { text, enabled, .. }) if o != n => {
                i.set_text(text);
                i.set_enabled(*enabled);
            }
            (
                Row::Check(i),
                Node::Check {
                    text,
                    checked,
                    enabled,
                    ..
                },
            ) => {
                if o != n {
                    i.set_text(text);
                    i.set_enabled(*enabled);
                }
                i.set_checked(*checked);
            }
            (Row::Sub(s), Node::Submenu { text, children }) => {
                if let Node::Submenu {
                    text: old_text,
                    children: old_children,
                } = o
                {
                    if old_text != text {
                        s.set_text(text);
                    }
                    update(rows, old_children, children);
                }
            }
            _ => {}
        }
    }
}

impl Tray {
    /// Shows the icon with `view`. Call once the event loop has started (`StartCause::Init`).
    pub fn new(view: &TrayView) -> Result<Tray, String> {
        let (menu, rows) = menu_of(view);
        let mut builder = TrayIconBuilder::new()
            .with_id("usage-tracker")
            .with_menu(Box::new(menu))
            .with_title(&view.title)
            .with_tooltip(&view.tooltip);
        // The artwork is embedded and known good; should it ever fail to decode, the title alone
        // still shows the numbers and the menu.
        match icon::template_icon() {
            #[cfg(target_os = "macos")]
            Ok(icon) => builder = builder.with_icon_templated(icon),
            #[cfg(not(target_os = "macos"))]
            Ok(icon) => builder = builder.with_icon(icon),
            Err(e) => tracing::error!("no tray icon, showing the title only: {e}"),
        }
        let icon = builder
            .build()
            .map_err(|e| format!("cannot show the menu-bar icon: {e}"))?;
        Ok(Tray {
            icon,
            rows,
            shown: view.clone(),
        })
    }

    pub fn render(&mut self, view: &TrayView) {
        if view.title != self.shown.title {
            self.icon.set_title(Some(&view.title));
        }
        if view.tooltip != self.shown.tooltip {
            let _ = self.icon.set_tooltip(Some(&view.tooltip));
        }
        if same_shape(&self.shown.menu, &view.menu) {
            update(&mut self.rows.iter(), &self.shown.menu, &view.menu);
        } else {
            let (menu, rows) = menu_of(view);
            self.icon.set_menu(Some(Box::new(menu)));
            self.rows = rows;
        }
        self.shown = view.clone();
    }
}

/// Sends menu clicks and icon clicks to the event loop as user events made by `wrap`. The loop
/// keeps sleeping between them (no polling of the global channels).
pub fn forward_events<T: 'static + Send>(
    proxy: EventLoopProxy<T>,
    wrap: impl Fn(TrayInput) -> T + Send + Sync + Clone + 'static,
) {
    let (p, w) = (proxy.clone(), wrap.clone());
    MenuEvent::set_event_handler(Some(move |e: MenuEvent| {
        if let Some(action) = Action::parse(&e.id.0) {
            let _ = p.send_event(w(TrayInput::Menu(action)));
        }
    }));
    TrayIconEvent::set_event_handler(Some(move |e: TrayIconEvent| {
        if let TrayIconEvent::Click { .. } = e {
            let _ = proxy.send_event(wrap(TrayInput::Clicked));
        }
    }));
}
