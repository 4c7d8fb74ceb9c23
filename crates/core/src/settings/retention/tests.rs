//! The `history_keep` text: read back, partial, refused.

use super::*;

#[test]
fn the_default_spec_reads_back_as_the_default() {
    let d = Retention::default();
    assert_eq!(d.spec(), "1m=48h,1h=90d,1d=400d,bills=400d");
    assert_eq!(Retention::parse(&d.spec()), Some(d));
}

#[test]
fn a_spec_sets_what_it_names_and_keeps_the_rest() {
    let r = Retention::parse(" 1h = 30d , 1m=72h").unwrap();
    assert_eq!(r.hour_secs, 30 * DAY);
    assert_eq!(r.minute_secs, 72 * HOUR);
    assert_eq!(r.day_secs, Retention::default().day_secs);
    assert_eq!(r.bill_secs, Retention::default().bill_secs);
    assert_eq!(r.spec(), "1m=72h,1h=30d,1d=400d,bills=400d");
    assert_eq!(Retention::parse(&r.spec()), Some(r));
    let r = Retention::parse("bills=25h").unwrap();
    assert_eq!(
        (r.bill_secs, r.spec().ends_with("bills=25h")),
        (25 * HOUR, true)
    );
}

#[test]
fn a_bad_spec_is_refused() {
    for bad in [
        "",
        "1m",
        "1m=",
        "1m=48",
        "1m=0h",
        "1m=-1h",
        "1m=1.5d",
        "1m=48m",
        "5m=48h",
        "1m=48h,1m=72h",
        "1m=48h,",
        "1d=3661d",
        "1d=99999999999999999d",
    ] {
        assert_eq!(Retention::parse(bad), None, "{bad:?}");
    }
    assert!(Retention::parse("1d=3660d").is_some());
}
