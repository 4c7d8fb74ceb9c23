//! The app's network side, on a tokio runtime in its own thread: connects, runs the poller, lists
//! the project keys, and (with a daily or monthly budget) tracks the cost since local and UTC
//! midnight; and runs the core's blocking platform effects on the runtime's blocking pool.
//! Results go to the UI
//! thread as [`Input`]s through the event loop proxy, each network one tagged with its session:
//! a new connection drops (aborts) the old one's tasks, and the core ignores anything late.

use super::core::Platform;
use super::core::{Effect, Input, KeysResult, SessionId};
use crate::alerts::local_day;
use crate::bill::utc_day_start;
use crate::commands::{CliError, Connection};
use crate::openai::AdminClient;
use crate::poller::{self, Command, Event, PollerHandle, now_ms};
use crate::pricing::{PriceBook, TierChoice};
use crate::settings::Settings;
use crate::simulator::SimServer;
use crate::tracker::{Tracker, TrackerConfig, glance};
use crate::ui::view::KeyChoice;
use crate::usage::BucketWidth;
use std::sync::Arc;
use tao::event_loop::EventLoopProxy;
use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinHandle;

type Proxy = EventLoopProxy<Input>;

/// What the UI asks of the worker.
#[derive(Debug)]
pub enum Job {
    /// (Re)connect with these settings: stops the previous session first.
    Connect(SessionId, Box<Settings>),
    /// For that session's poller; dropped if another session has started since.
    Poll(SessionId, Command),
    /// A blocking platform effect.
    Platform(Effect),
}

/// A running connection. Dropping it stops everything it started, a refresh in flight included.
struct Session {
    id: SessionId,
    poller: PollerHandle,
    tasks: Vec<JoinHandle<()>>,
    budget_cfg: watch::Sender<(TierChoice, Vec<String>)>,
    _simulator: Option<SimServer>,
}

