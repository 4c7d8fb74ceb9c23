//! `usage-tracker admin-key set|status|delete`: the admin key in the OS secret store. `set`
//! reads the key from a hidden prompt (a terminal) or from stdin (a pipe), never from the
//! command line, and writes only when the stored value differs.

use super::CliError;
use crate::cli::{AdminKeyAction, Options};
use crate::platform::BUNDLE_ID;
use crate::platform::secret::{self, ACCOUNT, SecretStore};
use crate::settings::{self, Environment, Key, Scope, redact::redact};
use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

pub fn run(action: AdminKeyAction, opts: &Options) -> Result<ExitCode, CliError> {
    if opts.get(Key::AdminKey).is_some() {
        return Err(CliError::BadInput(
            "admin-key does not take --admin-key (a flag is visible to other processes): `usage-tracker admin-key set` reads the key from a hidden prompt, or from stdin (`usage-tracker admin-key set < key.txt`)".into(),
        ));
    }
    for w in settings::ignored_flags(opts, Scope::AdminKey) {
        eprintln!("usage-tracker: warning: {w}");
    }
    let store = secret::system();
    let fail = |e: secret::SecretError| CliError::Other(e.to_string());
    let place = format!("{} (service {BUNDLE_ID}, account {ACCOUNT})", store.name());
    match action {
        AdminKeyAction::Set => {
            let key = read_key()?;
            validate_key(&key).map_err(CliError::BadInput)?;
            if !key.starts_with("sk-admin-") {
                eprintln!(
                    "usage-tracker: warning: admin keys start with sk-admin-; other keys cannot read usage"
                );
            }
            if secret::store_if_changed(&store, &key).map_err(fail)? {
                println!("Stored the admin key in {place}.");
            } else {
                println!("The admin key in {place} is already this one: nothing written.");
            }
            Ok(ExitCode::SUCCESS)
        }
        AdminKeyAction::Status => {
            // Said first, so that it is said even when the store cannot be read.
            if let Some(origin) = settings::admin_key_override(&Environment::from_process())? {
                println!("The admin key in {origin} is used before any stored one.");
            }
            let stored = store.get().map_err(fail)?;
            match &stored {
                Some(k) => println!("An admin key is stored in {place}: {}", redact(k)),
                None => println!(
                    "No admin key in {place}. Store one with `usage-tracker admin-key set`."
                ),
            }
            Ok(if stored.is_some() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
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

pub use crate::settings::validate_key;

#[cfg(test)]
mod tests {
    use super::validate_key;

    /// The same check for `admin-key set` and the menu's dialog.
    #[test]
    fn project_keys_and_malformed_keys_are_refused_with_the_reason() {
        assert!(validate_key("sk-admin-abcdefghijklmnop").is_ok());
        let e = validate_key("sk-proj-abcdefghijklmnop").unwrap_err();
        assert!(e.contains("project key") && e.contains("sk-admin-"), "{e}");
        assert!(
            validate_key("sk-admin with space")
                .unwrap_err()
                .contains("spaces")
        );
        assert!(validate_key("").is_err());
    }
}
