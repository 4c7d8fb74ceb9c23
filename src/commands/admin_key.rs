//! `usage-tracker admin-key set|status|delete`: the admin key in the OS secret store. `set`
//! reads the key from a hidden prompt (a terminal) or from stdin (a pipe), never from the
//! command line, and writes only when the stored value differs.

use super::CliError;
use crate::cli::AdminKeyAction;
use crate::platform::BUNDLE_ID;
use crate::platform::secret::{self, ACCOUNT, SecretStore};
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

pub fn run(action: AdminKeyAction) -> Result<ExitCode, CliError> {
    let store = secret::system();
    let fail = |e: secret::SecretError| CliError::Other(e.to_string());
    let place = format!("{} (service {BUNDLE_ID}, account {ACCOUNT})", store.name());
    match action {
        AdminKeyAction::Set => {
            let key = read_key()?;
            validate_key(&key).map_err(CliError::Other)?;
            if !key.starts_with("sk-admin-") {
                eprintln!(
                    "usage-tracker: warning: admin keys start with sk-admin-; project keys cannot read usage"
                );
            }
            if secret::store_if_changed(&store, &key).map_err(fail)? {
                println!("Stored the admin key in {place}.");
            } else {
                println!("The admin key in {place} is already this one: nothing written.");
            }
            Ok(ExitCode::SUCCESS)
        }
        AdminKeyAction::Status => match store.get().map_err(fail)? {
            Some(k) => {
                println!("An admin key is stored in {place}: {}", redact(&k));
                Ok(ExitCode::SUCCESS)
            }
            None => {
                println!("No admin key in {place}. Store one with `usage-tracker admin-key set`.");
                Ok(ExitCode::FAILURE)
            }
        },
        AdminKeyAction::Delete => {
            if store.delete().map_err(fail)? {
                println!("Deleted the admin key from {place}.");
            } else {
                println!("No admin key was stored in {place}.");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// `sk-admin-…wxyz`: enough to recognise a key, not to use it.
pub fn redact(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    if chars.len() < 16 {
        return "(hidden)".into();
    }
    let head: String = chars[..9].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}…{tail}")
}

fn read_key() -> Result<String, CliError> {
    let io = |e: std::io::Error| CliError::Other(format!("cannot read the admin key: {e}"));
    if !std::io::stdin().is_terminal() {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(io)?;
        return Ok(s.trim().to_owned());
    }
    eprint!("Admin key (input hidden): ");
    std::io::stderr().flush().map_err(io)?;
    let key = read_hidden().map_err(io)?;
    eprintln!();
    key.map(|k| k.trim().to_owned())
        .ok_or_else(|| CliError::Other("cancelled: nothing stored".into()))
}

/// Reads a line with echo off (raw mode); `None` on Esc or Ctrl-C.
fn read_hidden() -> std::io::Result<Option<String>> {
    use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers, read};
    crossterm::terminal::enable_raw_mode()?;
    let mut s = String::new();
    let result = loop {
        match read() {
            Ok(Event::Key(k)) if k.kind != KeyEventKind::Release => match k.code {
                KeyCode::Enter => break Ok(Some(s)),
                KeyCode::Esc => break Ok(None),
                KeyCode::Char('c') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                    break Ok(None);
                }
                KeyCode::Char(c) => s.push(c),
                KeyCode::Backspace => {
                    s.pop();
                }
                _ => {}
            },
            Ok(Event::Paste(p)) => s.push_str(&p),
            Ok(_) => {}
            Err(e) => break Err(e),
        }
    };
    crossterm::terminal::disable_raw_mode()?;
    result
}

/// A key as typed at the prompt or in the menu dialog: one token, no spaces or line breaks.
pub fn validate_key(key: &str) -> Result<(), String> {
    if key.is_empty() || key.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("that is not an admin key: it is empty or has spaces or line breaks".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_prefix_and_last_four() {
        assert_eq!(redact("sk-admin-demo-0000000000000000"), "sk-admin-…0000");
        assert_eq!(redact("short"), "(hidden)");
    }
}
