//! Sparklines for the menu: one row of block characters (`▁▂▃▄▅▆▇█`) per series, so they
//! draw the same in every menu on every platform, with the peak named beside them. Pure:
//! values in, text out; the caller says how a period is named (hour or day, local or UTC).
//!
//! Marks, decided once: a period with spend is one of the eight blocks, scaled to the row's
//! peak (any spend at all is at least `▁`, the peak is `█`); a period with none is a space
//! (nothing drawn, as nothing was spent); a period with no data is `·`, so "not known" never
//! reads as "zero". A NaN or infinite value counts as no data; a negative one (a credit) as
//! none spent, so the row never panics and never scales against a refund.

use crate::ui::format;

const BLOCKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// A period spent nothing.
pub const ZERO: char = ' ';
/// A period of which nothing is known (not stored, not fetched).
pub const MISSING: char = '·';

fn clean(v: Option<f64>) -> Option<f64> {
    v.filter(|v| v.is_finite()).map(|v| v.max(0.0))
}

/// One mark per value, oldest first.
pub fn row(values: &[Option<f64>]) -> String {
    let peak = peak(values).map_or(0.0, |(_, v)| v);
    values
        .iter()
        .map(|v| match clean(*v) {
            None => MISSING,
            Some(v) if v <= 0.0 || peak <= 0.0 => ZERO,
            Some(v) => {
                let level = (v / peak * BLOCKS.len() as f64).ceil() as usize;
                BLOCKS[level.clamp(1, BLOCKS.len()) - 1]
            }
        })
        .collect()
}

/// The largest value above zero and its index (the first of equal ones); `None` when nothing
/// was spent in any known period.
pub fn peak(values: &[Option<f64>]) -> Option<(usize, f64)> {
    values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| clean(*v).filter(|v| *v > 0.0).map(|v| (i, v)))
        .fold(None, |best, (i, v)| match best {
            Some((_, b)) if b >= v => best,
            _ => Some((i, v)),
        })
}

/// The row and its peak named: `▁▃█ ·  peak $4.10 at 14:00`, where `name(i)` names period `i`
/// ("at 14:00", "on 30 Nov"). With no spend: the row and "nothing spent"; with no data at
/// all: "no data".
pub fn line(values: &[Option<f64>], name: impl Fn(usize) -> String) -> String {
    let marks = row(values);
    let tail = match peak(values) {
        Some((i, v)) => format!("peak {} {}", format::usd(v), name(i)),
        None if values.iter().all(|v| clean(*v).is_none()) => "no data".to_owned(),
        None => "nothing spent".to_owned(),
    };
    format!("{marks}  {tail}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn scales_to_the_peak_with_spaces_for_zero_and_dots_for_missing() {
        let v = [Some(0.0), Some(1.0), Some(4.0), None, Some(8.0), Some(0.01)];
        assert_eq!(row(&v), " ▁▄·█▁");
        assert_eq!(peak(&v), Some((4, 8.0)));
    }

    #[test]
    fn all_zero_is_blank_and_says_nothing_spent() {
        let v = [Some(0.0); 4];
        assert_eq!(row(&v), "    ");
        assert_eq!(line(&v, |_| unreachable!()), "      nothing spent");
    }

    #[test]
    fn one_spike_is_a_full_block_among_blanks() {
        let mut v = vec![Some(0.0); 24];
        v[14] = Some(4.1);
        let s = line(&v, |i| format!("at {i:02}:00"));
        assert_eq!(
            s,
            format!("{}█{}  peak $4.10 at 14:00", " ".repeat(14), " ".repeat(9))
        );
    }

    #[test]
    fn missing_data_is_not_zero_and_nothing_known_says_so() {
        assert_eq!(row(&[None, Some(0.0)]), "· ");
        assert_eq!(line(&[None, None], |_| String::new()), "··  no data");
        assert_eq!(line(&[], |_| String::new()), "  no data");
    }

    #[test]
    fn nan_infinite_and_negative_never_panic_nor_scale() {
        let v = [Some(f64::NAN), Some(f64::INFINITY), Some(-5.0), Some(2.0)];
        assert_eq!(row(&v), "·· █");
        assert_eq!(peak(&v), Some((3, 2.0)));
    }

    proptest! {
        #[test]
        fn one_mark_per_value_and_the_peak_is_full(v in proptest::collection::vec(
            proptest::option::of(prop_oneof![any::<f64>(), 0.0..100.0f64]), 0..40)) {
            let r: Vec<char> = row(&v).chars().collect();
            prop_assert_eq!(r.len(), v.len());
            match peak(&v) {
                Some((i, p)) => {
                    prop_assert_eq!(r[i], '█');
                    prop_assert!(p > 0.0 && p.is_finite());
                }
                None => prop_assert!(r.iter().all(|c| *c == ZERO || *c == MISSING)),
            }
        }
    }
}
