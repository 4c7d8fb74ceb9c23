//! Native dialogs: a secure (hidden) text input and a message. `osascript` on macOS; `zenity`,
//! else `kdialog`, on Linux. They block until the user answers: call them off the UI thread.

use std::process::{Command, Stdio};

pub use usage_tracker_core::app::ports::{Dialogs, fakes::FakeDialogs};

/// The dialogs of this OS.
pub struct SystemDialogs;

/// Runs a dialog program: its trimmed stdout on success, `None` when it exits 1 (cancel).
fn run(program: &str, args: &[&str]) -> Result<Option<String>, String> {
    let out = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    match out.status.code() {
        Some(0) => Ok(Some(
            String::from_utf8_lossy(&out.stdout)
                .trim_end_matches(['\r', '\n'])
                .to_owned(),
        )),
        Some(1) => Ok(None),
        _ => Err(format!("{program} failed ({})", out.status)),
    }
}

#[cfg(target_os = "macos")]
fn applescript_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(target_os = "macos")]
impl Dialogs for SystemDialogs {
    fn ask_secret(&self, title: &str, prompt: &str) -> Result<Option<String>, String> {
        let script = format!(
            "display dialog {} default answer \"\" with hidden answer with title {} with icon note\ntext returned of result",
            applescript_string(prompt),
            applescript_string(title)
        );
        run("osascript", &["-e", &script])
    }

    fn show_message(&self, title: &str, text: &str) -> Result<(), String> {
        let script = format!(
            "display dialog {} with title {} buttons {{\"OK\"}} default button 1",
            applescript_string(text),
            applescript_string(title)
        );
        run("osascript", &["-e", &script]).map(drop)
    }
}

#[cfg(not(target_os = "macos"))]
fn has(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()))
}

#[cfg(not(target_os = "macos"))]
impl Dialogs for SystemDialogs {
    fn ask_secret(&self, title: &str, prompt: &str) -> Result<Option<String>, String> {
        if has("zenity") {
            let title = format!("--title={title}");
            let text = format!("--text={prompt}");
            run("zenity", &["--entry", "--hide-text", &title, &text])
        } else if has("kdialog") {
            run("kdialog", &["--title", title, "--password", prompt])
        } else {
            Err("no dialog program: install zenity or kdialog, or run `usage-tracker admin-key set` in a terminal".into())
        }
    }

    fn show_message(&self, title: &str, text: &str) -> Result<(), String> {
        if has("zenity") {
            let title = format!("--title={title}");
            let text = format!("--text={text}");
            run("zenity", &["--info", "--no-markup", &title, &text]).map(drop)
        } else if has("kdialog") {
            run("kdialog", &["--title", title, "--msgbox", text]).map(drop)
        } else {
            Err("no dialog program: install zenity or kdialog".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_program_exiting_1_is_a_cancel() {
        assert_eq!(run("false", &[]).unwrap(), None);
        assert_eq!(run("echo", &["hi"]).unwrap().as_deref(), Some("hi"));
        assert!(run("/nonexistent/program", &[]).is_err());
    }
}
