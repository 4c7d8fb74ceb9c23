#!/usr/bin/env bash
# Resident memory and CPU time of the menu-bar app after a run against the simulated API, under
# the same desktop as scripts/desktop-e2e.sh (private D-Bus session, Xvfb, xfce4-panel with the
# StatusNotifierItem plugin, dunst). Reads VmRSS/VmHWM from /proc/PID/status, utime+stime from
# /proc/PID/stat, and sums /proc/PID/smaps Rss per mapping to say what dominates.
#
# Usage: scripts/measure-tray.sh [SECONDS (default 600)] [INTERVAL (default 15)]
#   USAGE_TRACKER_BIN=target/release/usage-tracker scripts/measure-tray.sh   # a release build
set -euo pipefail

if [[ ${1:-} != --inside ]]; then
    REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    export MEASURE_SECS=${1:-600} MEASURE_INTERVAL=${2:-15}
    export USAGE_TRACKER_BIN=${USAGE_TRACKER_BIN:-$REPO/target/debug/usage-tracker}
    [[ -x $USAGE_TRACKER_BIN ]] || (cd "$REPO" && cargo build --quiet --bin usage-tracker)
    TMP=$(mktemp -d /tmp/usage-tracker-measure.XXXXXX)
    # xdg-document-portal, started on the session bus, mounts a FUSE file system in the runtime dir.
    trap 'umount -l "$TMP/run/doc" 2>/dev/null || true; rm -rf "$TMP"' EXIT
    export MEASURE_TMP=$TMP HOME=$TMP/home XDG_RUNTIME_DIR=$TMP/run
    export XDG_CONFIG_HOME=$HOME/.config XDG_DATA_HOME=$HOME/.local/share XDG_CACHE_HOME=$HOME/.cache
    mkdir -p "$XDG_CONFIG_HOME/xfce4/xfconf/xfce-perchannel-xml" "$XDG_RUNTIME_DIR"
    chmod 700 "$XDG_RUNTIME_DIR"
    cp "$REPO/tests/desktop/xfce4-panel-sntray.xml" \
        "$XDG_CONFIG_HOME/xfce4/xfconf/xfce-perchannel-xml/xfce4-panel.xml"
    unset DISPLAY DBUS_SESSION_BUS_ADDRESS OPENAI_ADMIN_KEY
    cd "$TMP"
    dbus-run-session -- bash "$REPO/scripts/measure-tray.sh" --inside 2>"$TMP/stderr.log"
    exit
fi

BIN=$USAGE_TRACKER_BIN
PIDS=()
# xfce4-panel may ignore SIGTERM: KILL whatever is left a second later, then reap.
trap 'xfce4-panel --quit >/dev/null 2>&1 || true; kill "${PIDS[@]}" 2>/dev/null || true; sleep 1
      kill -KILL "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true' EXIT
exec 3>"$MEASURE_TMP/display"
Xvfb -displayfd 3 -screen 0 800x600x24 -nolisten tcp >/dev/null 2>&1 &
PIDS+=($!)
until [[ -s $MEASURE_TMP/display ]]; do sleep 0.2; done
export DISPLAY=:$(head -1 "$MEASURE_TMP/display")
dunst >/dev/null 2>&1 &
PIDS+=($!)
setsid xfce4-panel >/dev/null 2>&1 &
PIDS+=($!)
sleep 3
PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" simulate --port "$PORT" >/dev/null 2>&1 &
PIDS+=($!)
until curl -fs "http://127.0.0.1:$PORT/_sim/stats" >/dev/null; do sleep 0.2; done

OPENAI_ADMIN_KEY=sk-admin-demo-0000000000000000 "$BIN" --base-url "http://127.0.0.1:$PORT/v1" \
    --api-key-id key_demoPrimary01 --interval "$MEASURE_INTERVAL" >/dev/null 2>&1 &
APP=$!
PIDS+=($APP)
echo "binary: $BIN"
echo "app pid $APP, refresh every $MEASURE_INTERVAL s, measuring for $MEASURE_SECS s"
sleep "$MEASURE_SECS"
kill -0 "$APP" || { echo "the app exited early" >&2; exit 1; }

TICKS=$(getconf CLK_TCK)
read -r utime stime < <(sed 's/^.*) //' "/proc/$APP/stat" | awk '{print $12, $13}')
requests=$(curl -fs "http://127.0.0.1:$PORT/_sim/stats")
echo "after $MEASURE_SECS s:"
grep -E '^(VmRSS|VmHWM|RssAnon|RssFile|RssShmem|Threads)' "/proc/$APP/status"
awk -v u="$utime" -v s="$stime" -v t="$TICKS" 'BEGIN {printf "CPU: utime %.2f s + stime %.2f s = %.2f s\n", u/t, s/t, (u+s)/t}'
echo "simulator stats: $requests"
echo "Rss by mapping (top 15, kB):"
/usr/bin/python3 - "$APP" <<'PY'
import collections, sys
rss = collections.Counter()
name = None
for line in open(f"/proc/{sys.argv[1]}/smaps"):
    parts = line.split()
    if "-" in parts[0] and len(parts) >= 5 and ":" in parts[3]:
        name = parts[5] if len(parts) > 5 else "[anon]"
        name = name.rsplit("/", 1)[-1]
    elif parts[0] == "Rss:":
        rss[name] += int(parts[1])
for n, kb in rss.most_common(15):
    print(f"{kb:8d}  {n}")
print(f"{sum(rss.values()):8d}  total")
PY
