//! The app's network side, on a tokio runtime in its own thread: connects, starts the engine
//! (with today's local cost when a daily budget is set) and forwards its events, lists the
//! project keys, and runs the core's blocking platform effects on the runtime's blocking pool.
//! Results go to the UI thread as [`Input`]s through the event loop proxy, each network one
//! tagged with its session: a new connection drops (aborts) the old one's tasks, and the core
//! ignores anything late.

use super::core::Platform;
use super::core::{Effect, Input, KeysResult, SessionId};
use crate::commands::{CliError, Connection};
use crate::engine::demo::DemoServer;
use crate::engine::{Clock, Command, Engine, EngineEvent, EngineHandle, Event, Options};
use crate::openai::AdminClient;
use crate::settings::Settings;
use crate::ui::view::KeyChoice;
use tao::event_loop::EventLoopProxy;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

type Proxy = EventLoopProxy<Input>;

/// What the UI asks of the worker.
#[derive(Debug)]
pub enum Job {
    /// (Re)connect with these settings: stops the previous session first.
    Connect(SessionId, Box<Settings>),
    /// For that session's engine; dropped if another session has started since.
    Poll(SessionId, Command),
    /// A blocking platform effect.
    Platform(Effect),
}

/// A running connection. Dropping it stops everything it started, a refresh in flight included.
struct Session {
    id: SessionId,
    engine: EngineHandle,
    tasks: Vec<JoinHandle<()>>,
    _simulator: Option<DemoServer>,
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
                        let _ = proxy.send_event(Input::ConnectFailed(
                            id,
                            crate::commands::CliError::from(e).to_string(),
                        ));
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
                    s.engine.send(cmd);
                }
            }
        }
    }
}

fn start(id: SessionId, conn: Connection, proxy: &Proxy) -> Session {
    // Shown as a menu row and logged once by the core (every connection says it again).
    if let Some(n) = &conn.history_notice {
        let _ = proxy.send_event(Input::HistoryNotice(id, n.clone()));
    }
    // The monthly budget follows the glance (today's UTC estimate); only a daily budget needs
    // the local day's tracker.
    let budget = conn.settings.daily_budget.is_some();
    let options = Options {
        bill: true,
        glance: true,
        budget,
    };
    let (engine, events) = Engine::start(&conn, Clock::system(), options);
    let tasks = vec![
        tokio::spawn(list_keys(id, conn.client.clone(), proxy.clone())),
        tokio::spawn(forward(id, events, proxy.clone())),
    ];
    Session {
        id,
        engine,
        tasks,
        _simulator: conn.simulator,
    }
}

/// The engine's events to the UI thread, as the session's inputs.
async fn forward(id: SessionId, mut events: mpsc::UnboundedReceiver<EngineEvent>, proxy: Proxy) {
    while let Some(event) = events.recv().await {
        let input = match event {
            EngineEvent::Event(Event::Glance(view)) => Input::History { session: id, view },
            EngineEvent::Event(ev) => Input::Poll(id, ev),
            EngineEvent::Today(t) => Input::Budget {
                session: id,
                day: t.day,
                spent: t.spent,
            },
        };
        if proxy.send_event(input).is_err() {
            return;
        }
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
                    project_id: p.id.clone(),
                    last_used_at: k.last_used_at,
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
