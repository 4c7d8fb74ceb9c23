//! The fakes behave as the tests that use them assume.

use super::*;
use crate::app::ports::store_if_changed;

#[test]
fn the_fake_records_in_order() {
    let n = FakeNotifier::default();
    for s in ["a", "b"] {
        n.notify(&Note {
            summary: s.into(),
            body: String::new(),
        })
        .unwrap();
    }
    let sent = n.sent.lock().unwrap();
    assert_eq!(
        sent.iter().map(|n| n.summary.as_str()).collect::<Vec<_>>(),
        ["a", "b"]
    );
}

#[test]
fn the_fake_records_urls() {
    let b = FakeBrowser::default();
    b.open("https://platform.openai.com/usage").unwrap();
    assert_eq!(
        *b.opened.lock().unwrap(),
        ["https://platform.openai.com/usage"]
    );
}

#[test]
fn the_fake_answers_in_order_then_cancels() {
    let d = FakeDialogs::default();
    d.replies.lock().unwrap().push(Some("sk-admin-x".into()));
    assert_eq!(
        d.ask_secret("t", "p").unwrap().as_deref(),
        Some("sk-admin-x")
    );
    assert_eq!(d.ask_secret("t", "p").unwrap(), None);
    assert_eq!(d.shown.lock().unwrap().len(), 2);
}

#[test]
fn writes_only_when_the_value_changes() {
    let store = FakeSecretStore::default();
    assert!(store_if_changed(&store, "sk-admin-a").unwrap());
    assert!(!store_if_changed(&store, "sk-admin-a").unwrap());
    assert_eq!(store.writes(), 1);
    assert!(store_if_changed(&store, "sk-admin-b").unwrap());
    assert_eq!(store.get().unwrap().as_deref(), Some("sk-admin-b"));
    assert!(store.delete().unwrap());
    assert!(!store.delete().unwrap());
    assert_eq!(store.get().unwrap(), None);
}

#[test]
fn an_item_waiting_for_approval_is_not_enabled() {
    let item = FakeLoginItem {
        needs_approval: true,
        ..Default::default()
    };
    item.set_enabled(true).unwrap();
    assert_eq!(item.state().unwrap(), LoginState::NeedsApproval);
    assert!(!item.is_enabled().unwrap());
}

#[test]
fn a_failing_item_keeps_its_state() {
    let item = FakeLoginItem {
        fail: true,
        ..Default::default()
    };
    assert!(item.set_enabled(true).is_err());
    assert!(!item.is_enabled().unwrap());
}
