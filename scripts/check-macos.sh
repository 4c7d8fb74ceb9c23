#!/usr/bin/env bash
# Type-checks the package for macOS (aarch64 and x86_64) on a Linux machine: `cargo check` and
# `cargo clippy -- -D warnings` with std built from source, plus a `cargo tree` assertion that no
# Linux-only crate reaches the macOS build. Run by ./scripts/test.sh and so by CI.
#
# Why this works (see ../shared/testing/macos-check.md): rustup cannot install an Apple std here,
# but Debian's `rustc-web` ships the matching std source (`rust-web-src`), so `-Zbuild-std`
# compiles std for the Apple targets. Nothing is linked, so no Apple SDK is needed, except that
# build scripts still run:
#   - ring compiles C and assembly for the target with the `cc` crate: we give it clang with
#     the target's triple (cc passes it), llvm-ar to archive the Mach-O objects, as SDKROOT a stub
#     SDK whose only header is TargetConditionals.h, and no libc headers at all: -ffreestanding
#     (clang's own stddef.h/stdint.h; immintrin.h then skips stdlib.h) plus RING_CORE_NOSTDLIBINC,
#     ring's own switch for building without libc headers (no assert.h, string.h).
#   - mac-notification-sys compiles Objective-C against the SDK: DOCS_RS=1 makes it skip that.
#     Because a skipped build script records nothing, the target directory is ours alone.
#
# Usage: scripts/check-macos.sh [options]
#   --manifest-path PATH   check another package (default: this repository's Cargo.toml)
#   --target TRIPLE        check only this target (repeatable; default: both Apple targets)
#   --no-clippy            cargo check only
#   --no-tree              skip the cargo tree assertion
#   --setup-only           install/cache the toolchain and exit
#   --self-test            prove a type error in cfg(target_os = "macos") code fails the check
#                          (and one in Linux-only code does not), with a tiny fixture crate
# Environment:
#   USAGE_TRACKER_MACOS_TOOLCHAIN  toolchain cache (default ~/.cache/usage-tracker/macos-toolchain)
#   MACOS_CHECK_TARGET_DIR         cargo target dir (default <repo>/target/macos-check)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${USAGE_TRACKER_MACOS_TOOLCHAIN:-${XDG_CACHE_HOME:-$HOME/.cache}/usage-tracker/macos-toolchain}
ROOT=$CACHE/root
TARGET_DIR=${MACOS_CHECK_TARGET_DIR:-$REPO/target/macos-check}
MANIFEST=$REPO/Cargo.toml
TARGETS=()
CLIPPY=1
TREE=1
MODE=check
# Crates that only make sense on Linux desktops; none may be in the macOS dependency graph.
# Matched as name prefixes, with or without "lib": gtk-sys, gdkwayland-sys, libdbus-sys, x11rb...
FORBIDDEN='gtk|glib|gdk|gio|dbus|zbus|x11|xcb|xkb|wayland|appindicator|ayatana|secret-service|xdo'

die() { printf 'check-macos: error: %s\n' "$*" >&2; exit 1; }
say() { printf 'check-macos: %s\n' "$*" >&2; }

while [[ $# -gt 0 ]]; do
    case $1 in
        --manifest-path) MANIFEST=$(realpath "${2:?--manifest-path needs a path}"); shift 2 ;;
        --target) TARGETS+=("${2:?--target needs a triple}"); shift 2 ;;
        --no-clippy) CLIPPY=0; shift ;;
        --no-tree) TREE=0; shift ;;
        --setup-only) MODE=setup; shift ;;
        --self-test) MODE=self-test; shift ;;
        -h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1' (try --help)" ;;
    esac
