#!/usr/bin/env bash
# The app on the built-in simulated Admin API: no credentials, nothing leaves this machine.
# Installs what is missing, builds, then runs the menu-bar app (or, with no desktop session,
# the live terminal view). Extra arguments go to usage-tracker, e.g. `./scripts/demo.sh watch`.
# The binary is built where cargo puts it: $CARGO_TARGET_DIR when set (relative to the
# directory the script was started from, as cargo reads it), else target/ in the repository.
set -euo pipefail
target_dir=${CARGO_TARGET_DIR:-}
if [[ -n $target_dir && $target_dir != /* ]]; then
    target_dir="$PWD/$target_dir"
fi
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [[ -n $target_dir ]]; then export CARGO_TARGET_DIR=$target_dir; else target_dir=$PWD/target; fi
# shellcheck source=scripts/deps.sh
source scripts/deps.sh
deps_install run
cargo build --release --locked --bin usage-tracker
bin=$target_dir/release/usage-tracker
if [[ $# -gt 0 ]]; then
    exec "$bin" --demo "$@"
elif [[ $(uname -s) == Darwin || -n ${DISPLAY:-}${WAYLAND_DISPLAY:-} ]]; then
    echo "UsageTracker is in the menu bar (simulated data). Quit it from its menu."
    exec "$bin" --demo
else
    echo "No desktop session here: showing the live terminal view instead (q quits)."
    exec "$bin" watch --demo
fi
