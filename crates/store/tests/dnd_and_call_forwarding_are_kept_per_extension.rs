//! Do-not-disturb and call forwarding: off until changed, changed one kind at a time
//! (as feature codes do), checked per field, and gone with their extension.

use store::{CallForwarding, Error, ForwardKind, Store, DEFAULT_NO_ANSWER_SECONDS};

const NOW: i64 = 1_700_000_000;

fn open_with(numbers: &[&str]) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    for n in numbers {
        store
            .create_extension(n, &format!("Ext {n}"), "switchboard", NOW)
            .expect("create");
    }
    (dir, store)
}

#[test]
fn an_extension_never_changed_has_everything_off() {
    let (_dir, store) = open_with(&["201"]);
    let settings = store.call_forwarding("201").expect("read");
    assert_eq!(settings, CallForwarding::off("201"));
    assert!(!settings.is_active());
    assert_eq!(settings.no_answer_seconds, DEFAULT_NO_ANSWER_SECONDS);
    assert!(store.all_call_forwarding().expect("all").is_empty());
}

#[test]
fn dnd_and_each_forward_change_alone() {
    let (_dir, store) = open_with(&["201", "202"]);
    store.set_dnd("201", true).expect("dnd on");
    store
        .set_forward("201", ForwardKind::Busy, Some("202"))
        .expect("busy");
    store
        .set_forward("201", ForwardKind::NoAnswer, Some("+442071234567"))
        .expect("no answer");
    let settings = store.call_forwarding("201").expect("read");
    assert!(settings.dnd);
    assert_eq!(settings.always, None);
    assert_eq!(settings.busy.as_deref(), Some("202"));
    assert_eq!(settings.no_answer.as_deref(), Some("+442071234567"));

    store.set_dnd("201", false).expect("dnd off");
    store
        .set_forward("201", ForwardKind::Busy, None)
        .expect("busy off");
    let settings = store.call_forwarding("201").expect("read");
    assert!(!settings.dnd);
    assert_eq!(settings.busy, None);
    assert_eq!(settings.no_answer.as_deref(), Some("+442071234567"));
    assert_eq!(store.all_call_forwarding().expect("all"), vec![settings]);
}

#[test]
fn bad_targets_and_ring_times_are_refused_per_field() {
    let (_dir, store) = open_with(&["201"]);
    let mut settings = CallForwarding::off("201");
    settings.always = Some("201".to_owned());
    settings.busy = Some("12a".to_owned());
    settings.no_answer_seconds = 1;
    let err = store.set_call_forwarding(&settings).expect_err("refused");
    let fields = err.validation().expect("validation error");
    assert!(fields
        .get("forward_always")
        .is_some_and(|m| m.contains("itself")));
    assert!(fields
        .get("forward_busy")
        .is_some_and(|m| m.contains("number")));
    assert!(fields.get("no_answer_seconds").is_some());
    assert_eq!(
        store.call_forwarding("201").expect("read"),
        CallForwarding::off("201")
    );
}

#[test]
fn unknown_extensions_are_refused_and_removal_takes_the_settings() {
    let (_dir, store) = open_with(&["201"]);
    assert!(matches!(
        store.set_dnd("299", true),
        Err(Error::ExtensionNotFound(n)) if n == "299"
    ));
    store.set_dnd("201", true).expect("dnd");
    store.remove_extension("201").expect("remove");
    assert!(store.all_call_forwarding().expect("all").is_empty());
}
