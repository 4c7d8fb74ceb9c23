//! A history store seeded from the simulator's scenario, in a temporary data directory, for
//! the tests of `export` and `report`.

use std::path::PathBuf;
use std::sync::OnceLock;
use usage_tracker::store::{self, Store, StoreOptions, seed};
use usage_tracker_simulator::{DEMO_KEY_ID, SimConfig};

/// `now` of the seeded history: the real clock when the tests started (the commands prune
/// by the real clock, so the history must be recent), half-way into a minute.
pub fn now() -> i64 {
    static NOW: OnceLock<i64> = OnceLock::new();
    *NOW.get_or_init(|| {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        t - t % 60 + 30
    })
}

pub struct Seeded {
    pub home: tempfile::TempDir,
    pub data_dir: PathBuf,
    pub file: PathBuf,
    pub config: SimConfig,
    pub keys: Vec<String>,
}

/// `days` days of the demo scenario for the demo key, ending at [`now`].
pub fn seeded(days: i64) -> Seeded {
    let home = tempfile::tempdir().unwrap();
    let data_dir = home.path().join("data");
    let file = store::file_in(&data_dir);
    let config = SimConfig::demo();
    let keys = vec![DEMO_KEY_ID.to_owned()];
    let mut s = Store::open(&file, StoreOptions::default(), now()).unwrap();
    let wrote = seed::seed_from_simulator(&mut s, &config, &keys, now(), days).unwrap();
    assert!(wrote.buckets > 0 && wrote.days_billed > 0, "{wrote:?}");
    Seeded {
        home,
        data_dir,
        file,
        config,
        keys,
    }
}

/// Opens the seeded file again (as of [`now`]).
pub fn reopen(s: &Seeded) -> Store {
    Store::open(&s.file, StoreOptions::default(), now()).unwrap()
}
