//! The menu-bar view model: a pure function from the app's state (latest snapshot, refresh
//! status, settings choices, key list) to plain data — the title and the menu as a tree of
//! rows — and the texts of the notifications. `ui::tray` only renders it; this is where every
//! word and number the menu bar shows is decided, and it is tested without a display.

use crate::alerts::Alert;
use crate::bill::BillSnapshot;
use crate::openai::ErrorKind;
use crate::pricing::TierChoice;
use crate::snapshot::Snapshot;
use crate::ui::format;
use crate::ui::headline::Headline;
use crate::usage::{ModelSummary, Totals};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

pub mod billed;
mod controls;
mod describe;
pub mod glance;
mod menu_id;
mod notice;
pub mod owners;
pub mod period;
pub mod prices;
pub mod stored;
mod usage_kinds;

pub use billed::{check_line, check_notice, monthly_budget_notice};
pub use describe::description;
pub use menu_id::Action;
pub use notice::{
    Notice, budget_notice, key_rejected_notice, save_failed_notice, spike_notice,
    spike_start_notice, subject,
};
pub use stored::{STORED_MARKER, Stored};

/// What the menu-bar title shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TitleFormat {
    #[default]
    TokensAndCost,
    Cost,
    Tokens,
    /// This UTC month's bill (the Costs API), not the live estimate.
    MonthToDate,
}

impl TitleFormat {
    pub const ALL: [TitleFormat; 4] = [
        TitleFormat::TokensAndCost,
        TitleFormat::Cost,
        TitleFormat::Tokens,
        TitleFormat::MonthToDate,
    ];
    pub const ACCEPTED: &'static str = "tokens_and_cost, cost, tokens, month_to_date";

    pub fn as_str(self) -> &'static str {
        match self {
            TitleFormat::TokensAndCost => "tokens_and_cost",
            TitleFormat::Cost => "cost",
            TitleFormat::Tokens => "tokens",
            TitleFormat::MonthToDate => "month_to_date",
        }
    }
}

pub const DASHBOARD_URL: &str = "https://platform.openai.com/usage";
/// Prefix of the title when the data is stale or the last refresh failed.
pub const MARKER: &str = "⚠";
pub const LOADING_TITLE: &str = "…";
pub const WAITING_TITLE: &str = "Waiting for the API…";
pub const NO_KEY_TITLE: &str = "Set admin key…";
/// The lookbacks the menu offers, in hours, with their labels.
pub const LOOKBACKS: [(u32, &str); 4] = [(1, "1 h"), (6, "6 h"), (24, "24 h"), (168, "7 d")];

/// Why the last refresh failed and when the next try comes (unix seconds).
#[derive(Clone, Debug, PartialEq)]
pub struct FailureView {
    pub kind: ErrorKind,
    pub retry_at: Option<i64>,
}

pub use super::keys::KeyChoice;

#[derive(Clone, Debug, PartialEq)]
pub enum KeyList {
    Loading,
    Loaded(Vec<KeyChoice>),
    Failed(ErrorKind),
}

/// The choices the menu changes (and saves).
#[derive(Clone, Debug, PartialEq)]
pub struct Choices {
    pub title: TitleFormat,
    pub lookback_hours: f64,
    /// A calendar Lookback ("Today (UTC)", ...): it, not `lookback_hours`, is the window.
    pub calendar: Option<crate::plan::periods::Calendar>,
    pub tier: TierChoice,
    pub api_key_ids: Vec<String>,
}