impl Drop for Session {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

/// Starts the worker thread; the returned sender feeds it jobs.
pub fn spawn(proxy: Proxy, platform: Platform) -> Result<mpsc::UnboundedSender<Job>, CliError> {
    let rt = crate::commands::runtime()?;
    let (tx, rx) = mpsc::unbounded_channel();
    std::thread::Builder::new()
        .name("usage-tracker-net".into())
        .spawn(move || rt.block_on(run(rx, proxy, platform)))
        .map_err(|e| CliError::Other(format!("cannot start the network thread: {e}")))?;
    Ok(tx)
}

async fn run(mut rx: mpsc::UnboundedReceiver<Job>, proxy: Proxy, platform: Platform) {
    let mut session: Option<Session> = None;
    while let Some(job) = rx.recv().await {
        match job {
            Job::Connect(id, settings) => {
                session = None;
                match Connection::open(*settings).await {
                    Ok(conn) => session = Some(start(id, conn, &proxy)),
                    Err(e) => {
                        let _ = proxy.send_event(Input::ConnectFailed(id, e.to_string()));
                    }
                }
            }
            Job::Platform(effect) => {
                let (platform, proxy) = (platform.clone(), proxy.clone());
                tokio::task::spawn_blocking(move || {
                    if let Some(answer) = super::effects::run(&platform, effect) {
                        let _ = proxy.send_event(answer);
                    }
                });
            }
            Job::Poll(id, cmd) => {
                if let Some(s) = session.as_ref().filter(|s| s.id == id) {
                    match &cmd {
                        Command::SetTier(t) => s.budget_cfg.send_modify(|c| c.0 = *t),
                        Command::SetApiKeyIds(ids) => {
                            s.budget_cfg.send_modify(|c| c.1.clone_from(ids))
                        }
                        _ => {}
                    }
                    s.poller.send(cmd);
                }
            }
        }
    }
}

fn start(id: SessionId, conn: Connection, proxy: &Proxy) -> Session {
    let config = conn.tracker_config();
    // Shown as a menu row and logged once by the core (every connection says it again).
    if let Some(n) = &conn.history_notice {
        let _ = proxy.send_event(Input::HistoryNotice(id, n.clone()));
    }
    let tracker = conn.tracker_with(config.clone());
    let kick = Arc::new(Notify::new());
    let (budget_cfg, cfg_rx) = watch::channel((config.tier, config.api_key_ids.clone()));
    let mut tasks = vec![tokio::spawn(list_keys(
        id,
        conn.client.clone(),
        proxy.clone(),
    ))];
    let g = proxy.clone();
    let glance = glance::spawn(
        conn.client.clone(),
        &config,
        conn.history.clone(),
        cfg_rx.clone(),
        move |view| g.send_event(Input::History { session: id, view }).is_ok(),
    );
    let glance = glance.map(|(feed, task)| {
        tasks.push(task);
        feed
    });
    let (p, k) = (proxy.clone(), kick.clone());
    let poller = poller::spawn_with_bill(tracker, conn.settings.interval, move |ev| {
        if matches!(ev, Event::Updated(_)) {
            k.notify_one();
        }
        if let Some(g) = &glance {
            g.observe(&ev);
        }
        let _ = p.send_event(Input::Poll(id, ev));
    });
    if conn.settings.daily_budget.is_some() || conn.settings.monthly_budget.is_some() {
        tasks.push(tokio::spawn(budget_loop(
            id,
            conn.client.clone(),
            config,
            cfg_rx,
            kick,
            proxy.clone(),
        )));
    }
    Session {
        id,
        poller,
        tasks,
        budget_cfg,
        _simulator: conn.simulator,
    }
}

async fn list_keys(id: SessionId, client: AdminClient, proxy: Proxy) {
    let result = async {
        let mut out = Vec::new();
        for p in client.projects().await? {
            if p.archived_at.is_some() || p.status.as_deref() == Some("archived") {
                continue;
            }
            let project = p.name.clone().unwrap_or_else(|| p.id.clone());
            for k in client.project_api_keys(&p.id).await? {
                out.push(KeyChoice {
                    id: k.id,
                    name: k.name,
                    project: project.clone(),
                });
            }
        }
        Ok::<_, crate::openai::ApiError>(out)
    }
    .await
    .map_err(|e| e.kind());
    let result: KeysResult = result;
    let _ = proxy.send_event(Input::Keys(id, result));
}

/// After each successful main refresh, refreshes a second tracker over the last 26 hours (one
/// local day, DST included) and reports the cost of the buckets since local midnight (the
/// daily budget) and since UTC midnight (today's share of the monthly budget). Hourly
/// buckets where midnight falls on a UTC hour; minutes otherwise (half-hour time zones).
async fn budget_loop(
    session: SessionId,
    client: AdminClient,
    base: TrackerConfig,
    mut cfg: watch::Receiver<(TierChoice, Vec<String>)>,
    kick: Arc<Notify>,
    proxy: Proxy,
) {
    let mut tracker: Option<Tracker> = None;
    loop {
        kick.notified().await;
        let Some((day, midnight)) = local_day(now_ms() / 1000) else {
            continue;
        };
        let width = if midnight % 3600 == 0 {
            BucketWidth::Hour
        } else {
            BucketWidth::Minute
        };
        let (tier, ids) = cfg.borrow_and_update().clone();
        let fresh = |prices: PriceBook| TrackerConfig {
            lookback_secs: 26 * 3600,
            width,
            api_key_ids: ids.clone(),
            tier,
            prices,
            calendar: None,
            thresholds: base.thresholds,
        };
        let t = match tracker.take() {
            Some(mut t) if t.config().width == width => {
                t.set_api_key_ids(ids.clone());
                t.set_tier(tier);
                t
            }
            _ => Tracker::new(client.clone(), fresh(base.prices.clone())),
        };
        let t = tracker.insert(t);
        match t.refresh(now_ms()).await {
            Ok(_) => {
                let spent = t.cost_since(midnight);
                // UTC midnight is at most 24 h back: inside the 26 h this tracker holds.
                let utc_midnight = utc_day_start(now_ms() / 1000);
                let today_utc = t.cost_since(utc_midnight);
                let _ = proxy.send_event(Input::Budget {
                    session,
                    day,
                    spent,
                    today_utc: (utc_midnight, today_utc),
                });
            }
            Err(e) => tracing::debug!("daily budget refresh failed: {e}"),
        }
    }
}
