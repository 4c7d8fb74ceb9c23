//! Opening a URL in the default browser: `open` on macOS, `xdg-open` on Linux. Returns once the
//! opener started; a thread reaps it so no zombie is left.

use std::process::{Command, Stdio};

pub use usage_tracker_core::app::ports::{Browser, fakes::FakeBrowser};

pub struct SystemBrowser;

#[cfg(target_os = "macos")]
const OPENER: &str = "open";
#[cfg(not(target_os = "macos"))]
const OPENER: &str = "xdg-open";

impl Browser for SystemBrowser {
    fn open(&self, url: &str) -> Result<(), String> {
        let mut child = Command::new(OPENER)
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run {OPENER} to open {url}: {e}"))?;
        std::thread::spawn(move || child.wait());
        Ok(())
    }
}
