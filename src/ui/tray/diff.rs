//! What changed between two menus of the same shape (`view::same_shape`): the renderer sets
//! these and nothing else. A refresh changes a few figures among dozens of rows, and on Linux
//! each set on a shown row is a message to the tray host (dbusmenu), so setting every row on
//! every render kept the app and the host busy between refreshes for nothing. Pure: tested
//! without a desktop.

use crate::ui::view::Node;

/// Where a row is: its position in the menu, then in each submenu on the way down.
pub type Path = Vec<usize>;

/// One property of one row to set.
#[derive(Debug, PartialEq, Eq)]
pub enum Change<'a> {
    /// An information row's, an item's or a check item's text.
    Text(Path, &'a str),
    Enabled(Path, bool),
    /// A submenu's own label (its rows are changes of their own).
    Label(Path, &'a str),
}

impl Change<'_> {
    pub fn path(&self) -> &[usize] {
        match self {
            Change::Text(p, _) | Change::Enabled(p, _) | Change::Label(p, _) => p,
        }
    }
}

/// The changes that turn `old` into `new`, parents before their rows. Check marks are not
/// among them: a click toggles one natively before the app decides, so the renderer compares
/// them with what is shown, not with the view it showed last. Rows of another kind at a
/// position (the menus are not the same shape) are skipped: such a menu is rebuilt instead.
pub fn changes<'a>(old: &[Node], new: &'a [Node]) -> Vec<Change<'a>> {
    let mut out = Vec::new();
    walk(old, new, &mut Vec::new(), &mut out);
    out
}

fn walk<'a>(old: &[Node], new: &'a [Node], path: &mut Path, out: &mut Vec<Change<'a>>) {
    for (position, (o, n)) in old.iter().zip(new).enumerate() {
        if o == n {
            continue;
        }
        path.push(position);
        let here = || path.clone();
        match (o, n) {
            (Node::Info(a), Node::Info(b)) if a != b => out.push(Change::Text(here(), b)),
            (
                Node::Item {
                    text: a,
                    enabled: x,
                    ..
                },
                Node::Item {
                    text: b,
                    enabled: y,
                    ..
                },
            )
            | (
                Node::Check {
                    text: a,
                    enabled: x,
                    ..
                },
                Node::Check {
                    text: b,
                    enabled: y,
                    ..
                },
            ) => {
                if a != b {
                    out.push(Change::Text(here(), b));
                }
                if x != y {
                    out.push(Change::Enabled(here(), *y));
                }
            }
            (
                Node::Submenu {
                    text: a,
                    children: old_children,
                },
                Node::Submenu {
                    text: b,
                    children: new_children,
                },
            ) => {
                if a != b {
                    out.push(Change::Label(here(), b));
                }
                walk(old_children, new_children, path, out);
            }
            _ => {}
        }
        path.pop();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::view::Action;

    fn info(t: &str) -> Node {
        Node::Info(t.into())
    }

    fn sub(t: &str, children: Vec<Node>) -> Node {
        Node::Submenu {
            text: t.into(),
            children,
        }
    }

    fn check(t: &str, checked: bool, enabled: bool) -> Node {
        Node::Check {
            action: Action::Quit,
            text: t.into(),
            checked,
            enabled,
        }
    }

    fn menu(cost: &str, tokens: &str) -> Vec<Node> {
        vec![
            info("Last 1 h"),
            Node::Separator,
            sub(
                &format!("gpt-4o  {cost}"),
                vec![
                    info(&format!("cost {cost}")),
                    info(&format!("tokens {tokens}")),
                ],
            ),
            sub(
                "Lookback",
                vec![check("1 h", true, true), check("6 h", false, true)],
            ),
            Node::Item {
                action: Action::Quit,
                text: "Quit".into(),
                enabled: true,
            },
        ]
    }

    #[test]
    fn an_unchanged_menu_has_no_changes() {
        assert_eq!(
            changes(&menu("$1.00", "10k"), &menu("$1.00", "10k")),
            vec![]
        );
    }

    #[test]
    fn only_the_rows_whose_text_changed_are_set() {
        let (old, new) = (menu("$1.00", "10k"), menu("$1.20", "10k"));
        assert_eq!(
            changes(&old, &new),
            vec![
                Change::Label(vec![2], "gpt-4o  $1.20"),
                Change::Text(vec![2, 0], "cost $1.20"),
            ]
        );
        let new = menu("$1.00", "12k");
        assert_eq!(
            changes(&old, &new),
            vec![Change::Text(vec![2, 1], "tokens 12k")]
        );
    }

    #[test]
    fn check_marks_are_left_to_the_renderer_and_enabled_is_its_own_change() {
        let old = vec![sub("Lookback", vec![check("1 h", true, true)])];
        let checked = vec![sub("Lookback", vec![check("1 h", false, true)])];
        assert_eq!(changes(&old, &checked), vec![]);
        let disabled = vec![sub("Lookback", vec![check("1 h", true, false)])];
        assert_eq!(
            changes(&old, &disabled),
            vec![Change::Enabled(vec![0, 0], false)]
        );
        let item = |text: &str, enabled| Node::Item {
            action: Action::Quit,
            text: text.into(),
            enabled,
        };
        assert_eq!(
            changes(&[item("Refresh", true)], &[item("Refreshing…", false)]),
            vec![
                Change::Text(vec![0], "Refreshing…"),
                Change::Enabled(vec![0], false)
            ]
        );
    }

    #[test]
    fn rows_of_another_kind_are_not_changes() {
        assert_eq!(changes(&[info("a")], &[Node::Separator]), vec![]);
    }
}
