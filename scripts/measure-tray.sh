#!/usr/bin/env bash
# Resident memory and CPU time of the menu-bar app after a run against the simulated API, under
# the same desktop as scripts/desktop-e2e.sh (private D-Bus session, Xvfb, xfce4-panel with the
# StatusNotifierItem plugin, dunst). Reads VmRSS/VmHWM from /proc/PID/status, utime+stime from
# /proc/PID/stat, and sums /proc/PID/smaps Rss per mapping to say what dominates.
#
# --compare: what the history store costs. Two apps at once, each with its own home, runtime
# folder and simulator: one with the store (a fresh data folder), one with `--data-dir off`.
# After the run it prints each one's RSS and PSS (/proc/PID/smaps_rollup) and the difference, and
# the CPU time each used between refreshes: sampled every 0.5 s, counted only in the samples
# where its simulator saw no request for 1 s before and after (the refresh's own work is not
# "between refreshes").
#
# Usage: scripts/measure-tray.sh [--compare] [SECONDS (default 600)] [INTERVAL (default 15)]
#   USAGE_TRACKER_BIN=target/release/usage-tracker scripts/measure-tray.sh   # a release build
set -euo pipefail

if [[ ${1:-} != --inside ]]; then
    REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    MEASURE_MODE=single
    if [[ ${1:-} == --compare ]]; then
        MEASURE_MODE=compare
        shift
    fi
    export MEASURE_MODE MEASURE_SECS=${1:-600} MEASURE_INTERVAL=${2:-15}
    export USAGE_TRACKER_BIN=${USAGE_TRACKER_BIN:-$REPO/target/debug/usage-tracker}
    [[ -x $USAGE_TRACKER_BIN ]] || (cd "$REPO" && cargo build --quiet --bin usage-tracker)
    TMP=$(mktemp -d /tmp/usage-tracker-measure.XXXXXX)
    # xdg-document-portal, started on the session bus, mounts a FUSE file system in the runtime dir.
    trap 'for d in "$TMP"/run "$TMP"/*/run; do umount -l "$d/doc" 2>/dev/null || true; done; rm -rf "$TMP"' EXIT
    export MEASURE_TMP=$TMP HOME=$TMP/home XDG_RUNTIME_DIR=$TMP/run
    export XDG_CONFIG_HOME=$HOME/.config XDG_DATA_HOME=$HOME/.local/share XDG_CACHE_HOME=$HOME/.cache
    mkdir -p "$XDG_CONFIG_HOME/xfce4/xfconf/xfce-perchannel-xml" "$XDG_RUNTIME_DIR"
    chmod 700 "$XDG_RUNTIME_DIR"
    cp "$REPO/tests/desktop/xfce4-panel-sntray.xml" \
        "$XDG_CONFIG_HOME/xfce4/xfconf/xfce-perchannel-xml/xfce4-panel.xml"
    export NO_AT_BRIDGE=1 # no accessibility bus: nothing reads it
    unset DISPLAY DBUS_SESSION_BUS_ADDRESS OPENAI_ADMIN_KEY USAGE_TRACKER_DATA_DIR
    cd "$TMP"
    dbus-run-session -- bash "$REPO/scripts/measure-tray.sh" --inside 2>"$TMP/stderr.log" \
        || { tail -20 "$TMP/stderr.log" >&2; exit 1; }
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

# simulator: starts one on a free port; sets PORT.
simulator() {
    PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    "$BIN" simulate --port "$PORT" >/dev/null 2>&1 &
    PIDS+=($!)
    until curl -fs "http://127.0.0.1:$PORT/_sim/stats" >/dev/null; do sleep 0.2; done
}
# app PORT ARGS...: the app against the simulator on PORT; sets APP.
app() {
    local port=$1
    shift
    OPENAI_ADMIN_KEY=sk-admin-demo-0000000000000000 "$BIN" --base-url "http://127.0.0.1:$port/v1" \
        --api-key-id key_demoPrimary01 --interval "$MEASURE_INTERVAL" "$@" >/dev/null 2>&1 &
    APP=$!
    PIDS+=($APP)
}

