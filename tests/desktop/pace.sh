# Sourced by session.sh while the first run is up: the pace row and the two sparkline rows
# (issue 12), and the pace agreeing with `once --format json`'s `pace` (each figure within 5 %
# and 2 cents: the menu's glance is made at the app's last round, up to 5 minutes older than
# once's, and the simulator keeps spending meanwhile); then the headline (issue 17): the title
# against the header, the header against `once --format json`'s `headline`.

pace_row() { "${SNI[@]}" rows | grep -oP '^0\t-1\t0\t\K(On pace for .*|Pace: .*)$' | head -1; }
spark_rows() {
    local r
    r=$("${SNI[@]}" rows)
    grep -qP '^0\t-1\t0\t24 h .+  (peak \$[0-9.,]+ at [0-9]{2}:[0-9]{2}|nothing spent|no data)$' <<<"$r" \
        && grep -qP '^0\t-1\t0\t30 d .+  (peak \$[0-9.,]+ on [0-9]+ [A-Z][a-z]+|nothing spent|no data)$' <<<"$r" \
        && grep -P '^0\t-1\t0\t30 d ' <<<"$r" | grep -qF '█'
}
pace_known() { [[ $(pace_row) == "On pace for "* ]]; }
# Compares the menu's pace row with once's JSON; prints what it compared.
pace_agrees() {
    "$BIN" "${ONCE_FLAGS[@]}" once --format json 2>"$E2E_TMP/once-pace.err" >"$E2E_TMP/once-pace.json" \
        || return 1
    /usr/bin/python3 - "$(pace_row)" "$E2E_TMP/once-pace.json" >"$E2E_TMP/pace.txt" 2>&1 <<'PY'
import json, re, sys
row, path = sys.argv[1], sys.argv[2]
pace = json.load(open(path))["pace"]
def menu(word):
    m = re.search(r"\$([0-9.,]+) " + word, row)
    return float(m.group(1).replace(",", "")) if m else None
ok = isinstance(pace, dict)
for key, word in (("today_usd", "today"), ("month_usd", "this month")):
    got, want = menu(word), (pace or {}).get(key)
    if (got is None) != (want is None):
        ok = False
    elif got is not None and abs(got - want) > max(0.02, 0.05 * abs(want)):
        ok = False
    print(f"{word}: menu {got} once {want}")
print(row)
sys.exit(0 if ok else 1)
PY
}
if wait_for 20 pace_known && wait_for 10 spark_rows; then
    pass "the pace row and both sparklines: $(pace_row) | $("${SNI[@]}" rows | grep -oP '^0\t-1\t0\t\K(24|30) [hd] .*' | paste -sd '|')"
else
    fail "pace and sparkline rows" "$("${SNI[@]}" rows | grep -P '\t(On pace|Pace|24 h|30 d)')"
fi
if wait_for 15 pace_agrees; then
    pass "the menu's pace agrees with once --format json: $(head -2 "$E2E_TMP/pace.txt" | paste -sd ';')"
else
    fail "the menu's pace agrees with once's pace" "$(cat "$E2E_TMP/pace.txt" "$E2E_TMP/once-pace.err" 2>&1)"
fi

# --- The headline (issue 17): the title's cost is the header's estimate (same process: exact),
# and the header's figures agree with once --format json's `headline` (within 5 % and 2 cents,
# as the pace above: minutes apart on a simulator that keeps spending).
headline_row() { "${SNI[@]}" rows | grep -oP '^0\t-1\t0\t\KEstimate [$—].*$' | head -1; }
month_row() { "${SNI[@]}" rows | grep -oP '^0\t-1\t0\t\KToday \(UTC\) .*$' | head -1; }
title_says_the_headline() {
    local t
    t=$("${SNI[@]}" label)
    [[ -n $(headline_row) && $(headline_row) == "Estimate ${t##* · },"* ]]
}
headline_agrees() {
    "$BIN" "${ONCE_FLAGS[@]}" once --format json 2>"$E2E_TMP/once-headline.err" \
        >"$E2E_TMP/once-headline.json" || return 1
    /usr/bin/python3 - "$(headline_row)" "$(month_row)" "$E2E_TMP/once-headline.json" \
        >"$E2E_TMP/headline.txt" 2>&1 <<'PY'
import json, re, sys
window, month, path = sys.argv[1], sys.argv[2], sys.argv[3]
h = json.load(open(path))["headline"]
def amount(row, pattern):
    m = re.search(pattern, row)
    return float(m.group(1).replace(",", "")) if m else None
ok = True
for label, got, want in (
    ("estimate", amount(window, r"^Estimate \$([0-9.,]+)"), h["window_usd"]),
    ("completions", amount(window, r"completions \$([0-9.,]+)"), h["completions_usd"]),
    ("today", amount(month, r"^Today \(UTC\) \$([0-9.,]+)"), h["today_usd"]),
    ("month so far", amount(month, r"month so far ≥? ?\$([0-9.,]+)"), h["month_usd"]),
):
    if got is None or want is None or abs(got - want) > max(0.02, 0.05 * abs(want)):
        ok = False
    print(f"{label}: menu {got} once {want}")
print(window)
print(month)
sys.exit(0 if ok else 1)
PY
}
if wait_for 20 title_says_the_headline; then
    pass "the title's cost is the header's estimate: $("${SNI[@]}" label) | $(headline_row)"
else
    fail "the title and the headline" "$("${SNI[@]}" label) | $(headline_row)"
fi
if wait_for 15 headline_agrees; then
    pass "the menu's headline agrees with once --format json: $(head -4 "$E2E_TMP/headline.txt" | paste -sd ';')"
else
    fail "the menu's headline agrees with once's headline" "$(cat "$E2E_TMP/headline.txt" "$E2E_TMP/once-headline.err" 2>&1)"
fi
