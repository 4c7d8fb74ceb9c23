#!/usr/bin/env bash
# Resident memory and CPU time of `usage-tracker watch` after a long run against the simulated
# API (Linux: reads /proc). Runs side by side for the same time, each refreshing every 15 s:
#   json-demo   watch --demo --format json > file   (the simulator runs inside the process)
#   tui-demo    watch --demo, full screen in a 100x30 tmux pane (also redraws at 1 Hz)
#   json-client watch --format json against a separate `usage-tracker simulate`
#               (the client alone, without the in-process simulator)
# and prints VmRSS, VmHWM, utime+stime and CPU ms per refresh (refreshes = JSON lines written;
# the TUI runs the same schedule).
#
# usage: scripts/measure-watch.sh [--minutes N] [--interval S] [--binary PATH]
#   default: 10 minutes, 15 s, target/release/usage-tracker if built, else target/debug.
set -euo pipefail

minutes=10
interval=15
bin=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --minutes) minutes="$2"; shift 2 ;;
        --interval) interval="$2"; shift 2 ;;
        --binary) bin="$2"; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "measure-watch: unknown argument $1" >&2; exit 2 ;;
    esac
done
root="$(cd "$(dirname "$0")/.." && pwd)"
if [[ -z "$bin" ]]; then
    if [[ -x "$root/target/release/usage-tracker" ]]; then
        bin="$root/target/release/usage-tracker"
    else
        bin="$root/target/debug/usage-tracker"
    fi
fi
[[ -x "$bin" ]] || { echo "measure-watch: no binary at $bin (cargo build first)" >&2; exit 1; }
command -v tmux >/dev/null || { echo "measure-watch: tmux is required (apt-get install tmux)" >&2; exit 1; }

work="$(mktemp -d)"
sock="measure-watch-$$"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    tmux -L "$sock" kill-server 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
# Keep the user's settings and .env files out of it.
export HOME="$work" XDG_CONFIG_HOME="$work"
unset OPENAI_ADMIN_KEY OPENAI_API_KEY_ID OPENAI_BASE_URL USAGE_TRACKER_SETTINGS
cd "$work"

"$bin" simulate > "$work/sim.url" &
pids+=($!)
for _ in $(seq 50); do [[ -s "$work/sim.url" ]] && break; sleep 0.1; done
base_url="$(head -n1 "$work/sim.url")"

"$bin" watch --demo --format json --interval "$interval" > "$work/demo.jsonl" &
json_demo=$!
pids+=($json_demo)
"$bin" watch --format json --interval "$interval" --base-url "$base_url" \
    --admin-key sk-admin-demo-0000000000000000 --api-key-id key_demoPrimary01 \
    > "$work/client.jsonl" &
json_client=$!
pids+=($json_client)
tmux -L "$sock" -f /dev/null new-session -d -x 100 -y 30 \
    "exec '$bin' watch --demo --interval $interval"
tui=$(tmux -L "$sock" display-message -p '#{pane_pid}')

echo "measuring $bin for $minutes min (refresh every $interval s)..." >&2
sleep $((minutes * 60))

tck=$(getconf CLK_TCK)
report() {
    local name="$1" pid="$2" refreshes="$3"
    [[ -r /proc/$pid/stat ]] || { echo "$name: process $pid is gone" >&2; return 1; }
    local rss hwm ticks
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
    hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status")
    # Fields 14 and 15 (utime, stime), counted after the ")" that ends the command name.
    ticks=$(sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')
    awk -v n="$name" -v rss="$rss" -v hwm="$hwm" -v t="$ticks" -v hz="$tck" -v r="$refreshes" \
        'BEGIN { cpu = t * 1000 / hz;
                 printf "%-12s VmRSS %6.1f MiB  VmHWM %6.1f MiB  CPU %7.0f ms  refreshes %3d  CPU/refresh %6.1f ms\n",
                        n, rss / 1024, hwm / 1024, cpu, r, (r > 0 ? cpu / r : 0) }'
}
demo_lines=$(wc -l < "$work/demo.jsonl")
client_lines=$(wc -l < "$work/client.jsonl")
echo "binary: $bin ($(file -b "$bin" | grep -o 'not stripped\|stripped' || true))"
# The machine may be shared: CPU time is the process's own, but say how busy it was.
echo "after $minutes min, interval $interval s (load average $(cut -d' ' -f1-3 /proc/loadavg)):"
report json-demo "$json_demo" "$demo_lines"
report tui-demo "$tui" "$demo_lines"
report json-client "$json_client" "$client_lines"
