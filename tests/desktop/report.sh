# Sourced by session.sh while the first run is up (the app started with the stand-in xdg-open on
# its PATH): "Open report…" writes the report beside the history and opens it in the browser
# (issue 12). The page must be self-contained (no script, stylesheet, image or font from
# anywhere) and hold the figures; headless Chromium loads it and a screenshot is saved beside the
# menu's. With nothing recorded yet, the click says so in a notification and opens nothing.

DATA=$XDG_DATA_HOME/usage-tracker
REPORT=$DATA/report.html
report_row() { "${SNI[@]}" rows | grep -qP '^0\t-1\t1\tOpen report…$'; }
opened() { grep -qxF "file://$REPORT" "$E2E_TMP/xdg-open.log" 2>/dev/null; }
wait_for 10 report_row && pass "the menu offers Open report… (enabled: history is on)" \
    || fail "Open report… row" "$("${SNI[@]}" rows | grep -i report)"
# The first run has recorded for a while now (interval 2 s); the store holds its minutes.
stored_minutes() {
    "$BIN" --api-key-id key_demoPrimary01 export --from "$(date -u +%F)" --to "$(date -u +%F)" \
        --format csv 2>/dev/null | awk -F, 'NR > 1 && $6 > 0 { n++ } END { exit !(n > 0) }'
}
if [[ -s $DATA/history.sqlite ]] && wait_for 20 stored_minutes; then
    "${SNI[@]}" click "Open report…"
    if wait_for 20 opened && [[ -s $REPORT ]]; then
        pass "Open report… wrote $REPORT ($(du -k "$REPORT" | cut -f1) kB) and asked xdg-open for file://$REPORT"
    else
        fail "Open report… writes and opens the page" \
            "xdg-open: $(cat "$E2E_TMP/xdg-open.log" 2>&1); $(ls -la "$DATA" 2>&1); $(grep -A2 'Cannot open the report' "$E2E_TMP/notify.log" | tail -2)"
    fi
    # An inline SVG's namespace (xmlns) is a name, not something fetched.
    banned=$(sed 's#xmlns="http://www.w3.org/2000/svg"##g' "$REPORT" \
        | grep -oiE '<script|<link|<img|<iframe|@import|url\(|src=|https?://' | sort -u | paste -sd ' ' || true)
    [[ -z $banned ]] && pass "the report is self-contained: inline CSS and SVG, no script and no URL of anywhere" \
        || fail "a self-contained report" "it holds: $banned"
    today=$(date -u +%F)
    day_rows=$(grep -cP '<tr class="day" data-day="[0-9-]+"' <(grep -oP '<tr class="day"[^>]*>' "$REPORT") || true)
    today_usd=$(grep -oP "<tr class=\"day\" data-day=\"$today\" data-estimate=\"\K[0-9.]+" "$REPORT" || true)
    busy_hours=$( (grep -oP '<tr class="hour" data-hour="[^"]+" data-tokens="\K[0-9]+' "$REPORT" || true) | awk '$1 > 0' | wc -l)
    if grep -q 'keys: key_demoPrimary01' "$REPORT" && [[ $day_rows -eq 30 && $busy_hours -ge 1 ]] \
        && awk -v v="${today_usd:-0}" 'BEGIN { exit !(v > 0) }'; then
        pass "the report holds the figures: 30 days (today ~\$$(printf '%.4f' "$today_usd")), $busy_hours hours with tokens, for key_demoPrimary01"
    else
        fail "the report's figures" "days $day_rows, today ${today_usd:-none}, busy hours $busy_hours; $(grep -o 'keys: [^·]*' "$REPORT")"
    fi
    if [[ -x /usr/bin/chromium ]]; then
        chrome=(/usr/bin/chromium --headless --no-sandbox --disable-gpu --no-first-run
            --disable-background-networking --disable-component-update --disable-sync --hide-scrollbars)
        timeout 60 "${chrome[@]}" --user-data-dir="$E2E_TMP/chromium-dom" --dump-dom "file://$REPORT" \
            >"$E2E_TMP/report-dom.html" 2>/dev/null || true
        timeout 60 "${chrome[@]}" --user-data-dir="$E2E_TMP/chromium-shot" --window-size=1000,2600 \
            --screenshot="$OUT/report.png" "file://$REPORT" >/dev/null 2>&1 || true
        if grep -q '<svg' "$E2E_TMP/report-dom.html" && [[ $(stat -c %s "$OUT/report.png" 2>/dev/null || echo 0) -gt 20000 ]]; then
            pass "headless Chromium loads the menu's report (charts in the DOM); screenshot: target/desktop-e2e/report.png"
        else
            fail "the menu's report in Chromium" "dom $(wc -c <"$E2E_TMP/report-dom.html") bytes; png $(stat -c %s "$OUT/report.png" 2>&1)"
        fi
    else
        fail "headless Chromium for the report" "/usr/bin/chromium is missing (scripts/deps.sh test installs it)"
    fi
else
    # Nothing recorded (the tracker does not record into the store yet): said, nothing opened.
    "${SNI[@]}" click "Open report…"
    told() { grep -A1 'string "Cannot open the report"' "$E2E_TMP/notify.log" | grep -q 'no history yet\|holds nothing'; }
    if wait_for 10 told && ! opened && [[ ! -e $REPORT ]]; then
        pass "with nothing recorded, Open report… says so in a notification and opens nothing: $(grep -A1 'string "Cannot open the report"' "$E2E_TMP/notify.log" | tail -1 | cut -c1-120)"
    else
        fail "Open report… with nothing recorded" "$(grep -A1 'Cannot open the report' "$E2E_TMP/notify.log"); xdg-open: $(cat "$E2E_TMP/xdg-open.log" 2>&1)"
    fi
fi
