//! The connection every front end starts from: the Admin API client for the settings (or a
//! freshly started simulator with `--demo`), the store they name bound to the admin key's
//! organization ([`identify_organization`]), and the prices the trackers share (the table and
//! what the bill has taught, loaded from the store at open).

use super::demo::{self, DemoServer};
use super::tracker::{Tracker, TrackerConfig};
use crate::openai::{AdminClient, ApiError, ClientOptions, OnRetry};
use crate::pricing::PriceBook;
use crate::settings::{AdminKey, HistoryDir, Origin, Settings};
use crate::store::{self, SharedStore, StoreOptions};
use secrecy::SecretString;

/// Why a connection could not be made.
#[derive(Debug)]
pub enum ConnectError {
    /// No admin key anywhere; `store_error` says why the OS secret store could not be read.
    NoAdminKey {
        store_error: Option<String>,
    },
    Api(ApiError),
    /// The simulated API (`--demo`) did not start.
    Simulator(String),
}

impl From<ApiError> for ConnectError {
    fn from(e: ApiError) -> Self {
        ConnectError::Api(e)
    }
}

/// A client for the API the settings name, or for a freshly started simulator with `--demo`
/// (whose server must be kept alive as long as the client is used).
///
/// `history` is the history store the settings name (`None`: off, or it could not be used;
/// then `history_notice` says why, once, to show the user).
pub struct Connection {
    pub client: AdminClient,
    pub settings: Settings,
    pub simulator: Option<DemoServer>,
    pub history: Option<SharedStore>,
    pub history_notice: Option<String>,
    /// What every tracker of this connection prices with: the settings' table and what the
    /// bill has taught (loaded from the history store at open, then from each settled day).
    pub prices: PriceBook,
}

/// The history file of `--demo`, beside the real one so simulated figures never mix with real.
pub use usage_tracker_core::settings::DEMO_HISTORY_FILE_NAME as DEMO_FILE_NAME;

impl Connection {
    /// The connection of the app and `watch`, which keep running (and retrying) when the API
    /// fails: a key whose organization cannot be told (see [`identify_organization`]) runs
    /// without history this session.
    pub async fn open(settings: Settings) -> Result<Connection, ConnectError> {
        Connection::open_with(settings, None, false).await
    }

    /// The connection of the commands that fetch once (`once`, `prices`), telling `on_retry`
    /// about every retry the client waits for. A failure every request of the key would meet
    /// (a wrong key, no answer) while telling its organization is the command's error, so it
    /// is waited for once, not twice.
    pub async fn open_reporting(
        settings: Settings,
        on_retry: Option<OnRetry>,
    ) -> Result<Connection, ConnectError> {
        Connection::open_with(settings, on_retry, true).await
    }

    /// Opens the client and the history store, bound to the admin key's organization.
    async fn open_with(
        settings: Settings,
        on_retry: Option<OnRetry>,
        fail_early: bool,
    ) -> Result<Connection, ConnectError> {
        let mut conn = Connection::open_without_history(settings, on_retry).await?;
        let (mut history, mut notice) = open_history(&conn.settings).await;
        if let Some(h) = &history
            && let Some(key) = &conn.settings.admin_key
            && let Err(why) = identify_organization(h, &conn.client, &key.secret).await
        {
            history = None;
            notice = match why {
                Unidentified::Notice(n) => Some(n),
                Unidentified::EveryRequestFails(e) if fail_early => return Err(e.into()),
                Unidentified::EveryRequestFails(e) => {
                    tracing::debug!("history: cannot tell the admin key's organization: {e}");
                    None
                }
            };
        }
        if let Some(h) = &history {
            let keys = store::KeySet::of(&conn.settings.tracked_ids());
            let stored = h
                .run_or_skip("reading the prices learned from the bill", move |s| {
                    s.load_prices(&keys)
                })
                .await;
            if let Some(learned) = stored {
                conn.prices.learn(learned);
            }
        }
        conn.history = history;
        conn.history_notice = notice;
        Ok(conn)
    }

    /// A connection that keeps no history (`keys`).
    pub async fn open_without_history(
        mut settings: Settings,
        on_retry: Option<OnRetry>,
    ) -> Result<Connection, ConnectError> {
        let simulator = if settings.demo {
            let server = demo::start().await.map_err(ConnectError::Simulator)?;
            demo::point_at(&mut settings, &server);
            Some(server)
        } else {
            None
        };
        if settings.admin_key.is_none() {
            settings.admin_key = admin_key_from_store()
                .map_err(|store_error| ConnectError::NoAdminKey { store_error })?;
        }
        let key = settings
            .admin_key
            .as_ref()
            .ok_or(ConnectError::NoAdminKey { store_error: None })?;
        let options = ClientOptions {
            deadline: settings.timeout,
            on_retry,
            ..ClientOptions::default()
        };
        let client = AdminClient::new(&settings.base_url, &key.secret, options)?;
        let prices = PriceBook::new(settings.prices.clone(), settings.price_mode);
        Ok(Connection {
            client,
            settings,
            simulator,
            history: None,
            history_notice: None,
            prices,
        })
    }

