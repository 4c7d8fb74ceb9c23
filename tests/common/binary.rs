//! Helpers shared by the tests that run the real binary: a clean environment, a simulator,
//! servers that misbehave, and running with a time limit.

#![allow(dead_code)] // each test crate uses some of them

use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use usage_tracker_simulator::{SimClock, SimConfig, SimServer};

pub const BIN: &str = env!("CARGO_BIN_EXE_usage-tracker");

/// A simulator on the real clock, shared by the tests of one file, on a runtime of its own.
pub fn sim() -> &'static (tokio::runtime::Runtime, SimServer) {
    static SIM: OnceLock<(tokio::runtime::Runtime, SimServer)> = OnceLock::new();
    SIM.get_or_init(|| {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let mut config = SimConfig::test();
        config.clock = SimClock::Real;
        let sim = rt.block_on(SimServer::start(config, None)).unwrap();
        (rt, sim)
    })
}

/// The binary with a clean environment: no key, settings and `.env` in an empty folder.
pub fn cmd(home: &tempfile::TempDir) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .current_dir(home.path());
    c
}

pub fn run(c: &mut Command) -> (Output, String, String) {
    let out = c.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

/// stderr without the note every run against a non-default base URL prints.
pub fn errors(stderr: &str) -> String {
    stderr
        .lines()
        .filter(|l| !l.starts_with("usage-tracker: warning: the admin key goes to "))
        .map(|l| format!("{l}\n"))
        .collect()
}

/// A server on 127.0.0.1 that accepts connections and never answers.
pub fn silent_server() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    port
}

/// Runs `c`, killing it after `limit`; the output and how long it took.
pub fn run_within(c: &mut Command, limit: Duration) -> (Option<i32>, String, String, Duration) {
    use std::io::Read;
    let start = Instant::now();
    let mut child = c
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let code = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.code();
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (mut stdout, mut stderr) = (String::new(), String::new());
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (code, stdout, stderr, start.elapsed())
}
