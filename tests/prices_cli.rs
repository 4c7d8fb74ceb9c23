//! `usage-tracker prices` against the simulator: every model the demo key used in the last 30
//! days with the price the estimate uses, its source and the table's beside it; what the bill
//! taught is kept in the history store and still listed when the bill cannot be read; the line
//! under `once`'s table names what is priced from the bill and what it prices differently.

mod common;

use common::binary::{cmd, run, sim};
use std::path::Path;
use usage_tracker_simulator::{DEMO_ADMIN_KEY, DEMO_KEY_ID, Fault};

fn prices(home: &tempfile::TempDir, data: &Path, extra: &[&str]) -> (serde_json::Value, String) {
    let mut c = cmd(home);
    c.env("OPENAI_ADMIN_KEY", DEMO_ADMIN_KEY)
        .args(["prices", "--format", "json", "--api-key-id", DEMO_KEY_ID])
        .arg("--base-url")
        .arg(sim().1.base_url())
        .arg("--data-dir")
        .arg(data)
        .args(extra);
    let (out, stdout, stderr) = run(&mut c);
    assert!(out.status.success(), "{stderr}");
    let v = serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    (v, stderr)
}

#[track_caller]
fn row<'a>(v: &'a serde_json::Value, model: &str, kind: &str) -> &'a serde_json::Value {
    tier_row(v, model, "standard", kind)
}

#[track_caller]
fn tier_row<'a>(
    v: &'a serde_json::Value,
    model: &str,
    tier: &str,
    kind: &str,
) -> &'a serde_json::Value {
    let found = v["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["model"] == model && r["kind"] == kind && r["tier"] == tier);
    match found {
        Some(r) => r,
        None => panic!("{model} {tier} {kind} not in {v:#}"),
    }
}

#[test]
fn prices_lists_each_price_with_its_source_and_keeps_what_the_bill_taught() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("data");
    let (v, _) = prices(&home, &data, &[]);
    assert_eq!(v["prices"], "bill");
    // A model no table knows: the bill's, with the day it was billed on.
    let unknown = row(&v, "gpt-6.9-preview-2026-12-01", "input");
    assert_eq!(unknown["source"], "bill", "{unknown}");
    assert_eq!(unknown["per_unit"], 3.0);
    assert!(unknown["table_per_unit"].is_null());
    let day = unknown["learned_on"].as_str().unwrap().to_owned();
    assert_eq!(day.len(), "2026-12-06".len());
    // Billed 10 % above the table (the key uses gpt-4.1 through the Batch API): the bill's
    // price by default, the table's beside it.
    let uplift = tier_row(&v, "gpt-4.1-2025-04-14", "batch", "input");
    assert_eq!(uplift["source"], "bill");
    assert!(
        (uplift["per_unit"].as_f64().unwrap() - 1.1).abs() < 1e-9,
        "{uplift}"
    );
    assert_eq!(uplift["table_per_unit"], 1.0);
    // Where the bill agrees, the table's price and source.
    let agreed = row(&v, "gpt-4o-2024-08-06", "output");
    assert_eq!(
        (&agreed["source"], &agreed["per_unit"]),
        (&"table".into(), &10.0.into())
    );
    // Assumed quality, replaced by what each size was billed.
    let image = v["models"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["model"] == "dall-e-3" && r["detail"] == "1024x1024")
        .unwrap();
    assert_eq!(image["source"], "bill", "{image}");
    let each = image["per_unit"].as_f64().unwrap();
    assert!(
        each > 0.04 && each < 0.08,
        "between standard and hd: {each}"
    );
    assert_eq!(image["table_per_unit"], 0.08);
    let checked: Vec<&str> = v["price_checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["model"].as_str().unwrap())
        .collect();
    assert!(
        !checked.is_empty() && checked.iter().all(|m| *m == "gpt-4.1-2025-04-14"),
        "{checked:?}"
    );

    // `--prices table`: the list price where they differ, still the bill's where the table has none.
    let (t, _) = prices(&home, &data, &["--prices", "table"]);
    assert_eq!(t["prices"], "table");
    let uplift = tier_row(&t, "gpt-4.1-2025-04-14", "batch", "input");
    assert_eq!(
        (&uplift["source"], &uplift["per_unit"]),
        (&"table".into(), &1.0.into())
    );
    assert_eq!(
        row(&t, "gpt-6.9-preview-2026-12-01", "input")["source"],
        "bill"
    );

    // The Costs API fails: what was learned is read from the store, and it says so.
    let ctl = sim().1.control();
    ctl.inject_costs(Fault::ServerError(500), u32::MAX);
    let (again, stderr) = prices(&home, &data, &[]);
    ctl.clear_faults();
    assert!(stderr.contains("the bill could not be read"), "{stderr}");
    let kept = row(&again, "gpt-6.9-preview-2026-12-01", "input");
    assert_eq!(kept["source"], "bill", "{kept}");
    assert_eq!(kept["learned_on"], day.as_str());
    assert_eq!(again["price_checks"], v["price_checks"]);
}

#[test]
fn once_says_what_the_bill_priced_and_what_it_prices_differently() {
    let home = tempfile::tempdir().unwrap();
    let mut c = cmd(&home);
    c.env("OPENAI_ADMIN_KEY", DEMO_ADMIN_KEY)
        .env("COLUMNS", "300")
        .args(["once", "--api-key-id", DEMO_KEY_ID, "--data-dir", "off"])
        .arg("--base-url")
        .arg(sim().1.base_url());
    let (out, stdout, stderr) = run(&mut c);
    assert!(out.status.success(), "{stderr}");
    let priced = stdout
        .lines()
        .find(|l| l.starts_with("Priced from your bill of "))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(priced.contains("gpt-6.9-preview-2026-12-01"), "{priced}");
    let checks = stdout
        .lines()
        .find(|l| l.starts_with("Prices: 1 model billed differently from the table"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        checks.contains("gpt-4.1-2025-04-14") && checks.contains("--prices bill"),
        "{checks}"
    );
}
