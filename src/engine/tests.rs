//! The engine as a front end starts it, over the demo's simulated API (real HTTP): the events it
//! was asked for, today's cost after each refresh, and a tier change re-pricing today's cost
//! without a request.

use super::*;
use crate::alerts::Thresholds;
use crate::pricing::{PriceTable, Tier};
use crate::settings::{HistoryDir, Origin, Settings, TitleFormat};
use crate::usage::BucketWidth;
use std::sync::Arc;
use std::time::Duration;

/// `--demo` over the last hour, refreshed hourly (one refresh in a test), without history.
fn demo_settings() -> Settings {
    Settings {
        admin_key: None,
        api_key_ids: vec![],
        lookback_hours: 1.0,
        calendar: None,
        bucket_width: BucketWidth::Hour,
        interval: Duration::from_secs(3_600),
        tier: TierChoice::Auto,
        thresholds: Thresholds {
            tokens_per_min: 1e12,
            requests_per_min: 1e12,
        },
        prices: Arc::new(PriceTable::builtin().clone()),
        pricing_file: None,
        price_mode: crate::pricing::PriceMode::Bill,
        base_url: String::new(),
        daily_budget: Some(1.0),
        monthly_budget: None,
        title: TitleFormat::TokensAndCost,
        timeout: Duration::from_secs(20),
        settings_path: None,
        dotenv_files: vec![],
        warnings: vec![],
        demo: true,
        startup_only: vec![],
        history: HistoryDir::Off(Origin::Default),
        history_keep: crate::store::Retention::default(),
    }
}

async fn next(events: &mut mpsc::UnboundedReceiver<EngineEvent>) -> EngineEvent {
    tokio::time::timeout(Duration::from_secs(20), events.recv())
        .await
        .expect("an engine event in time")
        .expect("the engine still runs")
}

/// The next today's cost, and whether a live update came before it.
async fn next_today(events: &mut mpsc::UnboundedReceiver<EngineEvent>) -> (TodayCost, Vec<Event>) {
    let mut before = Vec::new();
    loop {
        match next(events).await {
            EngineEvent::Today(t) => return (t, before),
            EngineEvent::Event(e) => before.push(e),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn today_follows_each_refresh_and_a_tier_change_reprices_it_without_a_request() {
    let conn = Connection::open_without_history(demo_settings(), None)
        .await
        .unwrap();
    let ctl = conn.simulator.as_ref().unwrap().control();
    let options = Options {
        bill: false,
        glance: false,
        budget: true,
    };
    let (engine, mut events) = Engine::start(&conn, Clock::system(), options);
    let (first, before) = next_today(&mut events).await;
    assert!(
        before.iter().any(|e| matches!(e, Event::Updated(_))),
        "today's cost follows a refresh: {before:?}"
    );
    assert!(first.spent > 0.0, "the demo key spends today: {first:?}");
    let requests = ctl.stats().requests;
    assert!(engine.send(Command::SetTier(TierChoice::Fixed(Tier::Flex))));
    let (flex, before) = next_today(&mut events).await;
    assert!(
        before.iter().any(|e| matches!(e, Event::Repriced(_))),
        "re-priced: {before:?}"
    );
    assert_eq!(ctl.stats().requests, requests, "no request for a new tier");
    assert_eq!(flex.day, first.day);
    assert!(
        flex.spent < first.spent,
        "flex is cheaper: {} then {}",
        first.spent,
        flex.spent
    );
    // Neither the bill nor the glance was asked for: nothing of theirs arrives.
    assert!(engine.send(Command::RefreshNow));
    let (_, before) = next_today(&mut events).await;
    assert!(
        !before
            .iter()
            .any(|e| matches!(e, Event::Billed(_) | Event::Glance(_))),
        "{before:?}"
    );
    drop(engine);
}
