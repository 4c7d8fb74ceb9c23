//! Hand-made bills for the front ends' tests (menu, core, watch, JSON): values of the contract
//! types, no network. The figures are chosen so that a misread shows (cents and below).

use super::*;

/// 2026-12-02T09:30:00Z.
pub const NOW: i64 = 1_796_203_800;
pub const NOW_MS: i64 = NOW * 1000;
/// 2026-12-02T00:00:00Z, today.
pub const TODAY: i64 = 1_796_169_600;
/// 2026-12-01T00:00:00Z, yesterday and the month's first day.
pub const DEC_1: i64 = 1_796_083_200;
/// 2026-11-30T00:00:00Z, last month.
pub const NOV_30: i64 = DEC_1 - SECS_PER_DAY;

pub fn item(
    name: &str,
    model: Option<&str>,
    kind: LineKind,
    value: f64,
    currency: &str,
) -> LineItem {
    LineItem {
        name: name.into(),
        model: model.map(str::to_owned),
        kind,
        batch: name.starts_with("batch | "),
        amount: Money {
            value,
            currency: currency.into(),
        },
        quantity: None,
        quantity_unit: None,
        api_key_id: None,
        project_id: None,
    }
}

pub fn usd(name: &str, model: &str, kind: LineKind, value: f64) -> LineItem {
    item(name, Some(model), kind, value, "usd")
}

pub fn check(start_time: i64, estimate_usd: f64, billed_usd: f64) -> DayCheck {
    DayCheck {
        start_time,
        estimate_usd,
        billed_usd,
        ratio: (billed_usd != 0.0).then(|| estimate_usd / billed_usd),
    }
}

/// Last month $9.00; yesterday gpt-4o input $1.20, cached $0.14, output $2.10 and web search
/// $0.25 ($3.69); today gpt-4o input $0.40. Fetched at [`NOW_MS`]. The check of yesterday:
/// estimate $3.62 against $3.69 (within 2 %).
pub fn sample() -> BillSnapshot {
    let m = "gpt-4o-2024-08-06";
    let bill = Bill {
        days: vec![
            BilledDay {
                start_time: NOV_30,
                items: vec![usd("gpt-4o-2024-08-06, input", m, LineKind::Input, 9.0)],
            },
            BilledDay {
                start_time: DEC_1,
                items: vec![
                    usd("gpt-4o-2024-08-06, output", m, LineKind::Output, 2.10),
                    usd("gpt-4o-2024-08-06, input", m, LineKind::Input, 1.20),
                    usd(
                        "gpt-4o-2024-08-06, cached input",
                        m,
                        LineKind::CachedInput,
                        0.14,
                    ),
                    item(
                        "web search tool calls",
                        None,
                        LineKind::WebSearch,
                        0.25,
                        "usd",
                    ),
                ],
            },
            BilledDay {
                start_time: TODAY,
                items: vec![usd("gpt-4o-2024-08-06, input", m, LineKind::Input, 0.40)],
            },
        ],
        fetched_at_ms: NOW_MS,
    };
    BillSnapshot {
        bill: Some(bill),
        failure: None,
        estimate_failure: None,
        reconciliation: Some(Reconciliation {
            days: vec![check(NOV_30, 9.0, 9.0), check(DEC_1, 3.62, 3.69)],
        }),
    }
}

/// [`sample`] with the check of `day` at `estimate` against `billed` as the last one.
pub fn with_check(day: i64, estimate: f64, billed: f64) -> BillSnapshot {
    let mut s = sample();
    s.reconciliation = Some(Reconciliation {
        days: vec![check(day, estimate, billed)],
    });
    s
}

pub fn offline() -> BillFailure {
    BillFailure {
        error: crate::openai::ApiError::Network {
            url: "http://127.0.0.1:9/v1/organization/costs".into(),
            reason: "connection refused".into(),
        },
        at_ms: NOW_MS + 600_000,
    }
}
