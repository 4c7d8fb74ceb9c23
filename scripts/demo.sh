#!/usr/bin/env bash
# The app on the built-in simulated Admin API: no credentials, nothing leaves this machine.
# Installs what is missing, builds, then runs the menu-bar app (or, with no desktop session,
# the live terminal view). Extra arguments go to usage-tracker, e.g. `./scripts/demo.sh watch`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/deps.sh
source scripts/deps.sh
deps_install run
cargo build --release --locked --bin usage-tracker
bin=target/release/usage-tracker
if [[ $# -gt 0 ]]; then
    exec "$bin" --demo "$@"
elif [[ $(uname -s) == Darwin || -n ${DISPLAY:-}${WAYLAND_DISPLAY:-} ]]; then
    echo "UsageTracker is in the menu bar (simulated data). Quit it from its menu."
    exec "$bin" --demo
else
    echo "No desktop session here: showing the live terminal view instead (q quits)."
    exec "$bin" watch --demo
fi
