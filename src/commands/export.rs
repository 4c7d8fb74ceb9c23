//! `usage-tracker export`: the stored history of `[--from, --to]` (UTC days, both included)
//! per day or hour, endpoint and model (and with `--by key|project`, per key or project: the
//! `api_key_id` and `project_id` columns), as CSV or JSON on stdout. Reads the store only; a bad
//! date is bad input (exit 2) naming the flag and the value.

use super::CliError;
use crate::cli::ExportFormat;
use crate::engine::connection::DEMO_FILE_NAME;
use crate::figures::{self, Line, OwnerLine, OwnerSplit};
use crate::settings::{HistoryDir, Settings};
use crate::store::{self, KeySet, Store, StoreOptions};
use crate::usage::BucketWidth;
use chrono::{NaiveDate, TimeZone, Utc};
use serde::Serialize;
use std::io::Write;
use std::process::ExitCode;

pub struct Args {
    pub from: String,
    pub to: String,
    pub format: ExportFormat,
    pub hourly: bool,
    /// `Model`: one line per model; `Key`, `Project`: split per owner.
    pub by: crate::ui::owners::By,
}

/// The UTC midnight starting the day `text` names, or the message for `flag`.
pub fn parse_day(flag: &str, text: &str) -> Result<i64, CliError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .ok()
        .filter(|_| text.trim().len() == 10)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| Utc.from_utc_datetime(&t).timestamp())
        .ok_or_else(|| {
            CliError::BadInput(format!(
                "invalid {flag} date {text:?}: expected a UTC day as YYYY-MM-DD, such as 2026-11-30"
            ))
        })
}

/// The store a reading command uses: it must exist; nothing is moved or created. Opening
/// applies retention, so it is given the settings' (`--history-keep`), never the default.
/// With `--demo` it is the demo's own history ([`DEMO_FILE_NAME`]), which `once --demo`,
/// `watch --demo` and the app with `--demo` keep.
pub fn open_store(settings: &Settings, dir: &HistoryDir) -> Result<Store, CliError> {
    let folder = dir.folder().map_err(CliError::BadInput)?;
    let file = if settings.demo {
        folder.join(DEMO_FILE_NAME)
    } else {
        store::file_in(folder)
    };
    let now = crate::engine::now_ms().div_euclid(1000);
    Store::open_existing(&file, StoreOptions::keeping(settings.history_keep), now).map_err(|e| {
        CliError::Other(if settings.demo {
            format!("{e}; `usage-tracker once --demo` makes the demo's")
        } else {
            e.to_string()
        })
    })
}

/// The table of the settings with what the bill taught `keys` (kept in `store`) laid over it:
/// the prices the live figures were estimated at.
pub fn stored_prices(
    store: &Store,
    keys: &KeySet,
    base: &crate::pricing::PriceTable,
    mode: crate::pricing::PriceMode,
) -> Result<crate::pricing::Prices, store::StoreError> {
    let learned = store.load_prices(keys)?;
    Ok(crate::pricing::learned::apply(base, &learned, mode))
}

pub fn run(settings: &Settings, dir: &HistoryDir, args: &Args) -> Result<ExitCode, CliError> {
    let from = parse_day("--from", &args.from)?;
    let to = parse_day("--to", &args.to)? + crate::bill::SECS_PER_DAY;
    if to <= from {
        return Err(CliError::BadInput(format!(
            "--from {} is after --to {}: give the first day first",
            args.from.trim(),
            args.to.trim()
        )));
    }
    let store = open_store(settings, dir)?;
    let keys = KeySet::of(&settings.tracked_ids());
    let period = if args.hourly {
        BucketWidth::Hour
    } else {
        BucketWidth::Day
    };
    let data = store
        .load_periods(&keys, period, from, to)
        .map_err(|e| CliError::Other(e.to_string()))?;
    let prices = stored_prices(&store, &keys, &settings.prices, settings.price_mode)
        .map_err(|e| CliError::Other(e.to_string()))?;
    let split = match args.by {
        crate::ui::owners::By::Model => None,
        crate::ui::owners::By::Key => Some(OwnerSplit::Key),
        crate::ui::owners::By::Project => Some(OwnerSplit::Project),
    };
    let text = match split {
        None => {
            let lines = figures::lines(
                &data.completions,
                &data.others,
                &data.bill,
                period,
                &prices.table,
                settings.tier,
            );
            let rows: Vec<(Option<&OwnerLine>, &Line)> = lines.iter().map(|l| (None, l)).collect();
            match args.format {
                ExportFormat::Csv => csv(&rows, period, false),
                ExportFormat::Json => json(&lines, period, &keys, settings, (from, to), None),
            }
        }
        Some(split) => {
            let lines = figures::lines_by_owner(
                &data.completions,
                &data.others,
                &data.bill,
                period,
                &prices.table,
                settings.tier,
                split,
            );
            let rows: Vec<(Option<&OwnerLine>, &Line)> =
                lines.iter().map(|l| (Some(l), &l.line)).collect();
            match args.format {
                ExportFormat::Csv => csv(&rows, period, true),
                ExportFormat::Json => json(
                    &lines,
                    period,
                    &keys,
                    settings,
                    (from, to),
                    Some(args.by.as_str()),
                ),
            }
        }
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| CliError::Other(format!("cannot write the export: {e}")))?;
    Ok(ExitCode::SUCCESS)
}