done
[[ ${#TARGETS[@]} -gt 0 ]] || TARGETS=(aarch64-apple-darwin x86_64-apple-darwin)
[[ -f $MANIFEST ]] || die "no Cargo.toml at $MANIFEST"

as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else die "need root (or sudo) to run: $*"
    fi
}

# Debian-only from here: the toolchain comes from Debian 12's rustc-web packages.
need_debian() {
    if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
        die "the toolchain comes from Debian packages (rustc-web, rust-web-src); apt-get and dpkg-deb are required. On macOS run cargo check --target aarch64-apple-darwin directly."
    fi
}

apt_updated=0
apt_update() {
    [[ $apt_updated -eq 1 ]] && return
    say "apt-get update"
    as_root apt-get update -qq || die "apt-get update failed"
    apt_updated=1
}

# rustc-web + cargo-web + clippy + std source, unpacked into $ROOT (no system-wide install). A stamp
# file names the exact package versions, so a warm run touches neither apt nor the network.
setup_rust() {
    if [[ -f $CACHE/rust.stamp && -x $ROOT/usr/bin/cargo && -x $ROOT/usr/bin/cargo-clippy ]]; then
        return
    fi
    need_debian
    apt_update
    local libstd llvm
    libstd=$(apt-cache depends libstd-rust-web-dev | awk '/Depends: libstd-rust-web-1/{print $2; exit}')
    [[ -n $libstd ]] || die "apt cannot resolve libstd-rust-web-dev; is Debian 12's security archive (bookworm-security) in sources.list?"
    llvm=$(apt-cache depends "$libstd" | awk '/Depends: libllvm[0-9]/{print $2; exit}')
    [[ -n $llvm ]] || die "cannot resolve the libllvm package $libstd depends on"
    say "downloading rustc-web, cargo-web, rust-web-src, rust-web-clippy ($libstd, $llvm) into $CACHE"
    rm -rf "$CACHE/debs" "$ROOT"
    mkdir -p "$CACHE/debs" "$ROOT"
    local sandbox=()
    [[ $(id -u) -eq 0 ]] && sandbox=(-o APT::Sandbox::User=root) # _apt cannot write to ~root
    (cd "$CACHE/debs" && apt-get download -q "${sandbox[@]}" rustc-web cargo-web rust-web-src rust-web-clippy \
        libstd-rust-web-dev "$libstd" "$llvm" \
        libgit2-1.5 libmbedtls14 libmbedx509-1 libmbedcrypto7 libhttp-parser2.9) ||
        die "apt-get download of the rustc-web packages failed"
    local deb
    for deb in "$CACHE"/debs/*.deb; do dpkg-deb -x "$deb" "$ROOT"; done
    [[ -d $ROOT/usr/lib/rustlib/src/rust/library ]] || die "rust-web-src did not provide the std source under $ROOT/usr/lib/rustlib/src/rust/library"
    (cd "$CACHE/debs" && ls) >"$CACHE/rust.stamp"
    rm -rf "$CACHE/debs"
}

# A C compiler that can emit Mach-O objects (for ring's build script) and an archiver for them.
CLANG='' LLVM_AR=''
setup_clang() {
    find_clang
    if [[ -z $CLANG || -z $LLVM_AR ]]; then
        need_debian
        apt_update
        say "installing clang and llvm (for ring's build script, which compiles C for the Apple target)"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang llvm >/dev/null ||
            die "apt-get install clang llvm failed"
        find_clang
        [[ -n $CLANG && -n $LLVM_AR ]] || die "clang or llvm-ar still missing after apt-get install clang llvm"
    fi
}
find_clang() {
    local v
    CLANG=$(command -v clang || true)
    LLVM_AR=$(command -v llvm-ar || true)
    if [[ -z $LLVM_AR ]]; then
        for v in /usr/lib/llvm-*/bin/llvm-ar; do [[ -x $v ]] && LLVM_AR=$v; done
    fi
}

# The one SDK header ring's C includes on Apple targets once RING_CORE_NOSTDLIBINC is defined.
# Objects compiled against it are never linked: this is a type-check.
STUB_SDK=$CACHE/stub-sdk/MacOSX.sdk
make_stub_sdk() {
    mkdir -p "$STUB_SDK/usr/include"
    cat >"$STUB_SDK/usr/include/TargetConditionals.h" <<'H'
/* Stub written by scripts/check-macos.sh: macOS, not iOS/tvOS/watchOS/visionOS/simulator. */
#pragma once
#define TARGET_OS_MAC 1
#define TARGET_OS_OSX 1
#define TARGET_OS_IPHONE 0
#define TARGET_OS_IOS 0
#define TARGET_OS_TV 0
#define TARGET_OS_WATCH 0
#define TARGET_OS_VISION 0
#define TARGET_OS_SIMULATOR 0
#define TARGET_OS_MACCATALYST 0
H
}

BUILD_STD=("-Zbuild-std=std,panic_abort")
setup() {
    if [[ $(uname -s) == Darwin ]]; then # a Mac has the real thing: rustup's Apple std, the SDK
        BUILD_STD=()
        CARGO=$(command -v cargo) || die "cargo not found (https://rustup.rs)"
        local t
        for t in "${TARGETS[@]}"; do
            rustup target list --installed | grep -qx "$t" || die "Rust target $t is not installed: rustup target add $t"
        done
        return
    fi
    setup_rust
    setup_clang
    make_stub_sdk
    # Every setting below is scoped to this script's cargo calls.
    export PATH=$ROOT/usr/bin:$PATH
    export LD_LIBRARY_PATH=$ROOT/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    export RUSTC=$ROOT/usr/bin/rustc CARGO=$ROOT/usr/bin/cargo RUSTC_BOOTSTRAP=1 DOCS_RS=1
    unset RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER RUSTFLAGS CARGO_BUILD_TARGET
    export SDKROOT=$STUB_SDK MACOSX_DEPLOYMENT_TARGET=11.0
    export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-auto}
    local t v
    for t in aarch64-apple-darwin x86_64-apple-darwin; do
        v=${t//-/_}
        export "CC_$v=$CLANG" "AR_$v=$LLVM_AR" "CFLAGS_$v=-ffreestanding -DRING_CORE_NOSTDLIBINC=1"
    done
    # The bundled SQLite (rusqlite's `bundled`) is C that needs the SDK's libc headers, which the
    # stub SDK does not have: take libsqlite3-sys's linked path instead, which compiles no C and
    # uses the same pre-generated bindings, so the Rust code is checked as on a Mac (a check
    # links nothing).
    export LIBSQLITE3_SYS_USE_PKG_CONFIG=1
    "$RUSTC" -vV >/dev/null 2>&1 || die "the cached rustc at $RUSTC does not run; delete $CACHE and retry"
}

cargo_mac() { # cargo_mac <subcommand> <target> [extra args...]
    local sub=$1 target=$2
    shift 2
    "$CARGO" "$sub" ${BUILD_STD[@]+"${BUILD_STD[@]}"} --manifest-path "$MANIFEST" \
        --target "$target" --target-dir "$TARGET_DIR" --all-targets "$@"
}

check_tree() {
    local t out bad
    for t in "${TARGETS[@]}"; do
        out=$("$CARGO" tree --manifest-path "$MANIFEST" --target "$t" -e normal --prefix none --format '{p}') ||
            die "cargo tree --target $t failed"
        bad=$(awk '{print $1}' <<<"$out" | sort -u | grep -E "^(lib)?($FORBIDDEN)" || true)
        [[ -z $bad ]] || die "Linux-only crates in the $t dependency graph: $(tr '\n' ' ' <<<"$bad")
  (find who pulls them in: cargo tree --target $t -i <crate>; gate them under [target.'cfg(target_os = \"linux\")'.dependencies])"
        say "cargo tree --target $t: no Linux-only crates ($(awk '{print $1}' <<<"$out" | sort -u | wc -l) crates)"
    done
}

run_check() {
    local t start
    [[ $TREE -eq 1 ]] && check_tree
    for t in "${TARGETS[@]}"; do
        start=$SECONDS
        say "cargo check --target $t"
        cargo_mac check "$t" || die "cargo check for $t failed (see errors above)"
        if [[ $CLIPPY -eq 1 ]]; then
            say "cargo clippy --target $t -- -D warnings"
            cargo_mac clippy "$t" -- -D warnings || die "cargo clippy for $t failed (see errors above)"
        fi
        say "$t ok in $((SECONDS - start)) s"
    done
}

# A fixture crate with one function per OS. Planting a type error in the macOS one must fail the
# check; planting it in the Linux one must not (proving the macOS cfg is what gets compiled).
self_test() {
    local tmp status
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' RETURN
    mkdir -p "$tmp/src"
    cat >"$tmp/Cargo.toml" <<'EOF'
[package]
name = "macos-check-fixture"
version = "0.0.0"
edition = "2021"
publish = false

[workspace]
EOF
    write_fixture() { # write_fixture <macos body> <linux body>
        cat >"$tmp/src/lib.rs" <<EOF
#[cfg(target_os = "macos")]
pub fn answer() -> u32 { $1 }
#[cfg(target_os = "linux")]
pub fn answer() -> u32 { $2 }
EOF
    }
    # Same target dir as the real check: std (the expensive part) is built once for both.
    local args=(--manifest-path "$tmp/Cargo.toml" --no-tree --no-clippy --target aarch64-apple-darwin)

    write_fixture '42' '42'
    "${BASH_SOURCE[0]}" "${args[@]}" || die "self-test: the clean fixture failed the check"

    write_fixture '"not a number"' '42'
    status=0
    "${BASH_SOURCE[0]}" "${args[@]}" 2>"$tmp/err" || status=$?
    [[ $status -ne 0 ]] || die "self-test: a type error in cfg(target_os = \"macos\") code did NOT fail the check"
    grep -q 'mismatched types' "$tmp/err" || { cat "$tmp/err" >&2; die "self-test: the check failed, but not with the planted type error"; }

    write_fixture '42' '"not a number"'
    "${BASH_SOURCE[0]}" "${args[@]}" || die "self-test: an error in Linux-only code failed the macOS check (is the target really macOS?)"

    say "self-test passed: a type error in macOS-only code fails the check, one in Linux-only code does not"
}

setup
case $MODE in
    setup) say "toolchain ready in $CACHE" ;;
    self-test) self_test ;;
    check) run_check ;;
esac
