#!/usr/bin/env bash
# Resident memory, CPU time and wake-ups of the menu-bar app after a run against the simulated
# API, under the same desktop as scripts/desktop-e2e.sh (private D-Bus session, Xvfb,
# xfce4-panel with the StatusNotifierItem plugin, dunst), beside the bare tao + tray-icon app
# (examples/bare_tray.rs) as the yardstick: issue 20 asks for at most 1.3x its memory and 2x its
# wake-ups. From 30 s on (start-up excluded) it samples every thread of both every 2 s
# (/proc/PID/task/*/stat utime+stime, /proc/PID/task/*/status voluntary + nonvoluntary context
# switches: a wake-up is a switch; the involuntary ones, preemptions, are also shown apart, as
# they grow with whatever else the machine runs), and opens each one's menu 4 times as a tray host does
# (dbusmenu AboutToShow, GetLayout, every submenu); prints per thread CPU s and wake-ups per
# minute, the totals with and without the menu openings, VmRSS/VmHWM, the ratios to the bare
# app, and the app's /proc/PID/smaps Rss per mapping to say what dominates.
# MEASURE_LOG=FILE keeps the app's log; BARE_BIN picks the bare app (default: the example
# built beside USAGE_TRACKER_BIN, built when missing).
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
#   (cargo build --release --bin usage-tracker --example bare_tray)
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
    # The bare tao + tray-icon app, built beside the binary measured (debug or release).
    export BARE_BIN=${BARE_BIN:-$(dirname "$USAGE_TRACKER_BIN")/examples/bare_tray}
    if [[ ! -x $BARE_BIN ]]; then
        profile=()
        [[ $BARE_BIN == */release/* ]] && profile=(--release)
        (cd "$REPO" && cargo build --quiet "${profile[@]}" --example bare_tray)
    fi
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
# MEASURE_LOG=FILE keeps the app's log (e.g. with USAGE_TRACKER_LOG=usage_tracker::ui::tray=debug:
# what each render set, and how long it took).
APP_LOG=${MEASURE_LOG:-/dev/null}
PIDS=()
# xfce4-panel may ignore SIGTERM: KILL whatever is left a second later, then reap.
# The panel's plugins (wrapper-2.0) live in the panel's session: killed with it, as one left
# behind without its display and bus was seen spinning and taking all the memory.
trap 'xfce4-panel --quit >/dev/null 2>&1 || true; kill "${PIDS[@]}" 2>/dev/null || true; sleep 1
      kill -KILL "${PIDS[@]}" 2>/dev/null || true; [[ -z ${PANEL:-} ]] || pkill -KILL -s "$PANEL" || true
      wait 2>/dev/null || true' EXIT
exec 3>"$MEASURE_TMP/display"
Xvfb -displayfd 3 -screen 0 800x600x24 -nolisten tcp >/dev/null 2>&1 &
PIDS+=($!)
until [[ -s $MEASURE_TMP/display ]]; do sleep 0.2; done
export DISPLAY=:$(head -1 "$MEASURE_TMP/display")
dunst >/dev/null 2>&1 &
PIDS+=($!)
setsid xfce4-panel >/dev/null 2>&1 &
PANEL=$! # setsid execs in place (no job control here): the panel leads its own session
PIDS+=($PANEL)
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
        --api-key-id key_demoPrimary01 --interval "$MEASURE_INTERVAL" "$@" >/dev/null 2>>"$APP_LOG" &
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
# The bare tao + tray-icon app (examples/bare_tray.rs) on the same desktop: the yardstick.
"$BARE_BIN" >/dev/null 2>&1 &
BARE=$!
PIDS+=($BARE)
echo "binary: $BIN (bare app: $BARE_BIN)"
echo "app pid $APP, bare app pid $BARE, refresh every $MEASURE_INTERVAL s, measuring for $MEASURE_SECS s"
/usr/bin/python3 - "$MEASURE_SECS" "$MEASURE_INTERVAL" "$APP" "$BARE" "$PORT" <<'PY'
import collections, glob, json, os, sys, time, urllib.request

secs, interval = float(sys.argv[1]), float(sys.argv[2])
procs = {"app": int(sys.argv[3]), "bare": int(sys.argv[4])}
port = int(sys.argv[5])
tick = os.sysconf("SC_CLK_TCK")
# The window starts once the app has started and refreshed (start-up is not "between
# refreshes"), and ends at SECS; the menu is opened OPENS times in it, evenly spaced.
WARMUP = min(30.0, secs / 4)
OPENS = int(os.environ.get("MEASURE_OPENS", "4"))
STEP = 2.0  # threads come and go (the blocking pool): each is sampled while it lives

def thread(pid, tid):
    """(name, CPU ticks, voluntary + involuntary context switches, involuntary ones) of one
    thread, or None. An involuntary switch is a preemption: it counts what else the machine
    runs as much as the thread, so it is shown apart."""
    try:
        with open(f"/proc/{pid}/task/{tid}/stat") as f:
            st = f.read()
        with open(f"/proc/{pid}/task/{tid}/status") as f:
            status = dict(l.split(":", 1) for l in f if ":" in l)
    except OSError:
        return None
    name = st[st.index("(") + 1 : st.rindex(")")]
    fields = st.rsplit(")", 1)[1].split()
    involuntary = int(status["nonvoluntary_ctxt_switches"])
    switches = int(status["voluntary_ctxt_switches"]) + involuntary
    return name, int(fields[11]) + int(fields[12]), switches, involuntary

def threads(pid):
    out = {}
    for t in os.listdir(f"/proc/{pid}/task"):
        v = thread(pid, t)
        if v:
            out[int(t)] = v
    return out

def kib(pid, path, keys):
    out = {}
    with open(f"/proc/{pid}/{path}") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in keys:
                out[k] = int(v.split()[0])
    return out

def open_menus():
    """What a tray host does when the user opens each item's menu and every submenu in it:
    AboutToShow, GetLayout, the "opened" event, then "closed" (com.canonical.dbusmenu)."""
    import dbus
    b = dbus.SessionBus()
    props = "org.freedesktop.DBus.Properties"
    w = b.get_object("org.kde.StatusNotifierWatcher", "/StatusNotifierWatcher")
    for it in w.Get("org.kde.StatusNotifierWatcher", "RegisteredStatusNotifierItems",
                    dbus_interface=props):
        name, _, path = str(it).partition("/")
        menu_path = b.get_object(name, "/" + path).Get("org.kde.StatusNotifierItem", "Menu",
                                                        dbus_interface=props)
        m = b.get_object(name, menu_path)
        iface = "com.canonical.dbusmenu"
        m.AboutToShow(0, dbus_interface=iface)
        _rev, layout = m.GetLayout(0, -1, [], dbus_interface=iface)
        m.Event(0, "opened", dbus.String("", variant_level=1), dbus.UInt32(0), dbus_interface=iface)
        stack = list(layout[2])
        while stack:
            node = stack.pop()
            if node[2]:
                m.AboutToShow(node[0], dbus_interface=iface)
                m.GetLayout(node[0], -1, [], dbus_interface=iface)
                stack.extend(node[2])
        m.Event(0, "closed", dbus.String("", variant_level=1), dbus.UInt32(0), dbus_interface=iface)

first, last = {p: {} for p in procs}, {p: {} for p in procs}
def sample(at_start=False):
    for p, pid in procs.items():
        for tid, v in threads(pid).items():
            if tid not in first[p]:
                # Born inside the window: counted from zero.
                first[p][tid] = v if at_start else (v[0], 0, 0, 0)
            last[p][tid] = v

def totals():
    """Per process: (CPU ticks, context switches) since the window started."""
    out = {}
    for p in procs:
        cpu = sw = 0
        for tid, (_n, ticks, s, _i) in last[p].items():
            cpu += ticks - first[p][tid][1]
            sw += s - first[p][tid][2]
        out[p] = (cpu, sw)
    return out

open_cost = {p: [0, 0] for p in procs}
start = time.monotonic()
time.sleep(WARMUP)
sample(at_start=True)
t0 = time.monotonic()
window = secs - WARMUP
opens_at = [t0 + window * (i + 0.5) / OPENS for i in range(OPENS)]
opened = 0
while (now := time.monotonic()) < start + secs:
    for p, pid in procs.items():
        os.kill(pid, 0)  # raises when it exited early
    if opens_at and now >= opens_at[0]:
        opens_at.pop(0)
        sample()
        before = totals()
        try:
            open_menus()
            opened += 1
        except Exception as e:  # a host that is not ready is reported, not fatal
            print(f"opening the menus failed: {e}", file=sys.stderr)
        time.sleep(1.0)  # the exported menu's answers settle
        sample()
        for p, (cpu, sw) in totals().items():
            open_cost[p][0] += cpu - before[p][0]
            open_cost[p][1] += sw - before[p][1]
    sample()
    time.sleep(min(STEP, max(0.0, start + secs - time.monotonic())))
sample()
minutes = (time.monotonic() - t0) / 60

with urllib.request.urlopen(f"http://127.0.0.1:{port}/_sim/stats", timeout=5) as r:
    stats = json.load(r)
print(f"after {secs:.0f} s (figures over the last {minutes * 60:.0f} s, from {WARMUP:.0f} s on; the menus "
      f"opened {opened} times in it; load average {open('/proc/loadavg').read().split()[0]}):")
summary = {}
for p, pid in procs.items():
    by_name = collections.defaultdict(lambda: [0, 0, 0, 0])
    for tid, (name, ticks, sw, inv) in last[p].items():
        _n, t0_ticks, sw0, inv0 = first[p][tid]
        # One row per kind of thread (tokio's workers all share a name).
        key = "main" if tid == pid else name
        row = by_name[key]
        row[0] += 1
        row[1] += ticks - t0_ticks
        row[2] += sw - sw0
        row[3] += inv - inv0
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    total_cpu = (int(fields[11]) + int(fields[12])) / tick
    status = kib(pid, "status", {"VmRSS", "VmHWM", "RssAnon", "RssFile", "Threads"})
    cpu = sum(r[1] for r in by_name.values()) / tick
    wake = sum(r[2] for r in by_name.values()) / minutes
    involuntary = sum(r[3] for r in by_name.values()) / minutes
    summary[p] = (status["VmRSS"], cpu / minutes * 10, wake, wake - involuntary)
    print(f"  {p}: RSS {status['VmRSS']/1024:.1f} MiB (peak {status['VmHWM']/1024:.1f}, anon "
          f"{status['RssAnon']/1024:.1f}, file {status['RssFile']/1024:.1f}), {status['Threads']} threads; "
          f"CPU {total_cpu:.2f} s since it started, {cpu:.2f} s in the window = "
          f"{cpu / minutes * 10:.2f} s per 10 min; {wake:.0f} wake-ups per minute "
          f"({wake - involuntary:.0f} voluntary, {involuntary:.0f} preemptions)")
    oc, ow = open_cost[p][0] / tick, open_cost[p][1]
    if opened:
        print(f"    of which opening the menus: {oc:.2f} s CPU, {ow} wake-ups ({ow / opened:.0f} per "
              f"opening); without them {(cpu - oc) / minutes * 10:.2f} s per 10 min, "
              f"{(sum(r[2] for r in by_name.values()) - ow) / minutes:.0f} wake-ups per minute")
    print(f"    {'thread':18s} {'n':>3s} {'CPU s/min':>10s} {'wake-ups/min':>13s} {'preempted/min':>14s}")
    for name, (n, ticks, sw, inv) in sorted(by_name.items(), key=lambda kv: -kv[1][2]):
        print(f"    {name:18s} {n:3d} {ticks / tick / minutes:10.3f} {sw / minutes:13.1f} {inv / minutes:14.1f}")
a, b = summary["app"], summary["bare"]
print(f"  app / bare: RSS {a[0] / b[0]:.2f}x, wake-ups {a[2] / max(b[2], 1e-9):.2f}x "
      f"(voluntary only {a[3] / max(b[3], 1e-9):.2f}x), CPU {a[1]:.2f} s vs {b[1]:.2f} s per 10 min")
print(f"  simulator stats: {json.dumps(stats)}")
PY
echo "Rss of the app by mapping (top 15, kB):"
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
