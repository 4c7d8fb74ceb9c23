#!/usr/bin/env bash
# Every check, as CI runs it: installs what is missing, then format, clippy, unit and
# integration tests (real HTTP against the simulated API, the binary, the terminal view in
# tmux), the same without the desktop feature plus the headless CLI in a chroot, the Linux desktop end-to-end test (Xvfb + tray host + notifications + Secret Service)
# and the macOS type-check. Stops at the first failure.
#   ./scripts/test.sh            everything
#   SKIP_MACOS=1 / SKIP_DESKTOP=1 ./scripts/test.sh   leave one out while iterating (CI never does)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/deps.sh
source scripts/deps.sh
deps_install test

started=$(date +%s)
last=
# Each step says how long the one before it took, so a slow CI run shows where its time went.
step() {
    local now
    now=$(date +%s)
    if [[ -n $last ]]; then printf '    (%d s)\n' $((now - last)); fi
    last=$now
    printf '\n==> %s\n' "$*"
}

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "cargo test (unit, integration, end-to-end over HTTP and in tmux)"
cargo test --workspace --all-targets --locked
# Doc tests too (--all-targets leaves them out).
cargo test --workspace --doc --locked

step "without the desktop: cargo clippy and cargo test --no-default-features --features demo (no menu-bar app); the bare build (no simulator either) builds and is clippy-clean"
cargo clippy --all-targets --locked --no-default-features --features demo -- -D warnings
cargo clippy --locked --no-default-features -- -D warnings
# The unit tests, and the binary's own command-line and output tests: the integration tests over
# HTTP run the same code in both builds (only the menu-bar app is left out), so running all of
# them twice would double the run for nothing; the chroot check below runs the headless binary.
cargo test --locked --no-default-features --features demo --lib --bins --test cli --test output --test serve

step "headless CLI in a chroot without GTK (scripts/headless-check.sh)"
scripts/headless-check.sh

if [[ ${SKIP_DESKTOP:-} != 1 ]]; then
    step "desktop end-to-end (scripts/desktop-e2e.sh)"
    scripts/desktop-e2e.sh
fi

if [[ ${SKIP_MACOS:-} != 1 ]]; then
    step "macOS type-check (scripts/check-macos.sh)"
    scripts/check-macos.sh
    step "macOS check self-test: a type error in macOS-only code must fail it"
    scripts/check-macos.sh --self-test
fi

step "all checks passed in $(( $(date +%s) - started )) s"
