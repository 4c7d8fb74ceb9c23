//! The menu-bar renderer: tao owns the main thread, tray-icon shows the icon and title, muda the
//! menu. It renders a [`TrayView`] and forwards menu and tray events to the event loop as user
//! events; it decides nothing. Runs on the main (UI) thread only.
//!
//! Rendering updates rows in place (text, enabled, checked) while the menu keeps its shape, and
//! rebuilds the menu only when rows come or go (a new model, an alert, the key list); the core
//! holds such a rebuild back while the menu is open. Only what changed is set: each call on a
//! shown row is a message to the tray host on Linux (dbusmenu), and a refresh changes a few
//! figures among dozens of rows. A submenu whose own label changed is relabelled in place
//! (`platform::menu_bar::relabel_submenu`), or replaced by a fresh one at its position where the
//! platform cannot relabel it.

mod diff;
mod icon;
mod label;
mod panel_font;

use crate::platform::menu_bar;
use crate::ui::view::{Action, Node, TrayView, same_shape};
use diff::Change;
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
    /// The tray host shows no label: the title is drawn into the icon
    /// ([`menu_bar::label_in_icon`]).
    label_in_icon: bool,
}

/// The icon, with `title` drawn into it when `label_in_icon`.
fn tray_icon_for(title: &str, label_in_icon: bool) -> Result<tray_icon::Icon, String> {
    let img = icon::template_rgba()?;
    let img = if label_in_icon {
        label::panel_icon(&img, title)
    } else {
        img
    };
    icon::icon_of(img)
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

/// What a render set, logged at debug level: the work per refresh.
#[derive(Debug, Default)]
struct Done {
    changes: usize,
    checks: usize,
    relabelled: usize,
    replaced: usize,
}

/// The row at `path`, if the rows have one there.
fn row_at<'a>(rows: &'a mut [Row], path: &[usize]) -> Option<&'a mut Row> {
    let (&first, rest) = path.split_first()?;
    let row = rows.get_mut(first)?;
    match (rest.is_empty(), row) {
        (true, row) => Some(row),
        (false, Row::Sub(_, children)) => row_at(children, rest),
        (false, _) => None,
    }
}

/// The node at `path` in `nodes`.
fn node_at<'a>(nodes: &'a [Node], path: &[usize]) -> Option<&'a Node> {
    let (&first, rest) = path.split_first()?;
    let node = nodes.get(first)?;
    match (rest.is_empty(), node) {
        (true, node) => Some(node),
        (false, Node::Submenu { children, .. }) => node_at(children, rest),
        (false, _) => None,
    }
}

/// Sets the native check marks that differ from `nodes`'s: a click toggles one natively before
/// the app decides (and may refuse), so the view shown last does not say what is shown.
fn sync_checks(rows: &[Row], nodes: &[Node], done: &mut Done) {
    for (row, node) in rows.iter().zip(nodes) {
        match (row, node) {
            (Row::Check(i), Node::Check { checked, .. }) if i.is_checked() != *checked => {
                i.set_checked(*checked);
                done.checks += 1;
            }
            (Row::Sub(_, rows), Node::Submenu { children, .. }) => {
                sync_checks(rows, children, done)
            }
            _ => {}
        }
    }
}

impl Tray {
    /// Turns the rows shown for `self.shown.menu` into `new` (a menu of the same shape), one
    /// [`Change`] at a time. A submenu whose own label changed is relabelled in place, or
    /// rebuilt in its place where the platform cannot relabel it (its rows are then new too).
    fn update(&mut self, new: &[Node], done: &mut Done) {
        let mut rebuilt: Vec<Vec<usize>> = Vec::new();
        for change in diff::changes(&self.shown.menu, new) {
            let path = change.path();
            if rebuilt.iter().any(|p| path.starts_with(p)) {
                continue;
            }
            // The submenu holding the row, for a replacement (`None`: the menu itself).
            let parent = match path.split_last() {
                Some((_, up)) if !up.is_empty() => match row_at(&mut self.rows, up) {
                    Some(Row::Sub(s, _)) => Some(s.clone()),
                    _ => continue,
                },
                _ => None,
            };
            let Some(row) = row_at(&mut self.rows, path) else {
                continue;
            };
            done.changes += 1;
            match (change, &mut *row) {
                (Change::Text(_, t), Row::Item(i)) => i.set_text(t),
                (Change::Text(_, t), Row::Check(i)) => i.set_text(t),
                (Change::Enabled(_, e), Row::Item(i)) => i.set_enabled(e),
                (Change::Enabled(_, e), Row::Check(i)) => i.set_enabled(e),
                (Change::Label(path, t), Row::Sub(s, _)) => {
                    if menu_bar::relabel_submenu(&self.menu, &path, s, t) {
                        done.relabelled += 1;
                        continue;
                    }
                    let Some(node) = node_at(new, &path) else {
                        continue;
                    };
                    let (fresh, item) = build_one(node);
                    if let Some(item) = item {
                        let position = path[path.len() - 1];
                        match &parent {
                            Some(s) => s.replace(position, item.as_ref()),
                            None => self.menu.replace(position, item.as_ref()),
                        }
                    }
                    *row = fresh;
                    done.replaced += 1;
                    rebuilt.push(path);
                }
                _ => {}
            }
        }
        sync_checks(&self.rows, new, done);
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
        let label_in_icon = menu_bar::label_in_icon();
        match tray_icon_for(&view.title, label_in_icon) {
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
            label_in_icon,
        })
    }

    pub fn render(&mut self, view: &TrayView) {
        let refreshed = view.title != self.shown.title;
        if refreshed {
            self.icon.set_title(Some(&view.title));
        }
        let redrawn = refreshed && self.label_in_icon;
        if redrawn {
            match tray_icon_for(&view.title, true).map(|i| self.icon.set_icon(Some(i))) {
                Ok(Ok(())) => {}
                Ok(Err(e)) => tracing::warn!("tray icon: {e}"),
                Err(e) => tracing::warn!("tray icon: {e}"),
            }
        }
        // A new icon comes with tray-icon's description: the app's is given again.
        if view.tooltip != self.shown.tooltip || redrawn {
            let _ = self.icon.set_tooltip(Some(&view.tooltip));
            menu_bar::describe(&self.icon, &view.tooltip);
        }
        let started = std::time::Instant::now();
        let mut done = Done::default();
        if same_shape(&self.shown.menu, &view.menu) {
            self.update(&view.menu, &mut done);
        } else {
            let (menu, rows) = menu_of(view);
            self.icon.set_menu(Some(Box::new(menu.clone())));
            self.menu = menu;
            self.rows = rows;
            tracing::debug!("menu rebuilt ({} top-level rows)", view.menu.len());
        }
        if done.changes + done.checks > 0 {
            tracing::debug!("menu updated in {:?}: {done:?}", started.elapsed());
        }
        self.shown = view.clone();
        if refreshed {
            menu_bar::release_freed_memory();
        }
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
