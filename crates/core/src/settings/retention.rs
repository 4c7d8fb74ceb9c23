//! How long each kind of history is kept (the `history_keep` setting): the value and its
//! text. A setting like any other, so it lives with the settings; the pruning that applies it
//! is the store's (`usage-tracker-store`).

use crate::usage::BucketWidth;

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

/// Seconds each kind of history is kept, counted back from now to a bucket's start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retention {
    pub minute_secs: i64,
    pub hour_secs: i64,
    pub day_secs: i64,
    pub bill_secs: i64,
}

impl Default for Retention {
    /// 1-minute buckets 48 h, 1-hour buckets 90 days, daily buckets and bills 400 days.
    fn default() -> Self {
        Retention {
            minute_secs: 48 * HOUR,
            hour_secs: 90 * DAY,
            day_secs: 400 * DAY,
            bill_secs: 400 * DAY,
        }
    }
}

impl Retention {
    /// The longest span a setting may give: ten years.
    pub const MAX_SECS: i64 = 3_660 * DAY;

    /// Parses `1m=48h,1h=90d,1d=400d,bills=400d` (the `history_keep` setting): any of the four,
    /// in any order, each once; spans in whole hours (`h`) or days (`d`), at least an hour and
    /// at most [`MAX_SECS`](Self::MAX_SECS); one left out keeps its default. `None` for
    /// anything else (an empty text included).
    pub fn parse(text: &str) -> Option<Retention> {
        let mut r = Retention::default();
        let mut seen = Vec::new();
        for part in text.split(',') {
            let (name, span) = part.split_once('=')?;
            let name = name.trim();
            if seen.contains(&name) {
                return None;
            }
            seen.push(name);
            let secs = parse_span(span.trim())?;
            match name {
                "1m" => r.minute_secs = secs,
                "1h" => r.hour_secs = secs,
                "1d" => r.day_secs = secs,
                "bills" => r.bill_secs = secs,
                _ => return None,
            }
        }
        Some(r)
    }

    /// The setting's text for these spans (what [`parse`](Self::parse) reads back).
    pub fn spec(&self) -> String {
        // Hours below four days (48h reads better than 2d), whole days above.
        let span = |secs: i64| {
            if secs % DAY == 0 && secs >= 4 * DAY {
                format!("{}d", secs / DAY)
            } else {
                format!("{}h", secs / HOUR)
            }
        };
        format!(
            "1m={},1h={},1d={},bills={}",
            span(self.minute_secs),
            span(self.hour_secs),
            span(self.day_secs),
            span(self.bill_secs)
        )
    }

    pub fn of(&self, width: BucketWidth) -> i64 {
        match width {
            BucketWidth::Minute => self.minute_secs,
            BucketWidth::Hour => self.hour_secs,
            BucketWidth::Day => self.day_secs,
        }
    }
}

/// `48h` or `90d`: whole hours or days, from an hour to [`Retention::MAX_SECS`].
fn parse_span(text: &str) -> Option<i64> {
    let (digits, unit) = text.split_at(text.len().checked_sub(1)?);
    let n: i64 = digits.parse().ok().filter(|n| *n > 0)?;
    let secs = match unit {
        "h" => n.checked_mul(HOUR)?,
        "d" => n.checked_mul(DAY)?,
        _ => return None,
    };
    (secs <= Retention::MAX_SECS).then_some(secs)
}

#[cfg(test)]
mod tests;
