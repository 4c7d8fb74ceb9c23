//! The simulated Admin API behind `--demo` and `usage-tracker simulate`: the simulator crate,
//! linked in with the `demo` cargo feature (on by default). A build without it answers both
//! with one line saying so (exit 2) rather than failing later.

/// What `--demo` and `simulate` say in a build without the simulator.
pub const NO_DEMO: &str = "this build has no simulated API (built without the `demo` feature): --demo and `simulate` need the default build";

#[cfg(feature = "demo")]
mod linked {
    use crate::settings::{AdminKey, Origin, Settings};
    use secrecy::SecretString;
    pub use usage_tracker_simulator::SimServer as DemoServer;
    use usage_tracker_simulator::{
        BurstSchedule, DEMO_ADMIN_KEY, DEMO_KEY_ID, SimConfig, SimServer,
    };

    /// `--demo` tracks the simulator's demo key unless keys or projects were given.
    pub fn track_demo_key(settings: &mut Settings) {
        if settings.demo && settings.api_key_ids.is_empty() && settings.project_ids.is_empty() {
            settings.api_key_ids = vec![DEMO_KEY_ID.to_owned()];
        }
    }

    /// Points `settings` at the running `server`, with the key it accepts.
    pub fn point_at(settings: &mut Settings, server: &DemoServer) {
        settings.base_url = server.base_url();
        settings.admin_key = Some(AdminKey {
            secret: SecretString::from(DEMO_ADMIN_KEY),
            origin: Origin::Demo,
        });
        track_demo_key(settings);
    }

    /// Starts the demo's simulated API on a free port of 127.0.0.1, on the caller's runtime.
    pub async fn start() -> Result<DemoServer, String> {
        SimServer::start(SimConfig::demo(), None)
            .await
            .map_err(|e| format!("cannot start the simulated API: {e}"))
    }

    /// `usage-tracker simulate`: the simulated API alone, until interrupted.
    pub async fn run_alone(port: Option<u16>, bursts: bool) -> Result<(), String> {
        let mut config = SimConfig::demo();
        if !bursts {
            config.bursts = BurstSchedule::None;
        }
        usage_tracker_simulator::run_standalone(config, port)
            .await
            .map_err(|e| format!("simulator: {e}"))
    }
}

#[cfg(not(feature = "demo"))]
mod linked {
    use crate::settings::Settings;

    /// No simulator in this build: the type has no value.
    pub enum DemoServer {}

    /// Nothing to track without a simulator (`--demo` fails before it matters).
    pub fn track_demo_key(_settings: &mut Settings) {}

    pub fn point_at(_settings: &mut Settings, server: &DemoServer) {
        match *server {}
    }

    pub async fn start() -> Result<DemoServer, String> {
        Err(super::NO_DEMO.into())
    }

    pub async fn run_alone(_port: Option<u16>, _bursts: bool) -> Result<(), String> {
        Err(super::NO_DEMO.into())
    }
}

pub use linked::*;