/// `2026-11-30` per day, `2026-11-30T13:00Z` per hour.
pub fn period_name(start: i64, period: BucketWidth) -> String {
    let pattern = match period {
        BucketWidth::Day => "%Y-%m-%d",
        _ => "%Y-%m-%dT%H:%MZ",
    };
    Utc.timestamp_opt(start, 0)
        .single()
        .map_or_else(|| start.to_string(), |t| t.format(pattern).to_string())
}

pub const CSV_HEADER: &str = "period,start_time,endpoint,model,unit,quantity,input_tokens,cached_input_tokens,output_tokens,requests,estimate_usd,billed_usd,billed_other";

/// A field quoted when it holds a comma, a quote or a line break (RFC 4180).
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn amount(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.6}")).unwrap_or_default()
}

/// The columns `--by key|project` adds after `start_time`.
pub const CSV_OWNER_COLUMNS: &str = "api_key_id,project_id";

/// The lines, each with its owner when split (`owners`: the owner columns are there).
fn csv(lines: &[(Option<&OwnerLine>, &Line)], period: BucketWidth, owners: bool) -> String {
    let mut out = if owners {
        CSV_HEADER.replacen(
            "start_time,",
            &format!("start_time,{CSV_OWNER_COLUMNS},"),
            1,
        )
    } else {
        CSV_HEADER.to_owned()
    };
    out.push('\n');
    for (owner, l) in lines {
        let other: Vec<String> = l
            .billed_other
            .iter()
            .map(|m| format!("{:.6} {}", m.value, m.currency))
            .collect();
        let mut cols = vec![
            period_name(l.start_time, period),
            l.start_time.to_string(),
            l.endpoint.map(|e| e.as_str()).unwrap_or("other").to_owned(),
            field(&l.model),
            l.unit.map(|u| u.as_str()).unwrap_or_default().to_owned(),
            l.quantity.to_string(),
            l.input_tokens.to_string(),
            l.cached_input_tokens.to_string(),
            l.output_tokens.to_string(),
            l.requests.to_string(),
            amount(l.estimate_usd),
            amount(l.billed_usd),
            field(&other.join("; ")),
        ];
        if owners {
            let (key, project) = owner.map_or((None, None), |o| {
                (o.api_key_id.as_deref(), o.project_id.as_deref())
            });
            cols.insert(2, field(project.unwrap_or_default()));
            cols.insert(2, field(key.unwrap_or_default()));
        }
        out.push_str(&cols.join(","));
        out.push('\n');
    }
    out
}

#[derive(Serialize)]
struct JsonLine<'a, L> {
    period: String,
    #[serde(flatten)]
    line: &'a L,
}

#[derive(Serialize)]
struct JsonExport<'a, L> {
    from: String,
    to: String,
    period: &'static str,
    key_set: &'a str,
    tier: &'static str,
    /// `key` or `project` with `--by`: each line carries `api_key_id` and `project_id`.
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<&'static str>,
    lines: Vec<JsonLine<'a, L>>,
}

/// When a line's period starts.
trait Starts {
    fn start_time(&self) -> i64;
}

impl Starts for Line {
    fn start_time(&self) -> i64 {
        self.start_time
    }
}

impl Starts for OwnerLine {
    fn start_time(&self) -> i64 {
        self.line.start_time
    }
}

fn json<L: Serialize + Starts>(
    lines: &[L],
    period: BucketWidth,
    keys: &KeySet,
    settings: &Settings,
    (from, to): (i64, i64),
    by: Option<&'static str>,
) -> String {
    let doc = JsonExport {
        from: period_name(from, BucketWidth::Day),
        to: period_name(to - crate::bill::SECS_PER_DAY, BucketWidth::Day),
        period: if period == BucketWidth::Day {
            "day"
        } else {
            "hour"
        },
        key_set: keys.as_str(),
        tier: settings.tier.as_str(),
        by,
        lines: lines
            .iter()
            .map(|line| JsonLine {
                period: period_name(line.start_time(), period),
                line,
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&doc).expect("plain data serializes");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_parse_as_utc_midnights_and_bad_ones_name_the_flag() {
        assert_eq!(parse_day("--from", "2026-12-02").unwrap(), 1_796_169_600);
        for bad in [
            "2026-13-01",
            "2026-02-30",
            "12/02/2026",
            "2026-1-2",
            "",
            "2026-12-02T00:00",
        ] {
            let e = parse_day("--to", bad).unwrap_err();
            let msg = e.to_string();
            assert!(
                msg.contains("--to") && msg.contains(&format!("{bad:?}")),
                "{msg}"
            );
            assert!(matches!(e, CliError::BadInput(_)));
        }
    }

    #[test]
    fn csv_fields_with_commas_or_quotes_are_quoted() {
        assert_eq!(field("gpt-4o"), "gpt-4o");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
