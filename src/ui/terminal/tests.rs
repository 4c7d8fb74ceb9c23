//! The view drawn into ratatui's `TestBackend`: what a person would read on screen.

mod billed;
mod headline;
mod screen;

use super::render::{STALE, page, render};
use super::state::{Action, WatchState};
use crate::alerts::{Alert, AlertKind};
use crate::engine::events::{Command, Event, Failure};
use crate::openai::ApiError;
use crate::pricing::{Tier, TierChoice};
use crate::snapshot::{BucketPoint, FetchStats, Snapshot};
use crate::usage::{BucketWidth, ModelSummary, Summary, Totals, Window};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::sync::Arc;
use std::time::Duration;

/// 2025-11-24 16:00:30 UTC.
pub(super) const NOW_MS: i64 = 1_764_000_030_000;

fn model(name: &str, input: u64, cached: u64, output: u64, requests: u64) -> ModelSummary {
    ModelSummary {
        model: name.to_owned(),
        input_tokens: input,
        cached_input_tokens: cached,
        output_tokens: output,
        total_tokens: input + output,
        requests,
        cost_usd: Some((input + output) as f64 / 1e6),
        price_source: Some(crate::pricing::Source::Table),
        tiers: vec![Tier::Standard],
        unpriced_tiers: vec![],
    }
}

pub(super) fn snapshot(models: usize, alerts: Vec<Alert>) -> Snapshot {
    let all = [
        model("gpt-4o-2024-08-06", 1_200_000, 400_000, 350_000, 2_100),
        model("gpt-4o-mini-2024-07-18", 900_000, 450_000, 210_000, 3_400),
        model("gpt-5-mini-2025-08-07", 500_000, 200_000, 300_000, 1_300),
        model("o4-mini-2025-04-16", 120_000, 24_000, 110_000, 700),
        model("gpt-4.1-2025-04-14", 90_000, 0, 40_000, 150),
        model(
            "ft:gpt-4o-mini-2024-07-18:acme::B7x9kQ",
            60_000,
            6_000,
            20_000,
            420,
        ),
    ];
    let models: Vec<ModelSummary> = all.into_iter().cycle().take(models).collect();
    let mut totals = Totals::default();
    for m in &models {
        totals.input_tokens += m.input_tokens;
        totals.cached_input_tokens += m.cached_input_tokens;
        totals.output_tokens += m.output_tokens;
        totals.total_tokens += m.total_tokens;
        totals.requests += m.requests;
        totals.cost_usd += m.cost_usd.unwrap_or(0.0);
    }
    let now = NOW_MS / 1000;
    let buckets = (0..6)
        .map(|i| BucketPoint {
            start_time: now - 3600 * (6 - i),
            total_tokens: 100_000 * (i as u64 + 1),
            requests: 10,
        })
        .collect();
    Snapshot {
        window: Window::ending_at(now, 6 * 3600, BucketWidth::Hour),
        api_key_ids: vec!["key_demoPrimary01".into()],
        project_ids: vec![],
        owners: vec![],
        tier: TierChoice::Auto,
        fetched_at_ms: NOW_MS,
        summary: Summary { models, totals },
        other: Default::default(),
        buckets,
        alerts,
        new_alerts: Vec::new(),
        fetch: FetchStats::default(),
        prices_compiled: "2025-11-01".into(),
        price_checks: Vec::new(),
        price_mode: crate::pricing::PriceMode::Bill,
    }
}

fn spike() -> Alert {
    Alert {
        kind: AlertKind::TokenRate,
        per_minute: 48_210.0,
        threshold: 10_000.0,
        top_model: Some("gpt-4o-2024-08-06".into()),
    }
}

pub(super) fn state_with(snap: Snapshot) -> WatchState {
    let mut s = WatchState::new(TierChoice::Auto, Duration::from_secs(15));
    s.apply(Event::Updated(Arc::new(snap)), NOW_MS);
    s
}

fn offline() -> Failure {
    Failure {
        error: ApiError::Network {
            url: "http://127.0.0.1:9/v1".into(),
            reason: "connection refused".into(),
        },
        at_ms: NOW_MS + 15_000,
        consecutive: 1,
        retry_in: Duration::from_secs(15),
    }
}

