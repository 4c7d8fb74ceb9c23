//! The menu-bar renderer: tao owns the main thread, tray-icon shows the icon and title, muda the
//! menu. It renders a [`TrayView`] and forwards menu and tray events to the event loop as user
//! events; it decides nothing. Runs on the main (UI) thread only.
//!
//! Rendering updates rows in place (text, enabled, checked) while the menu keeps its shape, and
//! rebuilds the menu only when rows come or go (a new model, an alert, the key list); the core
//! holds such a rebuild back while the menu is open. A submenu whose own label changed is
//! replaced by a fresh one at its position where the platform cannot relabel it (Linux).

mod icon;

use crate::platform::menu_bar;
use crate::ui::view::{Action, Node, TrayView, same_shape};
use tao::event_loop::EventLoopProxy;
use tray_icon::menu::{
    CheckMenuItem, IsMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem, Submenu,
};
use tray_icon::{TrayIcon, TrayIconBuilder, TrayIconEvent};

pub use usage_tracker_core::app::TrayInput;

/// A rendered row, kept to update it in place; a submenu holds its children's rows.
enum Row {
    Item(MenuItem),
    Check(CheckMenuItem),
    Sub(Submenu, Vec<Row>),
    Separator,
}

pub struct Tray {
    icon: TrayIcon,
    menu: Menu,
    rows: Vec<Row>,
    shown: TrayView,
}

/// The menu or a submenu: where a row is replaced.
trait Parent {
    fn replace(&self, position: usize, new: &dyn IsMenuItem);
}

impl Parent for Menu {
    fn replace(&self, position: usize, new: &dyn IsMenuItem) {
        self.remove_at(position);
        if let Err(e) = self.insert(new, position) {
            tracing::warn!("menu: {e}");
        }
    }
}

impl Parent for Submenu {
    fn replace(&self, position: usize, new: &dyn IsMenuItem) {
        self.remove_at(position);
        if let Err(e) = self.insert(new, position) {
            tracing::warn!("menu: {e}");
        }
    }
}

fn build_one(n: &Node) -> (Row, Option<Box<dyn IsMenuItem>>) {
    match n {
        Node::Info(text) => {
            let i = MenuItem::new(text, false, None);
            (Row::Item(i.clone()), Some(Box::new(i)))
        }
        Node::Item {
            action,
            text,
            enabled,
        } => {
            let i = MenuItem::with_id(action.id(), text, *enabled, None);
            (Row::Item(i.clone()), Some(Box::new(i)))
        }
        Node::Check {
            action,
            text,
            checked,
            enabled,
        } => {
            let i = CheckMenuItem::with_id(action.id(), text, *enabled, *checked, None);
            (Row::Check(i.clone()), Some(Box::new(i)))
        }
        Node::Separator => (
            Row::Separator,
            Some(Box::new(PredefinedMenuItem::separator())),
        ),
        Node::Submenu { text, children } => {
            let sub = Submenu::new(text, true);
            let (rows, items) = build(children);
            let refs: Vec<&dyn IsMenuItem> = items.iter().map(|b| b.as_ref()).collect();
            if let Err(e) = sub.append_items(&refs) {
                tracing::warn!("menu: {e}");
            }
            (Row::Sub(sub.clone(), rows), Some(Box::new(sub)))
        }
    }
}

fn build(nodes: &[Node]) -> (Vec<Row>, Vec<Box<dyn IsMenuItem>>) {
    let mut rows = Vec::new();
    let mut items = Vec::new();
    for n in nodes {
        let (row, item) = build_one(n);
        rows.push(row);
        items.extend(item);
    }
    (rows, items)
}

fn menu_of(view: &TrayView) -> (Menu, Vec<Row>) {
    let (rows, items) = build(&view.menu);
    let menu = Menu::new();
    let refs: Vec<&dyn IsMenuItem> = items.iter().map(|b| b.as_ref()).collect();
    if let Err(e) = menu.append_items(&refs) {
        tracing::warn!("menu: {e}");
    }
    (menu, rows)
}

/// Applies `new` to rows rendered from a view of the same shape, under `parent`. Check items
/// are always set: a click toggles them natively before the app decides (and may refuse). A
/// submenu whose own label changed is rebuilt in its place where the label cannot be set.
fn update(parent: &dyn Parent, rows: &mut [Row], old: &[Node], new: &[Node]) {
    for (position, ((row, o), n)) in rows.iter_mut().zip(old).zip(new).enumerate() {
        match (&mut *row, n) {
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
            (
                Row::Sub(s, children),
                Node::Submenu {
                    text,
                    children: new_children,
                },
            ) => {
                let Node::Submenu {
                    text: old_text,
                    children: old_children,
                } = o
                else {
                    continue;
                };
                if old_text == text {
                    update(s, children, old_children, new_children);
                } else if menu_bar::SUBMENU_LABEL_UPDATES_IN_PLACE {
                    s.set_text(text);
                    update(s, children, old_children, new_children);
                } else {
                    let (fresh, item) = build_one(n);
                    if let Some(item) = item {
                        parent.replace(position, item.as_ref());
                    }
                    *row = fresh;
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
            .with_menu(Box::new(menu.clone()))
            .with_title(&view.title)
            .with_tooltip(&view.tooltip);
        // The artwork is embedded and known good; should it ever fail to decode, the title alone
        // still shows the numbers and the menu.
        match icon::template_icon() {
            Ok(icon) => builder = menu_bar::with_icon(builder, icon),
            Err(e) => tracing::error!("no tray icon, showing the title only: {e}"),
        }
        let icon = builder
            .build()
            .map_err(|e| format!("cannot show the menu-bar icon: {e}"))?;
        menu_bar::describe(&icon, &view.tooltip);
        Ok(Tray {
            icon,
            menu,
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
            menu_bar::describe(&self.icon, &view.tooltip);
        }
        if same_shape(&self.shown.menu, &view.menu) {
            update(&self.menu, &mut self.rows, &self.shown.menu, &view.menu);
        } else {
            let (menu, rows) = menu_of(view);
            self.icon.set_menu(Some(Box::new(menu.clone())));
            self.menu = menu;
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
    let (p, w) = (proxy.clone(), wrap.clone());
    TrayIconEvent::set_event_handler(Some(move |e: TrayIconEvent| {
        if let TrayIconEvent::Click { .. } = e {
            let _ = p.send_event(w(TrayInput::Clicked));
        }
    }));
    menu_bar::watch_menu(move |open| {
        let input = if open {
            TrayInput::MenuOpened
        } else {
            TrayInput::MenuClosed
        };
        let _ = proxy.send_event(wrap(input));
    });
}
