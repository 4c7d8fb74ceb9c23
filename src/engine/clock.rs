//! The engine's time: the system's wall clock, or (tests) a fast one, so a simulated hour of the
//! real engine (not just its schedules) runs in seconds.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The wall clock in unix milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// Where the engine's slow side (the bill) reads the time (unix milliseconds) and how long it sleeps for a span
/// of that time.
#[derive(Clone, Debug)]
pub struct Clock {
    /// `None`: the system's clock. `Some`: from `start_ms` at `origin`, `speed` times faster.
    fast: Option<(tokio::time::Instant, i64, u32)>,
}

impl Clock {
    pub fn system() -> Self {
        Clock { fast: None }
    }

    /// A clock that reads `start_ms` now and runs `speed` times faster than real time (tests:
    /// an hour of the schedule in a few seconds).
    pub fn fast(start_ms: i64, speed: u32) -> Self {
        Clock {
            fast: Some((tokio::time::Instant::now(), start_ms, speed.max(1))),
        }
    }

    pub fn now_ms(&self) -> i64 {
        match self.fast {
            None => now_ms(),
            Some((origin, start, speed)) => {
                start + (origin.elapsed().as_millis() as i64) * i64::from(speed)
            }
        }
    }

    /// The real time to sleep for `secs` of this clock's time.
    pub(super) fn real(&self, secs: i64) -> Duration {
        let d = Duration::from_secs(secs.max(0) as u64);
        match self.fast {
            None => d,
            Some((_, _, speed)) => d / speed,
        }
    }
}