/// Everything the menu bar shows, as the app holds it.
#[derive(Clone, Debug)]
pub struct TrayState {
    pub has_key: bool,
    /// No key in the settings: the secret store is being read (at start, maybe behind a
    /// Keychain prompt). Not known to be missing yet, so not "Set admin key…".
    pub reading_key: bool,
    pub snapshot: Option<Arc<Snapshot>>,
    pub failure: Option<FailureView>,
    pub refreshing: bool,
    /// A refresh has run longer than a normal one: the client is retrying or waiting on the
    /// server's `Retry-After`.
    pub waiting: bool,
    pub choices: Choices,
    /// A selection of several keys (from the settings file), offered as one choice so that
    /// picking a single key does not lose it.
    pub key_set: Vec<String>,
    pub keys: KeyList,
    /// `None` when the state could not be read.
    pub login_item: Option<bool>,
    /// Registered but waiting for the user's approval in the system settings (macOS).
    pub login_needs_approval: bool,
    /// What this run was started with that a start at login would not have, as given
    /// (`--daily-budget`, `USAGE_TRACKER_BASE_URL`): offered to be saved while launch at login
    /// is on.
    pub startup_options: Vec<String>,
    pub interval_secs: u64,
    /// `(spent today, budget)` when a daily budget is set and known.
    pub budget: Option<(f64, f64)>,
    /// The bill (Costs API): last good figures, the failure that makes them stale, the check.
    pub bill: Option<Arc<BillSnapshot>>,
    /// USD per UTC month, when set: the bill plus today's estimate not yet billed.
    pub monthly_budget: Option<f64>,
    /// The recent past: pace and the two sparklines (`None` until the first glance).
    pub glance: Option<Arc<crate::figures::glance::Glance>>,
    /// Why "Open report…" is disabled (history is off, no data folder); `None`: it can open.
    pub report_unavailable: Option<String>,
    /// Figures from the history store until the first refresh, and why the store is off.
    pub stored: Stored,
    pub version: String,
    /// `--demo`: nothing of the user's system is written, so the rows that would (Launch at
    /// login, Set Admin Key…) are not offered.
    pub demo: bool,
}

/// One menu row.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// A disabled row of information.
    Info(String),
    Item {
        action: Action,
        text: String,
        enabled: bool,
    },
    Check {
        action: Action,
        text: String,
        checked: bool,
        enabled: bool,
    },
    Submenu {
        text: String,
        children: Vec<Node>,
    },
    Separator,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TrayView {
    pub title: String,
    /// The tooltip and the icon's accessible description ([`description`]).
    pub tooltip: String,
    pub menu: Vec<Node>,
}

/// Data older than this many intervals is stale (the refresh loop is stuck or backing off).
pub const STALE_INTERVALS: i64 = 3;

impl TrayState {
    /// Live figures older than [`STALE_INTERVALS`]; stored figures carry their own mark.
    pub fn is_stale(&self, now_ms: i64) -> bool {
        !self.shows_stored()
            && self.snapshot.as_ref().is_some_and(|s| {
                now_ms - s.fetched_at_ms > STALE_INTERVALS * 1000 * self.interval_secs.max(1) as i64
            })
    }
}

pub fn tray_view(state: &TrayState, now_ms: i64) -> TrayView {
    let title = title(state, now_ms);
    let mut menu = header(state, now_ms);
    // Active spikes right under the header: what needs attention now, before any figure.
    menu.extend(alert_rows(active_alerts(state)));
    menu.push(Node::Separator);
    // With the By key and By project sections, the biggest model only is a row of its own:
    // the two sections take the two rows, so the menu stays as tall.
    let sections = owners::owner_rows(state, now_ms / 1000);
    let top_models = if sections.is_empty() {
        TOP_MODELS
    } else {
        TOP_MODELS_WITH_OWNERS
    };
    menu.extend(model_rows(state, top_models));
    if let Some(s) = &state.snapshot {
        menu.extend(usage_kinds::kind_rows(s));
    }
    menu.extend(sections);
    if state.has_key {
        menu.push(Node::Separator);
        menu.extend(glance::glance_rows(state));
        menu.push(Node::Separator);
        let checks = state
            .snapshot
            .as_ref()
            .map(|s| prices::check_rows(s))
            .unwrap_or_default();
        menu.extend(billed::billed_rows(state, now_ms, checks));
    }
    menu.push(Node::Separator);
    menu.extend(controls::controls(state));
    let tooltip = description(state, now_ms);
    TrayView {
        title,
        tooltip,
        menu,
    }
}

/// The spike alerts active now. A stored spike is not one now: alerts come with the first
/// refresh.
pub fn active_alerts(state: &TrayState) -> &[Alert] {
    match &state.snapshot {
        Some(s) if !state.shows_stored() => &s.alerts[..],
        _ => &[],
    }
}

/// The menu-bar title: figures (per the title setting), `…` while loading, a marker when stale
/// or failed, a prompt without a key.
pub fn title(state: &TrayState, now_ms: i64) -> String {
    spike_marked(title_text(state, now_ms), !active_alerts(state).is_empty())
}

