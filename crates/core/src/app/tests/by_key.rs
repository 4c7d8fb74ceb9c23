//! The By key section takes its names from the key list the app loads for the Track submenu:
//! ids until it comes, names (and the dormant keys) once it has.

use super::*;
use crate::ui::view::KeyChoice;
use crate::usage::{Owner, OwnerFigure};

fn fig(key: &str, cost: f64) -> OwnerFigure {
    OwnerFigure {
        owner: Owner::new(Some(key.into()), Some("proj_a".into())),
        total_tokens: 1_000,
        requests: 1,
        cost_usd: cost,
        models: vec![("gpt-4o".into(), 1_000, Some(cost))],
        kinds: vec![],
    }
}

fn by_key(v: &TrayView) -> (&str, Vec<&str>) {
    v.menu
        .iter()
        .find_map(|n| match n {
            Node::Submenu { text, children } if text.starts_with("By key") => Some((
                text.as_str(),
                children
                    .iter()
                    .filter_map(|c| match c {
                        Node::Submenu { text, .. } => Some(text.as_str()),
                        _ => None,
                    })
                    .collect(),
            )),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no By key row: {:#?}", v.menu))
}

#[test]
fn the_by_key_rows_are_named_once_the_key_list_comes() {
    let mut h = Harness::started();
    let s = h.session();
    let mut whole = (*snap(vec![model("gpt-4o", 3_000_000)], vec![], vec![])).clone();
    whole.owners = vec![fig("key_a", 2.0), fig("key_b", 1.0)];
    let out = h.feed(updated(s, Arc::new(whole)));
    let (row, keys) = by_key(rendered(&out));
    assert_eq!(row, "By key  2 keys · top: key_a $2.00");
    assert_eq!(keys, ["key_a (proj_a)  $2.00", "key_b (proj_a)  $1.00"]);
    let listed = vec![
        KeyChoice {
            id: "key_a".into(),
            name: Some("Prod".into()),
            project: "Alpha".into(),
            project_id: "proj_a".into(),
            last_used_at: Some(T0 / 1000 - 60),
        },
        KeyChoice {
            id: "key_b".into(),
            name: None,
            project: "Alpha".into(),
            project_id: "proj_a".into(),
            last_used_at: None,
        },
    ];
    h.feed(Input::Keys(s, Ok(listed)));
    let v = h.view();
    let (row, keys) = by_key(&v);
    assert_eq!(row, "By key  2 keys · top: Prod $2.00 · 1 unused");
    assert_eq!(
        keys,
        [
            "Prod (Alpha)  $2.00",
            "key_b (Alpha)  $1.00",
            "1 key unused for 30 days"
        ]
    );
}
