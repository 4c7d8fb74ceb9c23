//! Words shared by the full-screen view and the one-line-per-refresh output: the error status,
//! countdowns and the bill. Pure; numbers go through [`crate::ui::format`].

use crate::bill::BillSnapshot;
use crate::poller::Failure;
use crate::ui::format;

/// `Billed (UTC): today $0.40 · yesterday $3.69 · month to date $4.09`; when the last costs
/// request failed the last good figures with `STALE (bill as of 09:12:00): cannot reach the
/// API`; `Billed: not fetched yet` before the first answer. `now` in unix seconds.
pub fn billed(snap: Option<&BillSnapshot>, now: i64) -> String {
    use crate::ui::view::billed::failure_words;
    let failure = snap.and_then(|s| s.failure.as_ref());
    let Some(bill) = snap.and_then(|s| s.bill.as_ref()) else {
        return match failure {
            Some(f) => format!("Billed: not fetched ({})", failure_words(f)),
            None => "Billed: not fetched yet".to_owned(),
        };
    };
    let day = |d: Option<&crate::bill::BilledDay>| {
        d.map_or_else(|| "—".to_owned(), |d| format::moneys(&d.totals()))
    };
    let mut s = format!(
        "Billed (UTC): today {} · yesterday {} · month to date {}",
        day(bill.today(now)),
        day(bill.yesterday(now)),
        format::moneys(&bill.month_to_date(now))
    );
    if let Some(f) = failure {
        s.push_str(&format!(
            " · {} (bill as of {}): {}",
            crate::ui::terminal::render::STALE,
            format::local_hms_ms(bill.fetched_at_ms),
            failure_words(f)
        ));
    }
    s
}

/// The check of the estimate against the bill, as the menu says it.
pub fn check(snap: Option<&BillSnapshot>, now: i64) -> String {
    crate::ui::view::check_line(snap, now)
}

/// `rate limited — retrying in 30s (10:38:12): the API answered 429 (…)`: the kind once.
pub fn failure(f: &Failure, now_ms: i64) -> String {
    format!("{}: {}", failure_head(f, now_ms), detail(f))
}

/// The error's message without the words that name its kind, which the head already says
/// (`offline: cannot reach …` → `cannot reach …`, `invalid admin key: …` → `…`).
pub fn detail(f: &Failure) -> String {
    let message = f.error.to_string();
    let label = f.error.kind().label();
    let first_word = label.split(' ').next().unwrap_or(label);
    match message.split_once(": ") {
        Some((lead, rest)) if lead.starts_with(first_word) && !rest.is_empty() => rest.to_owned(),
        _ => message,
    }
}

/// `rate limited — retrying in 30s (10:38:12)`: the kind and when the poller tries again.
pub fn failure_head(f: &Failure, now_ms: i64) -> String {
    let retry_at = f.at_ms + f.retry_in.as_millis() as i64;
    format!(
        "{} — retrying in {} ({})",
        f.error.kind().label(),
        countdown(retry_at, now_ms),
        format::local_hms_ms(retry_at)
    )
}

/// Whole seconds from `now_ms` until `at_ms` (rounded up, never negative): `12s`, `3m 05s`.
pub fn countdown(at_ms: i64, now_ms: i64) -> String {
    let secs = ((at_ms - now_ms).max(0) + 999) / 1000;
    if secs >= 60 {
        format!("{}m {:02}s", secs / 60, secs % 60)
    } else {
        format!("{secs}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::{Alert, AlertKind};
    use crate::openai::ApiError;
    use std::time::Duration;

    #[test]
    fn alert_line_uses_the_rate_formatter() {
        let a = Alert {
            kind: AlertKind::TokenRate,
            per_minute: 48_210.4,
            threshold: 10_000.0,
            top_model: Some("gpt-4o".into()),
        };
        assert_eq!(
            format::alert(&a),
            "Token spike: 48,210 tokens/min (threshold 10,000)"
        );
        let r = Alert {
            kind: AlertKind::RequestRate,
            per_minute: 390.0,
            threshold: 120.0,
            top_model: None,
        };
        assert_eq!(
            format::alert(&r),
            "Request spike: 390 requests/min (threshold 120)"
        );
    }

    #[test]
    fn countdowns_round_up_and_stop_at_zero() {
        assert_eq!(countdown(10_000, 0), "10s");
        assert_eq!(countdown(10_001, 0), "11s");
        assert_eq!(countdown(0, 5_000), "0s");
        assert_eq!(countdown(185_000, 0), "3m 05s");
    }

    #[test]
    fn failure_names_the_kind_and_the_retry_time() {
        let f = Failure {
            error: ApiError::RateLimited {
                retry_after: Some(Duration::from_secs(30)),
                message: "slow down".into(),
            },
            at_ms: 1_000_000,
            consecutive: 1,
            retry_in: Duration::from_secs(30),
        };
        let s = failure(&f, 1_000_000);
        assert!(s.starts_with("rate limited — retrying in 30s ("), "{s}");
        assert!(s.ends_with("retry after 30s"), "{s}");
        assert_eq!(s.matches("rate limited").count(), 1, "{s}");
        let offline = Failure {
            error: ApiError::Network {
                url: "http://127.0.0.1:9/v1".into(),
                reason: "connection refused".into(),
            },
            ..f
        };
        let d = detail(&offline);
        assert!(d.starts_with("cannot reach http://127.0.0.1:9/v1"), "{d}");
        let s = failure(&offline, 1_000_000);
        assert_eq!(s.matches("offline").count(), 1, "{s}");
    }
}