if [[ $MEASURE_MODE == compare ]]; then
    # Each app in its own home and runtime folder (settings, single-instance lock), one desktop.
    for side in store off; do
        mkdir -p "$MEASURE_TMP/$side/home" "$MEASURE_TMP/$side/run"
        chmod 700 "$MEASURE_TMP/$side/run"
    done
    simulator
    STORE_PORT=$PORT
    HOME=$MEASURE_TMP/store/home XDG_CONFIG_HOME=$MEASURE_TMP/store/home/.config \
        XDG_RUNTIME_DIR=$MEASURE_TMP/store/run app "$STORE_PORT" --data-dir "$MEASURE_TMP/store/data"
    STORE_APP=$APP
    simulator
    OFF_PORT=$PORT
    HOME=$MEASURE_TMP/off/home XDG_CONFIG_HOME=$MEASURE_TMP/off/home/.config \
        XDG_RUNTIME_DIR=$MEASURE_TMP/off/run app "$OFF_PORT" --data-dir off
    OFF_APP=$APP
    echo "binary: $BIN"
    echo "with the store: pid $STORE_APP (simulator :$STORE_PORT); --data-dir off: pid $OFF_APP (simulator :$OFF_PORT)"
    echo "refresh every $MEASURE_INTERVAL s, both at once for $MEASURE_SECS s"
    /usr/bin/python3 - "$MEASURE_SECS" "$STORE_APP" "$STORE_PORT" "$OFF_APP" "$OFF_PORT" \
        "$MEASURE_TMP/store/data" <<'PY'
import glob, json, os, sys, time, urllib.request

secs = float(sys.argv[1])
sides = [("store", int(sys.argv[2]), int(sys.argv[3])), ("off", int(sys.argv[4]), int(sys.argv[5]))]
data_dir = sys.argv[6]
tick = os.sysconf("SC_CLK_TCK")
STEP, GUARD = 0.5, 2  # samples every 0.5 s; quiet means no request 2 samples (1 s) either side

def cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])

def requests(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_sim/stats", timeout=5) as r:
        return json.load(r)["requests"]

def kib(pid, path, keys):
    out = {}
    with open(f"/proc/{pid}/{path}") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in keys:
                out[k] = int(v.split()[0])
    return out

samples = {name: [] for name, _, _ in sides}
end = time.monotonic() + secs
next_at = time.monotonic()
while time.monotonic() < end:
    for name, pid, port in sides:
        samples[name].append((cpu(pid), requests(port)))
    next_at += STEP
    time.sleep(max(0.0, next_at - time.monotonic()))

mem = {}
print(f"after {secs:.0f} s:")
for name, pid, port in sides:
    s = samples[name]
    quiet_ticks = quiet_n = 0
    busy = []  # (seconds from the start, ticks) of the quiet samples that used CPU
    for i in range(1, len(s)):
        lo, hi = max(0, i - 1 - GUARD), min(len(s) - 1, i + GUARD)
        if s[lo][1] == s[hi][1]:  # no request from GUARD samples before to GUARD after
            quiet_n += 1
            quiet_ticks += s[i][0] - s[i - 1][0]
            if s[i][0] > s[i - 1][0]:
                busy.append((i * STEP, s[i][0] - s[i - 1][0]))
    status = kib(pid, "status", {"VmRSS", "VmHWM", "RssAnon", "RssFile"})
    rollup = kib(pid, "smaps_rollup", {"Pss", "Pss_Anon"})
    mem[name] = (status["VmRSS"], rollup["Pss"], status["RssAnon"])
    print(f"  {name:5s}  RSS {status['VmRSS']/1024:6.1f} MiB (peak {status['VmHWM']/1024:.1f}, anon "
          f"{status['RssAnon']/1024:.1f})  PSS {rollup['Pss']/1024:6.1f} MiB (anon {rollup['Pss_Anon']/1024:.1f})  "
          f"CPU {(s[-1][0] - s[0][0]) / tick:.2f} s in all, {quiet_ticks / tick:.2f} s in "
          f"{quiet_n * STEP:.0f} s between refreshes  requests {s[-1][1]}")
    if busy:
        print(f"         CPU between refreshes in {len(busy)} samples, at (s: ticks): "
              + " ".join(f"{t:.1f}:{n}" for t, n in busy[:20]))
d = [a - b for a, b in zip(mem["store"], mem["off"])]
print(f"  the store adds: RSS {d[0]/1024:+.2f} MiB, PSS {d[1]/1024:+.2f} MiB, anonymous RSS {d[2]/1024:+.2f} MiB")
files = sorted(glob.glob(os.path.join(data_dir, "*")))
print("  store files: " + (", ".join(f"{os.path.basename(p)} {os.path.getsize(p)//1024} kB" for p in files) or "none"))
PY
    exit
fi

simulator
app "$PORT"
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