    /// A tracker of the settings' window, recording into the history when there is one.
    pub fn tracker(&self) -> Tracker {
        self.tracker_with(self.tracker_config())
    }

    pub fn tracker_with(&self, config: TrackerConfig) -> Tracker {
        let t = Tracker::new(self.client.clone(), config);
        match &self.history {
            Some(h) => t.with_history(h.clone()),
            None => t,
        }
    }

    /// Says on stderr, once, why the history is not used (`once`, `watch`).
    pub fn tell_history_notice(&self) {
        if let Some(n) = &self.history_notice {
            eprintln!("usage-tracker: warning: {n}");
        }
    }

    pub fn tracker_config(&self) -> TrackerConfig {
        let s = &self.settings;
        TrackerConfig {
            lookback_secs: s.lookback_secs(),
            width: s.bucket_width,
            api_key_ids: s.tracked_ids(),
            tier: s.tier,
            prices: self.prices.clone(),
            thresholds: s.thresholds,
            calendar: s.calendar,
        }
    }
}

/// Opens the history store the settings name (on the blocking pool: opening may wait for
/// another process's lock): `history.sqlite`, or [`DEMO_FILE_NAME`] with `--demo`. A store
/// that cannot be used gives none and the one message saying so.
pub async fn open_history(settings: &Settings) -> (Option<SharedStore>, Option<String>) {
    let dir = match &settings.history {
        HistoryDir::At(dir, _) => dir.clone(),
        HistoryDir::Off(_) => return (None, None),
        HistoryDir::NoDataDir => {
            let why = settings.history.folder().err().unwrap_or_default();
            return (None, Some(format!("{why}; running without history")));
        }
    };
    let path = if settings.demo {
        dir.join(DEMO_FILE_NAME)
    } else {
        store::file_in(&dir)
    };
    let now = crate::engine::now_ms().div_euclid(1000);
    let options = StoreOptions::keeping(settings.history_keep);
    let opened =
        tokio::task::spawn_blocking(move || store::open_or_recover(&path, options, now)).await;
    match opened {
        Ok(o) => (o.store.map(SharedStore::new), o.notice),
        Err(e) => (
            None,
            Some(format!(
                "cannot open the history store: {e}; running without history"
            )),
        ),
    }
}

/// Why the admin key's organization could not be told.
#[derive(Debug)]
pub enum Unidentified {
    /// The one message to show; the figures may still come.
    Notice(String),
    /// Every request of this key would fail the same way (a wrong or project key, no answer, a
    /// wrong base URL): the figures' own error says it.
    EveryRequestFails(ApiError),
}

/// Binds the store to the admin key's organization before anything reads it (README
/// "History"): from the file alone when it has seen this key before (no request), else by the
/// organization's project ids (one request, more for more than 100 projects). `Err`: it cannot
/// tell, so the history is not used this time and nothing is attributed to the wrong
/// organization.
pub async fn identify_organization(
    history: &SharedStore,
    client: &AdminClient,
    admin_key: &SecretString,
) -> Result<store::OrganizationId, Unidentified> {
    use secrecy::ExposeSecret;
    let key = admin_key.clone();
    let known = history
        .run(move |s| {
            let org = s.organization_of_key(key.expose_secret())?;
            if let Some(org) = org {
                s.use_organization(org)?;
            }
            Ok(org)
        })
        .await
        .map_err(|e| Unidentified::Notice(format!("{e}: running without history")))?;
    if let Some(org) = known {
        return Ok(org);
    }
    let projects = client.projects().await.map_err(|e| {
        // An admin key refused only this list (a scope missing) may still read usage.
        let scope_missing =
            matches!(e, ApiError::Forbidden { .. }) && admin_key.expose_secret().starts_with("sk-admin-");
        if scope_missing || matches!(e, ApiError::Server { .. } | ApiError::RateLimited { .. } | ApiError::BadResponse { .. } | ApiError::RepeatingCursor { .. }) {
            Unidentified::Notice(format!(
                "cannot tell which organization the admin key belongs to (listing its projects: {e}): running without history this time"
            ))
        } else {
            Unidentified::EveryRequestFails(e)
        }
    })?;
    let ids: Vec<String> = projects.into_iter().map(|p| p.id).collect();
    let key = admin_key.clone();
    let now = crate::engine::now_ms().div_euclid(1000);
    history
        .run(move |s| {
            let found = s.identify(key.expose_secret(), &ids, now)?;
            s.use_organization(found.organization)?;
            if found.new {
                tracing::info!(
                    "history: a new organization ({}, {} projects)",
                    found.organization,
                    ids.len()
                );
            }
            Ok(found.organization)
        })
        .await
        .map_err(|e| Unidentified::Notice(format!("{e}: running without history")))
}

/// The admin key in the OS secret store, below flag, environment and `.env`. `Err` carries
/// why an unreachable store could not be read, for the "no admin key" message.
fn admin_key_from_store() -> Result<Option<AdminKey>, Option<String>> {
    use crate::platform::secret::{self, SecretStore};
    match secret::system().get() {
        Ok(k) => Ok(k.map(|k| AdminKey {
            secret: SecretString::from(k),
            origin: Origin::SecretStore,
        })),
        Err(e) => Err(Some(e.to_string())),
    }
}
