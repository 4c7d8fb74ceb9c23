//! `usage-tracker report` in a real browser: a store seeded from the simulator, the report
//! written by the binary, loaded by headless Chromium (`--dump-dom` and `--screenshot`), and
//! the figures in the page checked against the store. The screenshot is kept at
//! `target/report-e2e/report.png`, beside the desktop test's `target/desktop-e2e/`.
//!
//! Needs Debian's `chromium` (scripts/deps.sh test installs it): without it the test fails
//! saying so, never passes unseen.

mod common;

use common::binary::{cmd, run};
use common::history::{Seeded, reopen, seeded};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use usage_tracker::bill::{SECS_PER_DAY, utc_day_start};
use usage_tracker::figures::meter_cost;
use usage_tracker::pricing::{PriceTable, Tier, TierChoice};
use usage_tracker::store::KeySet;
use usage_tracker::usage::{BucketWidth, Endpoint, Meter, UsageRow, summarize, summarize_other};

const CHROMIUM: &str = "/usr/bin/chromium";

/// The target directory (the test binary is `<target>/debug/deps/report-...`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().to_owned()
}

/// Chromium headless with the flags known to work here (no network, no first-run, a new
/// profile), killed after a minute.
fn chromium(profile: &Path, args: &[String], stdout: &Path) {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium, or scripts/deps.sh test); this test needs a real browser"
    );
    let out = std::fs::File::create(stdout).unwrap();
    let mut child = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "chromium {args:?}: {status}");
            return;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium {args:?} took more than 60 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The `data-*` attributes of every element of `class` in `dom`.
fn rows(dom: &str, class: &str) -> Vec<Vec<(String, String)>> {
    let needle = format!("class=\"{class}\"");
    dom.match_indices(&needle)
        .map(|(i, _)| {
            let start = dom[..i].rfind('<').unwrap();
            let tag = &dom[start..start + dom[start..].find('>').unwrap()];
            tag.split(" data-")
                .skip(1)
                .map(|a| {
                    let (k, v) = a.split_once("=\"").unwrap();
                    (k.to_owned(), v[..v.find('"').unwrap()].to_owned())
                })
                .collect()
        })
        .collect()
}

fn get<'a>(row: &'a [(String, String)], key: &str) -> &'a str {
    &row.iter().find(|(k, _)| k == key).unwrap().1
}

fn day(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .unwrap()
        .format("%Y-%m-%d")
        .to_string()
}

/// The whole estimate of one day, priced from the stored daily buckets by the live summaries.
fn estimate_of(s: &Seeded, start: i64) -> f64 {
    let store = reopen(s);
    let keys = KeySet::of(&s.keys);
    let end = start + SECS_PER_DAY;
    let c = store
        .load_usage::<UsageRow>(&keys, Endpoint::Completions, BucketWidth::Day, start, end)
        .unwrap();
    let mut usd = summarize(
        c.iter().map(|b| &b.bucket),
        PriceTable::builtin(),
        TierChoice::Auto,
    )
    .totals
    .cost_usd;
    let mut others = Vec::new();
    for e in Endpoint::OTHERS {
        others.extend(
            store
                .load_usage::<Meter>(&keys, e, BucketWidth::Day, start, end)
                .unwrap()
                .into_iter()
                .map(|b| b.bucket),
        );
    }
    usd += summarize_other(&others, |e, m, d, q| {
        meter_cost(PriceTable::builtin(), Tier::Standard, e, m, d, q)
    })
    .cost_usd;
    usd
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-5 * (1.0 + b.abs())
}

