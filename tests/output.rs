//! The CLI's output as a person or a script reads it: `once` and `keys` fitting the terminal,
//! `keys --format json`, logs without colour codes in a pipe, and `scripts/demo.sh` building
//! where `CARGO_TARGET_DIR` says. The real binary on the simulated API (`--demo`).

use std::path::Path;
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_usage-tracker");

/// The binary with a clean environment: no key, settings or `.env` from the user.
fn cmd(home: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .current_dir(home);
    c
}

fn run(c: &mut Command) -> (Output, String, String) {
    let out = c.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

#[test]
fn logs_to_a_pipe_have_no_colour_codes() {
    let home = tempfile::tempdir().unwrap();
    let (out, _, stderr) = run(cmd(home.path())
        .args(["once", "--demo", "--format", "json"])
        .env("USAGE_TRACKER_LOG", "debug"));
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("DEBUG"),
        "no debug log to look at:\n{stderr}"
    );
    assert!(
        !stderr.contains('\u{1b}'),
        "ANSI codes in a piped log:\n{stderr}"
    );
}

/// `scripts/demo.sh` with a stand-in `cargo` on the PATH that "builds" by putting a wrapper
/// around the real binary (it prints a marker, then runs it) at `$CARGO_TARGET_DIR/release`:
/// the script must run what it built there, not `target/release` of the repository.
#[test]
fn demo_script_runs_the_binary_from_cargo_target_dir() {
    use std::os::unix::fs::PermissionsExt;
    let home = tempfile::tempdir().unwrap();
    let stubs = home.path().join("stubs");
    std::fs::create_dir_all(&stubs).unwrap();
    let cargo = stubs.join("cargo");
    std::fs::write(
        &cargo,
        format!(
            "#!/bin/sh\nset -e\nmkdir -p \"$CARGO_TARGET_DIR\"\necho \"cargo $*\" >> \"$CARGO_TARGET_DIR/cargo.log\"\n\
mkdir -p \"$CARGO_TARGET_DIR/release\"\n\
printf '#!/bin/sh\\necho built-in-target-dir\\nexec {BIN} \"$@\"\\n' > \"$CARGO_TARGET_DIR/release/usage-tracker\"\n\
chmod +x \"$CARGO_TARGET_DIR/release/usage-tracker\"\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/demo.sh");
    let path = format!(
        "{}:{}",
        stubs.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // Relative, as a person would type it: resolved from where the script was started.
    let (out, stdout, stderr) = run(Command::new("bash")
        .arg(&script)
        .args(["once", "--format", "json"])
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("PATH", path)
        .env("CARGO_TARGET_DIR", "elsewhere")
        .current_dir(home.path()));
    assert!(out.status.success(), "{stderr}\n{stdout}");
    assert!(stdout.starts_with("built-in-target-dir\n"), "{stdout}");
    let v: serde_json::Value =
        serde_json::from_str(stdout.trim_start_matches("built-in-target-dir\n")).unwrap();
    assert!(v["totals"]["total_tokens"].as_u64().unwrap() > 0, "{v}");
    let log = std::fs::read_to_string(home.path().join("elsewhere/cargo.log")).unwrap();
    assert!(log.contains("build --release"), "{log}");
}

/// A build without the `app` feature (`--no-default-features`) says what it lacks and what to
/// use instead, rather than failing to start for want of GTK.
#[cfg(not(feature = "app"))]
#[test]
fn a_build_without_the_app_says_so() {
    let home = tempfile::tempdir().unwrap();
    let (out, _, stderr) = run(cmd(home.path()).env("DISPLAY", ":0"));
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("no menu-bar app"), "{stderr}");
    assert!(stderr.contains("usage-tracker once"), "{stderr}");
}
