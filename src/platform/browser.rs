//! Opening a URL in the default browser: `open` on macOS, `xdg-open` on Linux. Returns once the
//! opener started; a thread reaps it so no zombie is left.

use std::process::{Command, Stdio};
use std::sync::Mutex;

pub trait Browser: Send + Sync {
    fn open(&self, url: &str) -> Result<(), String>;
}

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

#[derive(Default)]
pub struct FakeBrowser {
    pub opened: Mutex<Vec<String>>,
}

impl Browser for FakeBrowser {
    fn open(&self, url: &str) -> Result<(), String> {
        self.opened.lock().unwrap().push(url.to_owned());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fake_records_urls() {
        let b = FakeBrowser::default();
        b.open("https://platform.openai.com/usage").unwrap();
        assert_eq!(
            *b.opened.lock().unwrap(),
            ["https://platform.openai.com/usage"]
        );
    }
}