/// The title's words, before the spike mark.
fn title_text(state: &TrayState, now_ms: i64) -> String {
    if !state.has_key {
        let t = if state.reading_key {
            LOADING_TITLE
        } else {
            NO_KEY_TITLE
        };
        return t.to_owned();
    }
    if state.choices.title == TitleFormat::MonthToDate {
        return billed::month_title(state, now_ms);
    }
    match (&state.snapshot, &state.failure) {
        (None, None) if state.waiting => WAITING_TITLE.to_owned(),
        (None, None) => LOADING_TITLE.to_owned(),
        (None, Some(f)) => format!("{MARKER} {}", f.kind.label()),
        (Some(s), failure) => {
            let figures = title_figures(state.choices.title, &usage_kinds::whole(s));
            let warn = failure.is_some() || state.is_stale(now_ms);
            format!("{}{figures}", stored::title_marks(state, warn))
        }
    }
}

pub fn title_figures(format: TitleFormat, totals: &Totals) -> String {
    let tokens = format::tokens_short(totals.total_tokens);
    match format {
        TitleFormat::TokensAndCost => format!("{tokens} · {}", short_cost(totals)),
        TitleFormat::Cost => short_cost(totals),
        TitleFormat::Tokens => tokens,
        // Not the estimate's: the title shows the bill (see `billed::month_title`).
        TitleFormat::MonthToDate => short_cost(totals),
    }
}

/// `$3.45`; `$3.45+` when some models have no price; `—` when none has.
pub(super) fn short_cost(t: &Totals) -> String {
    if t.unpriced_models > 0 && t.cost_usd == 0.0 {
        format::UNPRICED.to_owned()
    } else if t.unpriced_models > 0 {
        format!("{}+", format::usd(t.cost_usd))
    } else {
        format::usd(t.cost_usd)
    }
}

fn lookback_label(hours: f64) -> String {
    LOOKBACKS
        .iter()
        .find(|(h, _)| f64::from(*h) == hours)
        .map_or_else(|| format!("{hours} h"), |(_, l)| (*l).to_owned())
}

/// The headline of the figures shown ([`Headline`]): the window's whole estimate, today, the
/// month so far and the pace, with the bill and the glance the app holds.
pub fn headline(state: &TrayState, now_ms: i64) -> Option<Headline> {
    let s = state.snapshot.as_ref()?;
    let bill = state.bill.as_deref().and_then(|b| b.bill.as_ref());
    Some(Headline::new(
        s,
        bill,
        state.glance.as_deref(),
        now_ms / 1000,
    ))
}

/// The header's first rows: the headline's lines, the pace loading until the first glance.
fn headline_rows(state: &TrayState, now_ms: i64) -> Vec<String> {
    let Some(h) = headline(state, now_ms) else {
        return Vec::new();
    };
    // Always three rows, so that the glance's arrival relabels them in place.
    let pace = if state.glance.is_none() {
        glance::PACE_LOADING.to_owned()
    } else {
        h.pace_line()
    };
    vec![h.lines[0].clone(), h.today_month_line(), pace]
}

/// The name of a tracked key, once the key list has it.
pub(crate) fn key_name(state: &TrayState, id: &str) -> Option<String> {
    match &state.keys {
        KeyList::Loaded(keys) => keys
            .iter()
            .find(|k| k.id == id)
            .and_then(|k| k.name.clone()),
        _ => None,
    }
}

