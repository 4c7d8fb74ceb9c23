//! The macOS app bundle, checked on any OS: `scripts/create_mac_app.sh` wraps this build's binary
//! (a Linux one in CI) into `UsageTracker.app` in a temporary folder, and these tests check the
//! layout and the Info.plist. The plist is parsed by python3's `plistlib` (a strict XML plist
//! reader, on every CI machine) and handed back as JSON, so no plist crate is needed here.
//! Also checks the icons the bundle and the tray use: sizes, kinds, the .icns container.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_usage-tracker");

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs create_mac_app.sh with the given arguments; returns (success, stderr).
fn create_mac_app(args: &[&std::ffi::OsStr]) -> (bool, String) {
    let out = Command::new("bash")
        .arg(repo().join("scripts/create_mac_app.sh"))
        .args(args)
        .output()
        .expect("bash runs scripts/create_mac_app.sh");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A bundle assembled from this build's binary, unsigned (so the binary stays byte-identical
/// even on a Mac, where the script would otherwise sign it).
fn assemble() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (ok, stderr) = create_mac_app(&[
        "--binary".as_ref(),
        BIN.as_ref(),
        "--out".as_ref(),
        dir.path().as_os_str(),
        "--no-sign".as_ref(),
    ]);
    assert!(ok, "create_mac_app.sh failed:\n{stderr}");
    let app = dir.path().join("UsageTracker.app");
    (dir, app)
}

/// Every file under `root`, as sorted '/'-separated relative paths.
fn files_under(root: &Path) -> Vec<String> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
        for entry in fs::read_dir(dir).expect("readable dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(&path, root, out);
            } else {
                let rel = path.strip_prefix(root).expect("under root");
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out.sort();
    out
}

/// Parses a property list with python3's plistlib and returns it as JSON.
fn read_plist(path: &Path) -> Value {
    let out = Command::new("python3")
        .args([
            "-c",
            "import json, plistlib, sys; print(json.dumps(plistlib.load(open(sys.argv[1], 'rb'))))",
        ])
        .arg(path)
        .output()
        .expect("python3 is needed to parse the plist (it is on every CI machine)");
    assert!(
        out.status.success(),
        "{} is not a valid XML property list:\n{}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("plistlib output is JSON")
}

/// (width, height) from a PNG's IHDR chunk, after checking the signature and that it is RGBA.
fn png_size(path: &Path) -> (u32, u32) {
    let data = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        data.starts_with(b"\x89PNG\r\n\x1a\n"),
        "{} is not a PNG",
        path.display()
    );
    assert_eq!(&data[12..16], b"IHDR", "{}: no IHDR", path.display());
    assert_eq!(
        data[25],
        6,
        "{}: expected 8-bit RGBA (colour type 6)",
        path.display()
    );
    let be = |i: usize| u32::from_be_bytes(data[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

#[test]
fn bundle_has_the_macos_layout() {
    let (_dir, app) = assemble();
    assert_eq!(
        files_under(&app),
        [
            "Contents/Info.plist",
            "Contents/MacOS/usage-tracker",
            "Contents/PkgInfo",
            "Contents/Resources/AppIcon.icns",
        ]
    );
    let exe = app.join("Contents/MacOS/usage-tracker");
    assert_eq!(
        fs::read(&exe).unwrap(),
        fs::read(BIN).unwrap(),
        "the binary is copied unchanged"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&exe).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o755,
            0o755,
            "executable is not executable: {mode:o}"
        );
    }
    assert_eq!(fs::read(app.join("Contents/PkgInfo")).unwrap(), b"APPL????");
    assert_eq!(
        fs::read(app.join("Contents/Resources/AppIcon.icns")).unwrap(),
        fs::read(repo().join("icons/AppIcon.icns")).unwrap()
    );
}

#[test]
fn info_plist_is_valid_and_complete() {
    let (_dir, app) = assemble();
    let plist = read_plist(&app.join("Contents/Info.plist"));
    let key = |k: &str| {
        plist
            .get(k)
            .unwrap_or_else(|| panic!("Info.plist lacks {k}: {plist}"))
    };

    for (k, want) in [
        ("CFBundleIdentifier", "dev.usagetracker.UsageTracker"),
        ("CFBundleName", "UsageTracker"),
        ("CFBundleDisplayName", "Usage Tracker"),
        ("CFBundleExecutable", "usage-tracker"),
        ("CFBundlePackageType", "APPL"),
        ("CFBundleInfoDictionaryVersion", "6.0"),
        ("CFBundleIconFile", "AppIcon"),
        ("LSMinimumSystemVersion", "13.0"),
        ("CFBundleShortVersionString", env!("CARGO_PKG_VERSION")),
    ] {
        assert_eq!(key(k), want, "Info.plist {k}");
    }
    assert_eq!(key("LSUIElement"), true, "a menu-bar app has no Dock icon");

    // CFBundleVersion: Cargo's version without pre-release/build suffix (macOS wants integers).
    let numeric = env!("CARGO_PKG_VERSION").split(['-', '+']).next().unwrap();
    assert_eq!(key("CFBundleVersion"), numeric);
    assert!(
        numeric.split('.').all(|p| p.parse::<u32>().is_ok()),
        "CFBundleVersion {numeric} is not integers"
    );

    let copyright = key("NSHumanReadableCopyright").as_str().unwrap();
    assert!(
        copyright.contains("Copyright"),
        "NSHumanReadableCopyright: {copyright}"
    );

    // The names the plist points at exist in the bundle.
    let exe = key("CFBundleExecutable").as_str().unwrap();
    assert!(app.join("Contents/MacOS").join(exe).is_file());
    let icon = key("CFBundleIconFile").as_str().unwrap();
    assert!(
        app.join("Contents/Resources")
            .join(format!("{icon}.icns"))
            .is_file()
    );
}

#[test]
fn info_plist_version_is_cargo_tomls() {
    // CARGO_PKG_VERSION comes from Cargo.toml too, but through cargo; read the file as the
    // script does, so a workspace-inherited or otherwise odd version shows up here.
    let manifest = fs::read_to_string(repo().join("Cargo.toml")).unwrap();
    let version = manifest.parse::<toml::Table>().expect("Cargo.toml parses")["package"]["version"]
        .as_str()
        .expect("[package] version is a string")
        .to_owned();
    let (_dir, app) = assemble();
    let plist = read_plist(&app.join("Contents/Info.plist"));
    assert_eq!(plist["CFBundleShortVersionString"], version.as_str());
}

#[test]
fn entitlements_are_a_valid_plist() {
    let entitlements = read_plist(&repo().join("bundle/UsageTracker.entitlements"));
    assert!(
        entitlements.is_object(),
        "entitlements are a dictionary: {entitlements}"
    );
}

#[test]
fn create_mac_app_requires_a_binary() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, stderr) = create_mac_app(&["--out".as_ref(), dir.path().as_os_str()]);
    assert!(!ok, "succeeded without --binary");
    assert!(
        stderr.contains("--binary PATH is required"),
        "unclear error: {stderr}"
    );

    let missing = dir.path().join("no-such-binary");
    let (ok, stderr) = create_mac_app(&["--binary".as_ref(), missing.as_os_str()]);
    assert!(!ok, "succeeded with a missing binary");
    assert!(
        stderr.contains("is not an executable file"),
        "unclear error: {stderr}"
    );
}