/// The screen as lines of text (trailing blanks trimmed).
pub(super) fn screen(state: &WatchState, w: u16, h: u16, now_ms: i64) -> Vec<String> {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| render(f, state, now_ms)).unwrap();
    let buf = t.backend().buffer();
    (0..h)
        .map(|y| {
            let line: String = (0..w).map(|x| buf[(x, y)].symbol().to_owned()).collect();
            line.trim_end().to_owned()
        })
        .collect()
}

pub(super) fn find<'a>(lines: &'a [String], needle: &str) -> &'a str {
    lines
        .iter()
        .find(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not on screen:\n{}", lines.join("\n")))
}

fn cells(line: &str) -> Vec<&str> {
    line.trim_matches(|c| c == '│' || c == ' ')
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

#[test]
fn the_table_has_every_column_every_model_and_the_total() {
    let s = state_with(snapshot(6, Vec::new()));
    let lines = screen(&s, 120, 40, NOW_MS + 3_000);
    assert_eq!(
        cells(find(&lines, "Est. cost")),
        [
            "Model",
            "Input",
            "Cached",
            "Output",
            "Requests",
            "Total",
            "Est. cost"
        ]
    );
    assert_eq!(
        cells(find(&lines, "gpt-4o-mini-2024-07-18")),
        [
            "gpt-4o-mini-2024-07-18",
            "900,000",
            "450,000",
            "210,000",
            "3,400",
            "1,110,000",
            "$1.11"
        ]
    );
    find(&lines, "ft:gpt-4o-mini-2024-07-18:acme::B7x9kQ");
    assert_eq!(
        cells(find(&lines, "Completions")),
        [
            "Completions",
            "2,870,000",
            "1,080,000",
            "1,030,000",
            "8,070",
            "3,900,000",
            "$3.90"
        ]
    );
    find(
        &lines,
        "Window: 2025-11-24 10:00 UTC → 2025-11-24 16:00 UTC",
    );
    find(&lines, "Local:");
    find(&lines, "Keys: key_demoPrimary01");
    find(&lines, "Tier: auto");
    find(&lines, "Cached tokens are part of input.");
    let refresh = find(&lines, "Last refresh");
    assert!(refresh.ends_with("· next in 12s"), "{refresh}");
    find(
        &lines,
        "Tokens per 1h bucket · peak 600,000 · latest 600,000",
    );
    assert!(!lines.join("\n").contains(STALE));
}

#[test]
fn an_active_spike_is_on_a_line_above_the_table() {
    let s = state_with(snapshot(3, vec![spike()]));
    let lines = screen(&s, 100, 30, NOW_MS);
    let alert = find(&lines, "Token spike");
    assert!(
        alert.contains("Token spike: 48,210 tokens/min (threshold 10,000)"),
        "{alert}"
    );
    let at = |needle: &str| lines.iter().position(|l| l.contains(needle)).unwrap();
    assert!(at("Token spike") < at("Est. cost"));
}

#[test]
fn a_failure_keeps_the_last_table_marked_stale() {
    let mut s = state_with(snapshot(3, Vec::new()));
    s.apply(Event::Failed(offline()), NOW_MS + 15_000);
    assert!(s.is_stale());
    let lines = screen(&s, 120, 30, NOW_MS + 20_000);
    let status = find(&lines, "✖ offline");
    assert!(status.contains("retrying in 10s"), "{status}");
    assert!(status.contains(STALE), "{status}");
    find(&lines, &format!("Usage by model · {STALE} (last good"));
    find(&lines, "Completions");
    find(&lines, "gpt-4o-2024-08-06");
    // The next success clears it.
    s.apply(
        Event::Updated(Arc::new(snapshot(3, Vec::new()))),
        NOW_MS + 30_000,
    );
    assert!(
        !screen(&s, 120, 30, NOW_MS + 30_000)
            .join("\n")
            .contains(STALE)
    );
}

#[test]
fn a_failure_before_any_data_says_so() {
    let mut s = WatchState::new(TierChoice::Auto, Duration::from_secs(15));
    s.apply(Event::Refreshing, NOW_MS);
    find(&screen(&s, 80, 20, NOW_MS), "Waiting for the first refresh");
    let mut f = offline();
    f.error = ApiError::Unauthorized {
        message: "Incorrect API key provided".into(),
    };
    s.apply(Event::Failed(f), NOW_MS);
    let lines = screen(&s, 80, 20, NOW_MS);
    find(&lines, "✖ invalid key — retrying in");
    find(&lines, "No data yet.");
}

#[test]
fn a_narrow_terminal_keeps_model_and_total() {
    let s = state_with(snapshot(6, vec![spike()]));
    let lines = screen(&s, 40, 24, NOW_MS);
    let header = cells(find(&lines, "Model"));
    assert!(header.contains(&"Total"), "{header:?}");
    assert!(!header.contains(&"Cached"), "{header:?}");
    let total = cells(find(&lines, "Completions"));
    assert!(total.contains(&"3,900,000"), "{total:?}");
    find(&lines, "│gpt-4o-mini-202…  1,110,000");
    assert!(lines.iter().all(|l| l.chars().count() <= 40));
    // Nothing panics at absurd sizes either.
    for (w, h) in [(1, 1), (10, 3), (20, 8), (40, 5), (0, 0)] {
        screen(&s, w.max(1), h.max(1), NOW_MS);
    }
}

#[test]
fn a_tall_table_scrolls_with_the_arrows_and_keeps_the_total() {
    let mut s = state_with(snapshot(30, Vec::new()));
    let area = ratatui::layout::Rect::new(0, 0, 100, 24);
    let rows = page(area, &s, NOW_MS);
    assert!(rows > 0 && rows < 30, "{rows}");
    let lines = screen(&s, 100, 24, NOW_MS);
    find(&lines, &format!("rows 1–{rows} of 30"));
    find(&lines, "Completions");
    let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
    assert_eq!(s.on_key(key(KeyCode::Down), rows), Action::Redraw);
    find(
        &screen(&s, 100, 24, NOW_MS),
        &format!("rows 2–{} of 30", rows + 1),
    );
    s.on_key(key(KeyCode::End), rows);
    find(
        &screen(&s, 100, 24, NOW_MS),
        &format!("rows {}–30 of 30", 31 - rows),
    );
    // Past the end does nothing; one up moves at once.
    s.on_key(key(KeyCode::Down), rows);
    s.on_key(key(KeyCode::Up), rows);
    find(
        &screen(&s, 100, 24, NOW_MS),
        &format!("rows {}–29 of 30", 30 - rows),
    );
}

#[test]
fn keys_map_to_commands() {
    let mut s = state_with(snapshot(3, Vec::new()));
    let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
    assert_eq!(s.on_key(key(KeyCode::Char('q')), 5), Action::Quit);
    assert_eq!(s.on_key(key(KeyCode::Esc), 5), Action::Quit);
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    assert_eq!(s.on_key(ctrl_c, 5), Action::Quit);
    assert_eq!(
        s.on_key(key(KeyCode::Char('r')), 5),
        Action::Send(Command::RefreshNow)
    );
    assert_eq!(
        s.on_key(key(KeyCode::Char('t')), 5),
        Action::Send(Command::SetTier(TierChoice::Fixed(Tier::Standard)))
    );
    assert_eq!(s.tier, TierChoice::Fixed(Tier::Standard));
    assert_eq!(s.on_key(key(KeyCode::Char('x')), 5), Action::Ignore);
}

#[test]
fn a_repriced_snapshot_keeps_the_alerts_and_refresh_time() {
    let mut s = state_with(snapshot(3, vec![spike()]));
    let mut re = snapshot(3, Vec::new());
    re.tier = TierChoice::Fixed(Tier::Batch);
    re.fetched_at_ms = NOW_MS + 5_000;
    s.apply(Event::Repriced(Arc::new(re)), NOW_MS + 5_000);
    assert_eq!(s.alerts.len(), 1);
    assert_eq!(s.last_refresh_ms, Some(NOW_MS));
    assert_eq!(s.tier, TierChoice::Fixed(Tier::Batch));
    find(&screen(&s, 100, 30, NOW_MS + 5_000), "Tier: batch");
}

#[test]
fn json_and_text_lines() {
    use super::lines::{json_line, text_line};
    let snap = snapshot(2, vec![spike()]);
    let v: serde_json::Value =
        serde_json::from_str(&json_line(Some(&snap), None, None, NOW_MS)).unwrap();
    for field in [
        "window",
        "api_key_ids",
        "tier",
        "models",
        "totals",
        "buckets",
    ] {
        assert!(v.get(field).is_some(), "no {field} in {v}");
    }
    assert_eq!(v["alerts"][0]["kind"], "token_rate");
    assert_eq!(v["alerts"][0]["per_minute"], 48_210.0);
    assert_eq!(v["alerts"][0]["threshold"], 10_000.0);
    assert_eq!(v["error"], serde_json::Value::Null);
    assert_eq!(v["stale"], false);
    let f = offline();
    let v: serde_json::Value =
        serde_json::from_str(&json_line(Some(&snap), Some(&f), None, NOW_MS)).unwrap();
    assert_eq!(v["error"]["kind"], "offline");
    assert_eq!(v["stale"], true);
    let v: serde_json::Value =
        serde_json::from_str(&json_line(None, Some(&f), None, NOW_MS)).unwrap();
    assert_eq!(v["error"]["kind"], "offline");
    assert_eq!(v["alerts"], serde_json::json!([]));

    let t = text_line(Some(&snap), None, None, NOW_MS);
    assert!(
        t.ends_with(
            "  Estimate $2.66 last 6 h (completions $2.66)  (2 models, key_demoPrimary01)  ALERT Token spike: 48,210 tokens/min (threshold 10,000)"
        ),
        "{t}"
    );
    // The JSON's headline says the same.
    let v: serde_json::Value =
        serde_json::from_str(&json_line(Some(&snap), None, None, NOW_MS)).unwrap();
    assert!(t.contains(v["headline"]["text"].as_str().unwrap()), "{v}");
    let t = text_line(Some(&snap), Some(&f), None, NOW_MS);
    assert!(t.contains("  ERROR offline — retrying in 15s"), "{t}");
    assert!(t.contains("(stale: last good"), "{t}");
}

fn is_blank(l: &str) -> bool {
    l.trim().is_empty()
}

#[test]
fn at_100x30_the_chart_takes_the_room_and_has_a_time_axis() {
    let s = state_with(snapshot(6, Vec::new()));
    let lines = screen(&s, 100, 30, NOW_MS);
    let bars = lines
        .iter()
        .filter(|l| l.chars().any(|c| "▁▂▃▄▅▆▇█".contains(c)))
        .count();
    // Six rows of models, the headline's two lines above the table: five rows of bars.
    assert!(bars >= 5, "{bars} lines of bars:\n{}", lines.join("\n"));
    let blank = lines.iter().filter(|l| is_blank(l)).count();
    assert!(blank <= 1, "{blank} blank lines:\n{}", lines.join("\n"));
    // The axis: the first and last bucket's local start time, under the bars.
    let snap = snapshot(6, Vec::new());
    let first = crate::ui::format::local_hm(snap.buckets[0].start_time);
    let last = crate::ui::format::local_hm(snap.buckets[5].start_time);
    let axis = find(&lines, &first);
    assert!(axis.trim_end().ends_with(&last), "{axis:?}");
    let at = |needle: &str| lines.iter().position(|l| l.contains(needle)).unwrap();
    assert!(at("Tokens per 1h bucket") < at(&first));
}

#[test]
fn at_60x20_the_table_keeps_five_rows_before_chart_and_notes() {
    let s = state_with(snapshot(6, Vec::new()));
    let lines = screen(&s, 60, 20, NOW_MS);
    let models = [
        "gpt-4o-2024",
        "gpt-4o-mini",
        "gpt-5-mini",
        "o4-mini",
        "gpt-4.1",
        "ft:gpt",
    ];
    let shown = models
        .iter()
        .filter(|m| lines.iter().any(|l| l.contains(*m)))
        .count();
    assert!(shown >= 5, "{shown} of 6 rows:\n{}", lines.join("\n"));
    find(&lines, "Completions");
    find(&lines, "Last refresh");
    assert_eq!(
        page(ratatui::layout::Rect::new(0, 0, 60, 20), &s, NOW_MS),
        shown
    );
}

#[test]
fn the_footer_wraps_at_words() {
    let s = state_with(snapshot(3, Vec::new()));
    let lines = screen(&s, 44, 40, NOW_MS);
    // The key help is whole, over two lines, each break between words.
    let i = lines.iter().position(|l| l.starts_with("q quit")).unwrap();
    assert!(lines[i + 1].ends_with("? keys"), "{}", lines.join("\n"));
    assert!(
        lines.iter().all(|l| l.chars().count() <= 44),
        "{}",
        lines.join("\n")
    );
    find(&lines, "Cached tokens are part of input.");
}

#[test]
fn the_error_line_is_whole_and_names_the_kind_once() {
    let mut s = state_with(snapshot(3, Vec::new()));
    let mut f = offline();
    f.error = ApiError::Network {
        url: "http://127.0.0.1:9/v1".into(),
        reason: "connection refused by the far end of a long and winding road".into(),
    };
    s.apply(Event::Failed(f), NOW_MS + 15_000);
    let lines = screen(&s, 60, 30, NOW_MS + 20_000);
    let i = lines
        .iter()
        .position(|l| l.starts_with("✖ offline"))
        .unwrap();
    let status: String = lines[i..(i + 6).min(lines.len())]
        .iter()
        .take_while(|l| !l.starts_with('┌'))
        .map(|l| format!("{l} "))
        .collect();
    assert!(status.contains("winding road)"), "{status}");
    assert!(status.contains("check the network"), "{status}");
    assert_eq!(status.matches("offline").count(), 1, "{status}");
    find(&lines, "Completions");
}

#[test]
fn today_against_the_daily_budget_is_shown() {
    let mut s = state_with(snapshot(3, Vec::new()));
    s.budget = Some((1.5, 5.0));
    find(
        &screen(&s, 100, 30, NOW_MS),
        "Today (local): $1.50 of $5.00 daily budget",
    );
    s.budget = Some((6.0, 5.0));
    find(
        &screen(&s, 100, 30, NOW_MS),
        "Today (local): $6.00 of $5.00 daily budget · OVER BUDGET",
    );
}

#[test]
fn question_mark_shows_the_keys_and_closes_again() {
    let mut s = state_with(snapshot(3, Vec::new()));
    let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
    assert_eq!(s.on_key(key(KeyCode::Char('?')), 5), Action::Redraw);
    let lines = screen(&s, 80, 24, NOW_MS);
    find(&lines, "Keys (? closes)");
    find(&lines, "next pricing tier");
    find(&lines, "PgUp PgDn");
    // Esc closes the help first, then quits.
    assert_eq!(s.on_key(key(KeyCode::Esc), 5), Action::Redraw);
    assert!(
        !screen(&s, 80, 24, NOW_MS)
            .join("\n")
            .contains("Keys (? closes)")
    );
    assert_eq!(s.on_key(key(KeyCode::Esc), 5), Action::Quit);
}

#[test]
fn json_lines_carry_the_pace_once_a_glance_came() {
    use super::lines::{LineFormat, json_line};
    use crate::figures::glance::Glance;
    let snap = snapshot(2, vec![]);
    let v: serde_json::Value =
        serde_json::from_str(&json_line(Some(&snap), None, None, NOW_MS)).unwrap();
    assert_eq!(v["pace"], serde_json::Value::Null);
    let g = Glance {
        now: NOW_MS / 1000,
        hours_from: 0,
        hourly: vec![],
        days_from: 0,
        daily: vec![],
        today_usd: Some(1.0),
        pace_today: Some(4.25),
        pace_month: None,
        month: Default::default(),
    };
    let line = super::lines::json_line_with(Some(&snap), None, None, Some(&g), NOW_MS);
    let v: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(v["pace"]["today_usd"], 4.25);
    assert_eq!(v["pace"]["month_usd"], serde_json::Value::Null);
    let seen = super::lines::Seen {
        last: Some(&snap),
        glance: Some(&g),
        ..Default::default()
    };
    let text = super::lines::line(LineFormat::Text, seen, NOW_MS);
    // The headline's one line: today, the month (a lower bound: the glance lacked a day) and
    // the pace.
    assert!(
        text.contains("· today (UTC) $1.00 · month so far ≥ $0.00 · on pace for $4.25 today  ("),
        "{text}"
    );
    assert_eq!(v["headline"]["pace_today_usd"], 4.25);
    assert_eq!(v["headline"]["today_usd"], 1.0);
}

#[test]
fn the_full_screen_shows_the_pace_and_the_sparklines_when_they_fit() {
    use crate::figures::glance::{DAYS, Glance, HOURS};
    let mut s = state_with(snapshot(2, vec![]));
    let now = NOW_MS / 1000;
    let mut hourly = vec![Some(0.5); HOURS];
    hourly[20] = Some(2.0);
    let g = Glance {
        now,
        hours_from: now - now % 3_600 - 23 * 3_600,
        hourly,
        days_from: now - now % 86_400 - 29 * 86_400,
        daily: vec![Some(8.0); DAYS],
        today_usd: Some(4.0),
        pace_today: Some(16.0),
        pace_month: Some(250.0),
        month: Default::default(),
    };
    let tall = screen(&s, 120, 50, NOW_MS);
    assert!(!tall.iter().any(|l| l.contains("On pace")), "no glance yet");
    s.apply(Event::Glance(Arc::new(g)), NOW_MS);
    let tall = screen(&s, 120, 50, NOW_MS);
    find(&tall, "On pace for $16.00 today · $250.00 this month");
    assert!(find(&tall, "24 h ").contains("peak $2.00 at"));
    find(&tall, "30 d ");
    // A short terminal keeps the pace and drops the sparklines first.
    let short = screen(&s, 120, 22, NOW_MS);
    find(&short, "On pace for $16.00 today");
    assert!(
        !short.iter().any(|l| l.contains("30 d ")),
        "{}",
        short.join("\n")
    );
}

/// Issue 17: the full screen names the tracked key as `once` does, and a tier that leaves
/// models unpriced says how many and which, at 80 columns, instead of only a lower total.
#[test]
fn the_full_screen_names_the_key_and_what_a_tier_leaves_unpriced() {
    let mut snap = snapshot(3, vec![]);
    snap.tier = TierChoice::Fixed(Tier::Flex);
    for m in &mut snap.summary.models[..2] {
        m.cost_usd = None;
        m.price_source = None;
        m.unpriced_tiers = vec![Tier::Flex];
    }
    let names = vec![crate::ui::view::KeyChoice {
        id: "key_demoPrimary01".into(),
        name: Some("Production backend".into()),
        project: "Demo".into(),
        ..Default::default()
    }];
    let mut s =
        WatchState::new(TierChoice::Auto, Duration::from_secs(15)).with_names(names.clone());
    s.apply(Event::Updated(Arc::new(snap.clone())), NOW_MS);
    let lines = screen(&s, 80, 24, NOW_MS);
    find(&lines, "Keys: Production backend (key_demoPrimary01)");
    let text = lines.join("\n");
    assert!(text.contains("2 unpriced at flex (2 models)"), "{text}");
    let line = super::lines::text_line_named(Some(&snap), None, None, None, &names, NOW_MS);
    assert!(
        line.contains("(3 models, Production backend (key_demoPrimary01))"),
        "{line}"
    );
    assert!(
        line.contains("Unpriced: 2 unpriced at flex (2 models), not in the totals: gpt-4o-2024-08-06, gpt-4o-mini-2024-07-18"),
        "{line}"
    );
}

/// `b` cycles the table's rows: by key (usage without a key its own row), by project, by model.
#[test]
fn b_cycles_the_rows_by_key_by_project_and_back_to_models() {
    use crate::usage::{Owner, OwnerFigure};
    let mut snap = snapshot(3, Vec::new());
    snap.api_key_ids = vec![];
    let fig = |key: Option<&str>, tokens: u64, cost: f64| OwnerFigure {
        owner: Owner::new(key.map(Into::into), Some("proj_p".into())),
        total_tokens: tokens,
        requests: 3,
        cost_usd: cost,
        models: vec![],
        kinds: vec![],
    };
    snap.owners = vec![fig(Some("key_big"), 900, 9.0), fig(None, 100, 1.0)];
    let mut s = state_with(snap);
    let b = KeyEvent::new(KeyCode::Char('b'), KeyModifiers::NONE);
    let model_screen = screen(&s, 100, 30, NOW_MS);
    find(&model_screen, "Usage by model");
    assert_eq!(s.on_key(b, 5), Action::Redraw);
    let keys = screen(&s, 100, 30, NOW_MS);
    find(&keys, "Usage by key");
    let big = find(&keys, "key_big (proj_p)");
    assert!(big.contains("$9.00"), "{big}");
    assert!(find(&keys, "No key").contains("$1.00"));
    assert!(
        keys.iter().all(|l| !l.contains("gpt-")),
        "{}",
        keys.join("\n")
    );
    s.on_key(b, 5);
    let projects = screen(&s, 100, 30, NOW_MS);
    find(&projects, "Usage by project");
    let p = find(&projects, "proj_p");
    assert!(p.contains("1,000") && p.contains("$10.00"), "{p}");
    s.on_key(b, 5);
    find(&screen(&s, 100, 30, NOW_MS), "Usage by model");
}
