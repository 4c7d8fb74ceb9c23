# Sourced by session.sh once the first run has quit: the history store at launch (issue 12).
# The first run recorded into the store; with the simulator stopped, a restart shows the stored
# figures within 1 s of the process start, marked as stored, as the first run last showed them,
# and keeps them when the refresh fails; with the simulator back the mark goes. With
# `--data-dir off` the app works and shows nothing of a history, and the store is not touched.
# `watch` beside the app on the same file: both keep working.

HISTORY=$XDG_DATA_HOME/usage-tracker/history.sqlite
# A title without its marks: `⚠ ◷ 48.3k` → `48.3k`.
unmark() { local t=${1#"⚠ "}; printf '%s' "${t#"◷ "}"; }
label() { "${SNI[@]}" label; }
stored_row() { "${SNI[@]}" rows | grep -oP '^0\t-1\t0\t\KAs of [0-9: -]+ \(stored\)( · .*)?$'; }

if [[ -s $HISTORY ]]; then
    pass "the first run recorded into the history store: $HISTORY ($(du -k "$HISTORY" | cut -f1) kB; its last title $FIRST_RUN_TITLE)"
else
    fail "the first run fills the history store" "$(ls -la "$(dirname "$HISTORY")" 2>&1)"
fi

# --- A restart with the API down: the stored figures at once -------------------------------------
kill "$SIM_PID" 2>/dev/null || true
wait "$SIM_PID" 2>/dev/null || true
sim_down() { ! curl -fs "$SIM/_sim/stats"; }
wait_for 10 sim_down || fail "the simulator stops"
USAGE_TRACKER_LOG=usage_tracker=info "$BIN" "${FLAGS[@]}" >"$E2E_TMP/app-restart.log" 2>&1 &
APP=$!
PIDS+=($APP)
launch=$("${SNI[@]}" first-title "$APP" 20) || true
ms=${launch%%$'\t'*}
shown=${launch#*$'\t'}
if [[ $ms =~ ^[0-9]+$ && $ms -le 1000 && $shown == *"◷ "* ]] \
    && "${SNI[@]}" close "$(unmark "$shown")" "$FIRST_RUN_TITLE"; then
    pass "launch to title: $ms ms, the API down: stored figures, marked: $shown (the first run last showed $FIRST_RUN_TITLE)"
else
    fail "stored figures marked within 1 s of the process start, as the first run showed them" \
        "launch to title: $launch; the first run last showed $FIRST_RUN_TITLE"
fi
kept_with_error() {
    [[ $(label) == "⚠ ◷ "* ]] && stored_row >/dev/null \
        && "${SNI[@]}" rows | grep -qF 'Last refresh failed: offline'
}
if wait_for 30 kept_with_error && "${SNI[@]}" close "$(unmark "$(label)")" "$FIRST_RUN_TITLE"; then
    pass "the refresh fails (offline): the stored figures stay with the error: $(label) · $(stored_row)"
else
    fail "stored figures kept after a failed refresh" "label $(label); rows: $("${SNI[@]}" rows | head -6)"
fi
desc=$("${SNI[@]}" description)
[[ $desc == *"; figures from "*" (stored); the last refresh failed: offline"* ]] \
    && pass "the accessible description says when the figures are from: $desc" \
    || fail "description of stored figures" "$desc"

# --- The API back: the first refresh takes the mark away ----------------------------------------
start_simulator || fail "the simulator starts again"
# The new simulator bills at the list prices: what the app and `once` learn from it is one price
# (a factor set now could reach one of them before the other: a settled bill never changes).
# Cuts the failures' backoff short, as a user would.
"${SNI[@]}" click "Refresh now"
live_again() {
    local l
    l=$(label)
    [[ $l != *"◷"* && $l != "⚠"* ]] && ! stored_row >/dev/null && figures_match tokens
}
if wait_for 30 live_again; then
    pass "with the simulator back the mark goes: $(label) · $("${SNI[@]}" rows | grep -m1 -oP '^0\t-1\t0\t\KUpdated .*')"
else
    fail "the stored mark goes after a success" "label $(label); $(cat "$E2E_TMP/compare.txt")"
fi
# --- The app and watch on one history file at once -----------------------------------------------
timeout 9 "$BIN" watch "${FLAGS[@]}" --format json >"$E2E_TMP/watch-beside.json" 2>"$E2E_TMP/watch-beside.log" || true
lines=$(grep -c '"totals"' "$E2E_TMP/watch-beside.json" || true)
store_trouble() { grep -iE 'history|sqlite|database' "$1" | grep -iE 'warn|error|locked|busy'; }
if [[ $lines -ge 2 ]] && ! store_trouble "$E2E_TMP/watch-beside.log" >/dev/null \
    && ! store_trouble "$E2E_TMP/app-restart.log" >/dev/null && wait_for 15 figures_match tokens; then
    pass "watch beside the app on one history file: $lines refreshes, no store trouble in either, the app's figures still current: $(label)"
else
    fail "watch and the app on one history file" "watch lines $lines; watch: $(store_trouble "$E2E_TMP/watch-beside.log"); app: $(store_trouble "$E2E_TMP/app-restart.log"); $(cat "$E2E_TMP/compare.txt")"
fi
"${SNI[@]}" click Quit
wait_for 10 bash -c "! kill -0 $APP" || fail "Quit (restart)"

# --- --data-dir off: no history at all -----------------------------------------------------------
files() { stat -c '%n %s %Y' "$HISTORY"* 2>&1 || true; }
before=$(files)
ONCE_FLAGS=("${FLAGS[@]}" --data-dir off)
"$BIN" "${FLAGS[@]}" --data-dir off >"$E2E_TMP/app-nohistory.log" 2>&1 &
APP=$!
PIDS+=($APP)
launch=$("${SNI[@]}" first-title "$APP" 30) || true
# The pace and sparkline rows stay (they keep their buckets in memory without a store), and
# "Open report… (history is off)" says it is off; nothing stored, and no store trouble, shows.
HISTORY_ROWS='stored|history store|without history'
no_history_rows() { ! "${SNI[@]}" rows | grep -qiP "$HISTORY_ROWS"; }
if [[ $launch != *"◷"* ]] && wait_for 20 figures_match tokens && no_history_rows; then
    pass "--data-dir off: figures from the API (launch to title ${launch%%$'\t'*} ms: ${launch#*$'\t'}), no stored mark, no history rows"
else
    fail "--data-dir off" "first title: $launch; $(cat "$E2E_TMP/compare.txt"); $("${SNI[@]}" rows | grep -iP "$HISTORY_ROWS")"
fi
sleep 3 # refreshes that must not write
[[ $(files) == "$before" ]] && pass "--data-dir off leaves the history store untouched" \
    || fail "the store untouched with --data-dir off" "before: $before; after: $(files)"
"${SNI[@]}" click Quit
wait_for 10 bash -c "! kill -0 $APP" || fail "Quit (--data-dir off)"
ONCE_FLAGS=("${FLAGS[@]}")
