//! The menu's glance rows: the pace ("On pace for $22.00 today · $334.80 this month") and two
//! sparklines, the last 24 hours (hourly, named in local time) and the last 30 days (daily,
//! UTC days, as the bill's), each naming its peak. Pure, from the [`Glance`] the app holds.
//!
//! Always two rows, whatever is known, so an update relabels them in place; the pace row is
//! the header's (see `ui::headline`), said with the same words.

use super::{Node, TrayState};
use crate::figures::glance::Glance;
use crate::figures::pace::MIN_ELAPSED_SECS;
use crate::ui::{format, spark};

/// What the pace row says before the first glance.
pub const PACE_LOADING: &str = "Pace: loading…";
/// The labels the sparkline rows start with.
pub const HOURS_LABEL: &str = "24 h";
pub const DAYS_LABEL: &str = "30 d";

/// "On pace for $22.00 today · $334.80 this month"; either half alone when the other is not
/// known; in the day's first half hour, when it will be.
pub fn pace_text(g: &Glance) -> String {
    let today = g.pace_today.map(|v| format!("{} today", format::usd(v)));
    let month = g
        .pace_month
        .map(|v| format!("{} this month", format::usd(v)));
    match (today, month) {
        (Some(t), Some(m)) => format!("On pace for {t} · {m}"),
        (Some(x), None) | (None, Some(x)) => format!("On pace for {x}"),
        (None, None) => {
            let midnight = crate::bill::utc_day_start(g.now);
            if g.now - midnight < MIN_ELAPSED_SECS {
                "Pace: from 00:30 UTC".to_owned()
            } else {
                "Pace: not known yet".to_owned()
            }
        }
    }
}

/// `24 h ▁▂▅█▃…  peak $1.20 at 14:00`
pub fn hours_text(g: &Glance) -> String {
    let line = spark::line(&g.hourly, |i| {
        format!("at {}", format::local_hm(g.hour_start(i)))
    });
    format!("{HOURS_LABEL} {line}")
}

/// `30 d ▁▂▅█▃…  peak $40.10 on 12 Nov`
pub fn days_text(g: &Glance) -> String {
    let line = spark::line(&g.daily, |i| {
        format!("on {}", format::utc_day(g.day_start(i)))
    });
    format!("{DAYS_LABEL} {line}")
}

/// The two sparklines (the pace is the header's, with the headline).
pub fn glance_rows(state: &TrayState) -> Vec<Node> {
    match &state.glance {
        Some(g) => vec![Node::Info(hours_text(g)), Node::Info(days_text(g))],
        None => vec![
            Node::Info(format!("{HOURS_LABEL} loading…")),
            Node::Info(format!("{DAYS_LABEL} loading…")),
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::figures::glance::{DAYS, HOURS};

    /// 2026-12-02T06:00:00Z
    const NOW: i64 = 1_796_169_600 + 6 * 3_600;

    fn glance() -> Glance {
        let mut hourly = vec![Some(0.5); HOURS];
        hourly[19] = Some(3.0);
        hourly[23] = Some(0.0);
        hourly[3] = None;
        let mut daily = vec![Some(8.0); DAYS];
        daily[10] = Some(40.1);
        Glance {
            now: NOW,
            hours_from: NOW - 23 * 3_600,
            hourly,
            days_from: NOW - 6 * 3_600 - 29 * 86_400,
            daily,
            today_usd: Some(5.5),
            pace_today: Some(22.0),
            pace_month: Some(334.8),
            month: Default::default(),
        }
    }

    #[test]
    fn the_pace_row_says_both_or_what_is_known() {
        let mut g = glance();
        assert_eq!(
            pace_text(&g),
            "On pace for $22.00 today · $334.80 this month"
        );
        g.pace_today = None;
        assert_eq!(pace_text(&g), "On pace for $334.80 this month");
        g.pace_month = None;
        assert_eq!(pace_text(&g), "Pace: not known yet");
        g.now = NOW - 6 * 3_600 + 600;
        assert_eq!(pace_text(&g), "Pace: from 00:30 UTC");
    }

    #[test]
    fn the_sparklines_name_their_peaks() {
        let g = glance();
        let h = hours_text(&g);
        let peak_at = format::local_hm(NOW - 4 * 3_600);
        assert!(h.starts_with("24 h "), "{h}");
        assert!(h.ends_with(&format!("peak $3.00 at {peak_at}")), "{h}");
        let marks: Vec<char> = h.chars().skip(5).take(HOURS).collect();
        assert_eq!(marks[3], spark::MISSING);
        assert_eq!(marks[19], '█');
        assert_eq!(marks[23], spark::ZERO);
        let d = days_text(&g);
        // Day 10 of the 30 starting 3 Nov is 13 Nov.
        assert!(d.ends_with("peak $40.10 on 13 Nov"), "{d}");
        assert_eq!(
            d.chars().skip(5).take(DAYS).filter(|c| *c == '█').count(),
            1
        );
    }
}