#[test]
fn the_report_in_headless_chromium_shows_the_stored_figures() {
    let s = seeded(35);
    let page = s.home.path().join("report.html");
    let before = wall_clock();
    let mut c = cmd(&s.home);
    c.args(["report", "--days", "30", "--out"])
        .arg(&page)
        .arg("--data-dir")
        .arg(&s.data_dir)
        .arg("--api-key-id")
        .arg(&s.keys[0]);
    let (out, _, err) = run(&mut c);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let html = std::fs::read_to_string(&page).unwrap();
    // Self-contained: no script, stylesheet, image or font from anywhere.
    for banned in ["<script", "<link", "<img", "url(", "@import", "https://"] {
        assert!(!html.contains(banned), "the page holds {banned:?}");
    }

    let url = format!("file://{}", page.display());
    let dom_file = s.home.path().join("dom.html");
    chromium(
        &s.home.path().join("profile-dom"),
        &["--dump-dom".into(), url.clone()],
        &dom_file,
    );
    let dom = std::fs::read_to_string(&dom_file).unwrap();
    assert!(dom.contains("<svg"), "no chart in the DOM");

    let shots = target_dir().join("report-e2e");
    std::fs::create_dir_all(&shots).unwrap();
    let shot = shots.join("report.png");
    let _ = std::fs::remove_file(&shot);
    chromium(
        &s.home.path().join("profile-shot"),
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1000,2600".into(),
            url,
        ],
        &s.home.path().join("shot.log"),
    );
    let png = std::fs::read(&shot).unwrap();
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 20_000,
        "{} bytes",
        png.len()
    );

    let store = reopen(&s);
    let keys = KeySet::of(&s.keys);
    // The page's own clock (the binary's), not the seeding's: an hour or a day may have turned
    // between the two.
    let generated: i64 = get(&rows(&dom, "note")[0], "generated").parse().unwrap();
    let after = wall_clock();
    assert!(
        (before..=after).contains(&generated),
        "generated at {generated}, not between {before} and {after}"
    );
    let today = utc_day_start(generated);

    // Cost per day: 30 days ending today; estimate and bill as the store holds them.
    let days = rows(&dom, "day");
    assert_eq!(days.len(), 30);
    assert_eq!(get(&days[29], "day"), day(today));
    assert_eq!(get(&days[0], "day"), day(today - 29 * SECS_PER_DAY));
    for (i, row) in days.iter().enumerate().step_by(7).chain([(29, &days[29])]) {
        let start = today - (29 - i as i64) * SECS_PER_DAY;
        let shown: f64 = get(row, "estimate").parse().unwrap();
        let expected = estimate_of(&s, start);
        assert!(
            expected > 0.0 && close(shown, expected),
            "{} {shown} {expected}",
            day(start)
        );
        let bill = store.load_bill(&keys, start, start + SECS_PER_DAY).unwrap();
        let billed: f64 = get(row, "billed").parse().unwrap();
        assert!(close(billed, bill[0].day.usd()), "{} {billed}", day(start));
    }

    // Tokens per hour: completions, embeddings and moderations of each stored hour.
    let hours = rows(&dom, "hour");
    assert_eq!(hours.len(), 48);
    let this_hour = BucketWidth::Hour.floor(generated);
    for (i, row) in hours.iter().enumerate() {
        let start = this_hour - (47 - i as i64) * 3_600;
        let end = start + 3_600;
        let mut expected: u64 = store
            .load_usage::<UsageRow>(&keys, Endpoint::Completions, BucketWidth::Hour, start, end)
            .unwrap()
            .iter()
            .map(|b| b.bucket.total_tokens())
            .sum();
        for e in [Endpoint::Embeddings, Endpoint::Moderations] {
            expected += store
                .load_usage::<Meter>(&keys, e, BucketWidth::Hour, start, end)
                .unwrap()
                .iter()
                .flat_map(|b| &b.bucket.rows)
                .map(|m| m.quantity)
                .sum::<u64>();
        }
        assert_eq!(
            get(row, "tokens").parse::<u64>().unwrap(),
            expected,
            "hour {i}"
        );
    }
    assert!(hours.iter().any(|r| get(r, "tokens") != "0"));

    // The check: the 7 complete days before today, each estimate ÷ its bill.
    let checks = rows(&dom, "check");
    assert_eq!(checks.len(), 7);
    for (i, row) in checks.iter().enumerate() {
        let start = today - (7 - i as i64) * SECS_PER_DAY;
        assert_eq!(get(row, "day"), day(start));
        let e: f64 = get(row, "estimate").parse().unwrap();
        let b: f64 = get(row, "billed").parse().unwrap();
        let r: f64 = get(row, "ratio").parse().unwrap();
        assert!(close(e, estimate_of(&s, start)));
        assert!(close(r, e / b) && (0.9..1.1).contains(&r), "{r}");
    }

    // Cost by model and by kind add up to the 30 days' estimate.
    let total: f64 = days
        .iter()
        .map(|r| get(r, "estimate").parse::<f64>().unwrap())
        .sum();
    let items = rows(&dom, "item");
    let sum: f64 = items
        .iter()
        .map(|r| get(r, "estimate").parse::<f64>().unwrap())
        .sum();
    // Both tables (model, kind) hold the whole estimate once each.
    assert!(close(sum, 2.0 * total), "{sum} vs 2 × {total}");
    assert!(items.iter().any(|r| get(r, "name") == "Completions"));

    // The headline at the top: the 30 days' estimate and bill, and the month so far, whose
    // billed part is the bill of this month's days (issue 17).
    let top = &rows(&dom, "headline")[0];
    let num = |k: &str| get(top, k).parse::<f64>().unwrap();
    assert!(close(num("estimate"), total), "{top:?} vs {total}");
    let billed: f64 = days
        .iter()
        .filter_map(|r| get(r, "billed").parse::<f64>().ok())
        .sum();
    assert!(close(num("billed"), billed), "{top:?} vs {billed}");
    let month = &day(today)[..7];
    let month_billed: f64 = days
        .iter()
        .filter(|r| get(r, "day").starts_with(month))
        .filter_map(|r| get(r, "billed").parse::<f64>().ok())
        .sum();
    assert!(
        close(num("month-billed"), month_billed),
        "{top:?} vs {month_billed}"
    );
    assert!(close(
        num("month"),
        num("month-billed") + num("month-unbilled")
    ));
    assert!(close(
        num("today"),
        get(&days[29], "estimate").parse().unwrap()
    ));
}

#[test]
fn bad_days_are_exit_2_naming_the_value() {
    let s = seeded(1);
    for bad in ["0", "401", "-3", "ten"] {
        let mut c = cmd(&s.home);
        c.args(["report", "--days", bad, "--out", "x.html", "--data-dir"])
            .arg(&s.data_dir);
        let (out, _, err) = run(&mut c);
        assert_eq!(out.status.code(), Some(2), "{bad}: {err}");
        assert!(
            err.contains(&format!("--days {bad:?}")) && err.contains("1 to 400"),
            "{err}"
        );
    }
}

/// The real clock (the seeding's `now()` is fixed and may be up to 30 s ahead of it).
fn wall_clock() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}