fn key_row(state: &TrayState) -> String {
    let ids = &state.choices.api_key_ids;
    match ids.as_slice() {
        [] => format!("Key: {}", format::key_ids(ids)),
        [id] => {
            key_name(state, id).map_or_else(|| format!("Key: {id}"), |n| format!("Key: {n} ({id})"))
        }
        // Several keys: each named once the key list has it, as `once` and `watch` name them.
        _ => format!(
            "Keys: {}",
            ids.iter()
                .map(|id| key_name(state, id).map_or_else(|| id.clone(), |n| format!("{n} ({id})")))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// Tracked ids that no project of the organization has, once the key list is known.
pub fn unknown_keys(state: &TrayState) -> impl Iterator<Item = &str> {
    let keys = match &state.keys {
        KeyList::Loaded(keys) => &keys[..],
        _ => &[],
    };
    let loaded = matches!(state.keys, KeyList::Loaded(_));
    state
        .choices
        .api_key_ids
        .iter()
        .filter(move |id| loaded && !keys.iter().any(|k| &k.id == *id))
        .map(String::as_str)
}

/// The rows' kinds and ids in order, children included: two views of the same shape differ
/// only in texts and states, so a renderer can update one into the other in place.
pub fn same_shape(a: &[Node], b: &[Node]) -> bool {
    fn walk<'a>(nodes: &'a [Node], out: &mut Vec<(u8, Option<&'a Action>)>) {
        for n in nodes {
            match n {
                Node::Info(_) => out.push((b'i', None)),
                Node::Item { action, .. } => out.push((b'a', Some(action))),
                Node::Check { action, .. } => out.push((b'c', Some(action))),
                Node::Separator => out.push((b'-', None)),
                Node::Submenu { children, .. } => {
                    out.push((b'[', None));
                    walk(children, out);
                    out.push((b']', None));
                }
            }
        }
    }
    let (mut x, mut y) = (Vec::new(), Vec::new());
    walk(a, &mut x);
    walk(b, &mut y);
    x == y
}

/// "invalid key", "rate limited until 14:05", "offline · retry at 14:05".
pub fn failure_text(f: &FailureView) -> String {
    match (f.kind, f.retry_at) {
        (ErrorKind::RateLimited, Some(t)) => format!("rate limited until {}", format::local_hm(t)),
        (kind, Some(t)) => format!("{} · retry at {}", kind.label(), format::local_hm(t)),
        (kind, None) => kind.label().to_owned(),
    }
}

fn header(state: &TrayState, now_ms: i64) -> Vec<Node> {
    if state.reading_key && !state.has_key {
        return vec![Node::Info("Reading the admin key…".into())];
    }
    if !state.has_key {
        return vec![
            Node::Info("No admin key: choose Set Admin Key…".into()),
            Node::Info("Create one at platform.openai.com › Admin keys".into()),
        ];
    }
    let mut rows = Vec::new();
    match &state.snapshot {
        Some(_) => {
            rows.extend(headline_rows(state, now_ms).into_iter().map(Node::Info));
            rows.push(Node::Info(key_row(state)));
            let mut updated = stored::header_row(state, now_ms).unwrap_or_else(|| {
                let at = state
                    .snapshot
                    .as_ref()
                    .map_or(0, |s| s.fetched_at_ms / 1000);
                format!("Updated {}", format::local_hm(at))
            });
            if state.waiting {
                updated.push_str(" · waiting for the API…");
            } else if state.refreshing {
                updated.push_str(" · refreshing…");
            }
            rows.push(Node::Info(updated));
        }
        None => {
            rows.push(Node::Info(if state.failure.is_some() {
                "No data yet".into()
            } else if state.waiting {
                WAITING_TITLE.into()
            } else {
                "Loading…".into()
            }));
            rows.push(Node::Info(key_row(state)));
        }
    }
    rows.extend(
        unknown_keys(state)
            .map(|id| Node::Info(format!("{MARKER} {id} is not a key of this organization"))),
    );
    if let Some(f) = &state.failure {
        rows.push(Node::Info(format!(
            "{MARKER} Last refresh failed: {}",
            failure_text(f)
        )));
    }
    rows.extend(stored::notice_rows(state));
    if let Some((spent, budget)) = state.budget {
        // The daily budget's day is local (the headline's today is the UTC day's).
        rows.push(Node::Info(format!(
            "Today (local): {} of {} daily budget",
            format::usd(spent),
            format::usd(budget)
        )));
    }
    rows
}

pub use super::unpriced::unpriced_tiers_text;

/// `gpt-4o   812k tok · $2.10`
pub fn model_row_text(m: &ModelSummary) -> String {
    let cost = m
        .cost_usd
        .map_or_else(|| format::UNPRICED.to_owned(), format::usd);
    format!(
        "{}   {} tok · {cost}",
        m.model,
        format::tokens_short(m.total_tokens)
    )
}

/// The models shown at the top level, biggest first; the rest go under "N more models…".
pub const TOP_MODELS: usize = 3;

/// The models shown at the top level with the By key and By project sections.
pub const TOP_MODELS_WITH_OWNERS: usize = 1;

/// `12 more models…`: the submenu holding the models past [`TOP_MODELS`].
pub fn more_models_text(n: usize) -> String {
    format!("{} more models…", n)
}

/// The biggest models (the summary is sorted by cost) one row each, the rest in one submenu,
/// so that a large organization's menu still fits on the screen. One model more than
/// [`TOP_MODELS`] is shown as a row of its own rather than a submenu of one.
fn model_rows(state: &TrayState, top_models: usize) -> Vec<Node> {
    let Some(s) = &state.snapshot else {
        return Vec::new();
    };
    if s.summary.models.is_empty() {
        return vec![Node::Info("No usage in this window".into())];
    }
    let models = &s.summary.models;
    let top = if models.len() > top_models + 1 {
        top_models
    } else {
        models.len()
    };
    let mut rows: Vec<Node> = models[..top].iter().map(model_row).collect();
    if top < models.len() {
        rows.push(Node::Submenu {
            text: more_models_text(models.len() - top),
            children: models[top..].iter().map(model_row).collect(),
        });
    }
    rows
}

/// A model's row: its figures, with a submenu of the details.
fn model_row(m: &ModelSummary) -> Node {
    let tiers: Vec<&str> = m
        .tiers
        .iter()
        .filter(|t| !m.unpriced_tiers.contains(t))
        .map(|t| t.as_str())
        .collect();
    let mut children = vec![
        Node::Info(format!("Input: {} tokens", format::tokens(m.input_tokens))),
        Node::Info(format!(
            "Cached input: {} tokens",
            format::tokens(m.cached_input_tokens)
        )),
        Node::Info(format!(
            "Output: {} tokens",
            format::tokens(m.output_tokens)
        )),
        Node::Info(format!("Requests: {}", format::tokens(m.requests))),
        Node::Info(format!("Cost: {}", format::cost(m.cost_usd))),
    ];
    if !tiers.is_empty() {
        let mut text = format!("Priced at: {}", tiers.join(", "));
        if let Some(day) = m.price_source.and_then(|p| p.bill_day()) {
            text.push_str(&format!(", {}", prices::from_bill(day)));
        }
        children.push(Node::Info(text));
    }
    children.extend(unpriced_tiers_text(m).map(Node::Info));
    Node::Submenu {
        text: model_row_text(m),
        children,
    }
}

/// The title's mark while a spike alert is active, after the warning marks: `⚠ ⚡ 1.2M · $3.40`.
/// The spike's row, just under the menu's header, starts with it and says what it means.
pub const SPIKE_MARK: &str = "⚡";

/// `title` with [`SPIKE_MARK`] when `spiking`, placed after the leading `⚠`/`◷` marks so that
/// those stay first.
pub fn spike_marked(title: String, spiking: bool) -> String {
    if !spiking {
        return title;
    }
    let mut rest = title.as_str();
    while let Some(r) = [MARKER, STORED_MARKER]
        .iter()
        .find_map(|m| rest.strip_prefix(m).and_then(|r| r.strip_prefix(' ')))
    {
        rest = r;
    }
    let marks = &title[..title.len() - rest.len()];
    format!("{marks}{SPIKE_MARK} {rest}")
}

/// The active spike in one row (one spike, as one notification tells it, whatever its kinds):
/// `⚡ Token spike: 48,210 tokens/min (threshold 10,000)`, `… · also 1,057 requests/min`; its
/// submenu has each kind in full, the model that grew most and what the title's mark means.
fn alert_rows(alerts: &[Alert]) -> Vec<Node> {
    let Some((first, rest)) = alerts.split_first() else {
        return Vec::new();
    };
    let mut text = alert_row(first);
    for a in rest {
        text.push_str(&format!(
            " · also {} {}",
            format::rate(a.per_minute),
            a.kind.unit()
        ));
    }
    let mut children: Vec<Node> = alerts
        .iter()
        .map(|a| Node::Info(format::alert(a)))
        .collect();
    children.extend(
        alerts
            .iter()
            .find_map(|a| a.top_model.as_deref())
            .map(|m| Node::Info(format!("{m} grew most"))),
    );
    children.push(Node::Info(format!(
        "{SPIKE_MARK} in the menu bar title while the spike lasts"
    )));
    vec![Node::Submenu { text, children }]
}

/// `⚡ Token spike: 48,210 tokens/min (threshold 10,000)`
pub fn alert_row(a: &Alert) -> String {
    format!("{SPIKE_MARK} {}", format::alert(a))
}

/// Every row, submenus' rows after their submenu (depth first): to find a row wherever the
/// menu's structure puts it.
#[cfg(test)]
pub(crate) fn flatten(nodes: &[Node]) -> Vec<&Node> {
    let mut out = Vec::new();
    for n in nodes {
        out.push(n);
        if let Node::Submenu { children, .. } = n {
            out.extend(flatten(children));
        }
    }
    out
}

#[cfg(test)]
mod tests;
