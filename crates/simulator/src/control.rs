//! The simulator's mutable state (clock, run-time bursts, fault queue, counters) and
//! [`SimControl`], the cheap synchronous handle tests use to steer it while the server runs.
//!
//! One `std::sync::Mutex` guards it all; it is never held across an `.await`.

use super::query::UsageQuery;
use super::scenario::{LateUsage, ManualBurst, Scenario};
use super::{Fault, SimClock, SimConfig, SimStats};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

pub(crate) struct Shared {
    pub config: SimConfig,
    pub scenario: Scenario,
    pub costs: super::costs::CostsState,
    state: Mutex<State>,
}

struct State {
    /// The manual clock's reading, or the offset added to the real clock.
    clock: i64,
    /// The admin key accepted now: the config's until [`SimControl::rotate_admin_key`].
    admin_key: String,
    /// Pending faults, front first, with the requests each has left (`u32::MAX`: unlimited).
    faults: VecDeque<(Fault, u32)>,
    bursts: Vec<ManualBurst>,
    late: Vec<LateUsage>,
    stats: SimStats,
    last_query: Option<UsageQuery>,
    last_queries: std::collections::BTreeMap<String, UsageQuery>,
}

/// Steers a running simulator: clock, bursts, faults, counters. Cheap to clone; every method is
/// synchronous and takes effect for the next request.
#[derive(Clone)]
pub struct SimControl {
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for SimControl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimControl")
            .field("now", &self.now())
            .finish_non_exhaustive()
    }
}

fn system_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

impl SimControl {
    pub(crate) fn new(config: SimConfig) -> Self {
        let clock = match config.clock {
            SimClock::Real => 0,
            SimClock::Manual { start } => start,
        };
        let admin_key = config.admin_key.clone();
        SimControl {
            shared: Arc::new(Shared {
                scenario: Scenario::new(&config),
                costs: Default::default(),
                config,
                state: Mutex::new(State {
                    clock,
                    admin_key,
                    faults: VecDeque::new(),
                    bursts: Vec::new(),
                    late: Vec::new(),
                    stats: SimStats::default(),
                    last_query: None,
                    last_queries: Default::default(),
                }),
            }),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not take the simulator down with it.
        self.shared.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn is_manual(&self) -> bool {
        matches!(self.shared.config.clock, SimClock::Manual { .. })
    }

    /// The admin key this organization accepts now.
    pub fn admin_key(&self) -> String {
        self.state().admin_key.clone()
    }

    /// Rotates the organization's admin key: `new` is accepted from the next request on, the
    /// old one refused (401), as after revoking it in OpenAI's settings. Its projects, keys and
    /// usage are unchanged.
    pub fn rotate_admin_key(&self, new: &str) {
        self.state().admin_key = new.to_owned();
    }

    /// The simulator's "now", in unix seconds.
    pub fn now(&self) -> i64 {
        let clock = self.state().clock;
        if self.is_manual() {
            clock
        } else {
            system_now() + clock
        }
    }

    /// Move the clock forward (or back, with a negative `secs`). On the real clock this adds an
    /// offset.
    pub fn advance(&self, secs: i64) {
        self.state().clock += secs;
    }

    /// Set the clock to `t` (on the real clock: the offset that makes now == `t`).
    pub fn set_now(&self, t: i64) {
        let value = if self.is_manual() {
            t
        } else {
            t - system_now()
        };
        self.state().clock = value;
    }

    /// The next `times` API requests get `fault` (`u32::MAX`: until [`Self::clear_faults`]).
    /// Faults injected earlier are served first.
    pub fn inject(&self, fault: Fault, times: u32) {
        if times > 0 {
            self.state().faults.push_back((fault, times));
        }
    }

    pub fn clear_faults(&self) {
        self.state().faults.clear();
        self.clear_costs_faults();
    }

    /// From the current minute on, for `minutes` minutes, the tracked key's usage × `factor`.
    pub fn start_burst(&self, minutes: u32, factor: f64) {
        self.push_burst(None, minutes, factor);
    }

    /// Like [`Self::start_burst`], on one usage endpoint only (`completions`, `images`, ...).
    pub fn start_burst_on(&self, endpoint: &str, minutes: u32, factor: f64) {
        self.push_burst(Some(endpoint.to_owned()), minutes, factor);
    }

    fn push_burst(&self, endpoint: Option<String>, minutes: u32, factor: f64) {
        let start_minute = self.now().div_euclid(60);
        self.state().bursts.push(ManualBurst {
            start_minute,
            end_minute: start_minute + i64::from(minutes),
            factor,
            endpoint,
        });
    }

    /// Usage that reaches the API late: from now on, the tracked key's `model` on `endpoint`
    /// (`completions`, `images`, ...; for file search the vector store) has `quantity` more
    /// (completions: uncached text input tokens) and `requests` more in the minute holding
    /// `at`, even if that minute is long over.
    pub fn add_late_usage(
        &self,
        endpoint: &str,
        model: &str,
        at: i64,
        quantity: u64,
        requests: u64,
    ) {
        self.state().late.push(LateUsage {
            endpoint: endpoint.to_owned(),
            model: model.to_owned(),
            minute: at.div_euclid(60),
            quantity,
            requests,
        });
    }

    pub(crate) fn late(&self) -> Vec<LateUsage> {
        self.state().late.clone()
    }

    /// The parameters of the most recent request to `endpoint` that parsed.
    pub fn last_query_of(&self, endpoint: &str) -> Option<UsageQuery> {
        self.state().last_queries.get(endpoint).cloned()
    }

    pub fn stats(&self) -> SimStats {
        self.state().stats.clone()
    }

    pub fn reset_stats(&self) {
        self.state().stats = SimStats::default();
    }

    /// The parameters of the most recent usage request that parsed.
    pub fn last_usage_query(&self) -> Option<UsageQuery> {
        self.state().last_query.clone()
    }

    /// Consume one use of the front fault, if any.
    pub(crate) fn take_fault(&self) -> Option<Fault> {
        let mut st = self.state();
        let (fault, left) = st.faults.front_mut()?;
        let fault = fault.clone();
        if *left != u32::MAX {
            *left -= 1;
            if *left == 0 {
                st.faults.pop_front();
            }
        }
        Some(fault)
    }

    pub(crate) fn bursts(&self) -> Vec<ManualBurst> {
        self.state().bursts.clone()
    }

    /// One `/v1` request; `endpoint` names the usage endpoint asked, if any.
    pub(crate) fn count_request(&self, endpoint: Option<&str>, query: Option<&UsageQuery>) {
        let mut st = self.state();
        st.stats.requests += 1;
        let Some(endpoint) = endpoint else { return };
        st.stats
            .endpoints
            .entry(endpoint.to_owned())
            .or_default()
            .requests += 1;
        if endpoint == "completions" {
            st.stats.usage_requests += 1;
        }
        if let Some(q) = query {
            if endpoint == "completions" {
                st.last_query = Some(q.clone());
            }
            st.last_queries.insert(endpoint.to_owned(), q.clone());
        }
    }

    pub(crate) fn count_gzip(&self) {
        self.state().stats.gzip_accepted += 1;
    }

    pub(crate) fn count_served(&self, endpoint: &str, buckets: usize, rows: usize) {
        let mut st = self.state();
        if endpoint == "completions" {
            st.stats.buckets_served += buckets as u64;
            st.stats.rows_served += rows as u64;
        }
        let e = st.stats.endpoints.entry(endpoint.to_owned()).or_default();
        e.buckets_served += buckets as u64;
        e.rows_served += rows as u64;
    }
}
