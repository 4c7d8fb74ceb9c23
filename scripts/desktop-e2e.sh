#!/usr/bin/env bash
# The menu-bar app on a Linux desktop, end to end, as a user would see it: a private D-Bus
# session, Xvfb, a tray host (xfce4-panel + its StatusNotifierItem plugin), a notification
# daemon (dunst), an unlocked Secret Service (gnome-keyring) and the simulated Admin API; then
# the real binary, asserted through D-Bus (tests/desktop/sni.py). Saves a screenshot of the
# open menu to target/desktop-e2e/menu.png. Prints "N passed, M failed"; exits 1 on a failure.
#
# Needs (apt): libgtk-3-dev pkg-config libayatana-appindicator3-1 xvfb xfce4-panel
#   xfce4-sntray-plugin dunst xdotool imagemagick dbus-x11 gnome-keyring libsecret-tools
#   python3-dbus curl
# Usage: scripts/desktop-e2e.sh [--no-build]   (USAGE_TRACKER_BIN picks another binary)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ ${1:-} != --no-build && -z ${USAGE_TRACKER_BIN:-} ]]; then
    (cd "$REPO" && cargo build --quiet --bin usage-tracker)
fi
export USAGE_TRACKER_BIN=${USAGE_TRACKER_BIN:-$REPO/target/debug/usage-tracker}
export E2E_OUT=$REPO/target/desktop-e2e
mkdir -p "$E2E_OUT"
rm -f "$E2E_OUT"/*.png "$E2E_OUT"/*.log

TMP=$(mktemp -d /tmp/usage-tracker-e2e.XXXXXX)
export E2E_TMP=$TMP
# xdg-document-portal, started on the session bus, mounts a FUSE file system in the runtime dir.
cleanup() { umount -l "$TMP/run/doc" 2>/dev/null || true; rm -rf "$TMP"; }
trap cleanup EXIT

# A private home: settings, keyring, autostart and runtime files all live in $TMP.
export HOME=$TMP/home
export XDG_CONFIG_HOME=$HOME/.config XDG_DATA_HOME=$HOME/.local/share XDG_CACHE_HOME=$HOME/.cache
export XDG_RUNTIME_DIR=$TMP/run
mkdir -p "$XDG_CONFIG_HOME/xfce4/xfconf/xfce-perchannel-xml" "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
cp "$REPO/tests/desktop/xfce4-panel-sntray.xml" \
    "$XDG_CONFIG_HOME/xfce4/xfconf/xfce-perchannel-xml/xfce4-panel.xml"
# No accessibility bus: nothing here reads it, and its launcher would outlive the session.
export NO_AT_BRIDGE=1
unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS OPENAI_ADMIN_KEY OPENAI_API_KEY_ID \
    OPENAI_BASE_URL GNOME_KEYRING_CONTROL

cd "$TMP"
# The session bus and the desktop services it activates are chatty on stderr: keep that in a log.
dbus-run-session -- bash "$REPO/tests/desktop/session.sh" 2>"$E2E_OUT/session-stderr.log"
