#!/usr/bin/env bash
# Installs what building, running and testing UsageTracker needs, and nothing that is already
# there. Sourced by scripts/demo.sh and scripts/test.sh; also runnable alone:
#   scripts/deps.sh [build|run|test]      (default: test, which includes the others)
# On Debian/Ubuntu it installs missing apt packages (as root, or through sudo). On macOS nothing
# beyond a Rust toolchain is needed. Without cargo it installs Rust with rustup.
set -euo pipefail

deps_say() { printf 'deps: %s\n' "$*" >&2; }
deps_die() { printf 'deps: error: %s\n' "$*" >&2; exit 1; }

# Build: GTK 3 headers for tao/tray-icon/muda (pulls libdbus-1-dev). Run: the appindicator
# library tray-icon loads at run time. Test: the desktop end-to-end test's X server, tray host,
# notification daemon, Secret Service and tools; tmux for the terminal end-to-end test;
# chromium for the HTML report's test in a real browser (tests/report.rs); prometheus (and
# its promtool) for `serve`'s test with a real Prometheus (tests/serve.rs).
DEPS_BUILD=(pkg-config libgtk-3-dev)
DEPS_RUN=(libayatana-appindicator3-1)
DEPS_TEST=(xvfb xfce4-panel xfce4-sntray-plugin dunst xdotool imagemagick dbus-x11
    gnome-keyring libsecret-tools python3 python3-dbus curl tmux chromium prometheus)

deps_as_root() {
    if [[ $(id -u) -eq 0 ]]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else deps_die "need root or sudo to run: $*"
    fi
}

deps_rust() {
    if command -v cargo >/dev/null; then return; fi
    if [[ -x $HOME/.cargo/bin/cargo ]]; then export PATH=$HOME/.cargo/bin:$PATH; return; fi
    command -v curl >/dev/null || deps_die "cargo is missing and so is curl: install Rust from https://rustup.rs"
    deps_say "installing Rust with rustup (https://rustup.rs)"
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c clippy,rustfmt
    export PATH=$HOME/.cargo/bin:$PATH
}

deps_apt() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [[ ${#missing[@]} -eq 0 ]] && return
    deps_say "installing apt packages: ${missing[*]}"
    deps_as_root apt-get update -qq
    deps_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null || deps_die "apt-get install ${missing[*]} failed"
}

deps_install() { # deps_install build|run|test
    local level=${1:-test}
    deps_rust
    case $(uname -s) in
        Darwin) return ;;
        Linux) ;;
        *) deps_die "unsupported system $(uname -s): macOS or Debian/Ubuntu Linux" ;;
    esac
    if ! command -v apt-get >/dev/null; then
        deps_say "not a Debian/Ubuntu system: install GTK 3 development files, libayatana-appindicator3 and (for tests) ${DEPS_TEST[*]} yourself"
        return
    fi
    local pkgs=("${DEPS_BUILD[@]}" "${DEPS_RUN[@]}")
    [[ $level == test ]] && pkgs+=("${DEPS_TEST[@]}")
    deps_apt "${pkgs[@]}"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    deps_install "${1:-test}"
fi
