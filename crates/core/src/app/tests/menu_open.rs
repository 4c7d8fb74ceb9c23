//! The menu's shape while it is open, where the platform says when it opens and closes (macOS:
//! AppKit's menu tracking) rather than the 30 s guess from a click.

use super::*;

#[test]
fn a_told_open_menu_keeps_its_shape_until_it_is_told_closed() {
    let mut h = Harness::started();
    let s = h.session();
    h.feed(updated(s, snap(vec![model("a", 1000)], vec![], vec![])));
    // A click comes first, then AppKit's tracking begins.
    h.feed(Input::Tray(TrayInput::Clicked));
    h.feed(Input::Tray(TrayInput::MenuOpened));
    let two = snap(vec![model("a", 2000), model("b", 3000)], vec![], vec![]);
    let out = h.feed(updated(s, two));
    assert_eq!(
        model_rows(rendered(&out)).len(),
        1,
        "no row comes while open"
    );
    // Still open long past the guess a click alone gives.
    h.now += 2 * MENU_OPEN_MS;
    let out = h.feed(Input::Tick);
    assert_eq!(
        model_rows(rendered(&out)).len(),
        1,
        "open until told closed"
    );
    let out = h.feed(Input::Tray(TrayInput::MenuClosed));
    assert_eq!(model_rows(rendered(&out)).len(), 2, "rows follow on close");

    // Once told, a click no longer guesses: closed without tracking, the menu is not held.
    h.feed(Input::Tray(TrayInput::Clicked));
    let out = h.feed(updated(s, snap(vec![model("a", 1)], vec![], vec![])));
    assert_eq!(model_rows(rendered(&out)).len(), 1, "a row goes at once");
}

#[test]
fn a_close_never_told_holds_the_shape_at_most_a_while() {
    let mut h = Harness::started();
    let s = h.session();
    h.feed(updated(s, snap(vec![model("a", 1000)], vec![], vec![])));
    h.feed(Input::Tray(TrayInput::MenuOpened));
    let two = snap(vec![model("a", 2000), model("b", 3000)], vec![], vec![]);
    h.feed(updated(s, two));
    h.now += MENU_OPEN_MAX_MS - 1;
    let out = h.feed(Input::Tick);
    assert_eq!(
        model_rows(rendered(&out)).len(),
        1,
        "held while it may be open"
    );
    h.now += 1;
    let out = h.feed(Input::Tick);
    assert_eq!(model_rows(rendered(&out)).len(), 2, "not forever");
}