#[test]
fn tray_template_icons_are_18_and_36_px() {
    assert_eq!(png_size(&repo().join("icons/tray-template.png")), (18, 18));
    assert_eq!(
        png_size(&repo().join("icons/tray-template@2x.png")),
        (36, 36)
    );
}

#[test]
fn app_icon_set_and_icns_are_complete() {
    let iconset = repo().join("icons/AppIcon.iconset");
    for size in [16, 32, 128, 256, 512] {
        let one = iconset.join(format!("icon_{size}x{size}.png"));
        let two = iconset.join(format!("icon_{size}x{size}@2x.png"));
        assert_eq!(png_size(&one), (size, size), "{}", one.display());
        assert_eq!(png_size(&two), (size * 2, size * 2), "{}", two.display());
    }

    // 'icns', total length, then (type, length incl. 8-byte header, PNG data) chunks.
    let icns = fs::read(repo().join("icons/AppIcon.icns")).unwrap();
    assert_eq!(&icns[..4], b"icns");
    let be = |i: usize| u32::from_be_bytes(icns[i..i + 4].try_into().unwrap()) as usize;
    assert_eq!(be(4), icns.len(), "icns length field");
    let mut types = Vec::new();
    let mut at = 8;
    while at < icns.len() {
        let len = be(at + 4);
        assert!(
            len > 8 && at + len <= icns.len(),
            "chunk at {at} overruns the file"
        );
        assert!(
            icns[at + 8..].starts_with(b"\x89PNG"),
            "chunk at {at} is not PNG"
        );
        types.push(String::from_utf8_lossy(&icns[at..at + 4]).into_owned());
        at += len;
    }
    for required in [
        "ic07", "ic08", "ic09", "ic10", "ic11", "ic12", "ic13", "ic14",
    ] {
        assert!(
            types.iter().any(|t| t == required),
            "no {required} in {types:?}"
        );
    }
}
