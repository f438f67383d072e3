//! `extension dnd` and `extension forward` change what the store (and so a running PBX)
//! does with an extension's calls; a bad target is refused with exit code 2 and changes
//! nothing.

mod common;

use common::{ok, run, stderr};

#[test]
fn dnd_and_forwards_are_set_and_cleared() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    ok(data, &["extension", "add", "201", "--name", "Alice"]);
    ok(data, &["extension", "add", "202", "--name", "Bob"]);

    let said = ok(data, &["extension", "dnd", "201", "on"]);
    assert!(said.contains("do not disturb"), "{said}");
    ok(data, &["extension", "forward", "201", "busy", "202"]);
    ok(
        data,
        &["extension", "forward", "201", "no-answer", "+442071234567"],
    );
    let store = store::Store::open(data).expect("open store");
    let settings = store.call_forwarding("201").expect("read");
    assert!(settings.dnd);
    assert_eq!(settings.busy.as_deref(), Some("202"));
    assert_eq!(settings.no_answer.as_deref(), Some("+442071234567"));

    ok(data, &["extension", "dnd", "201", "off"]);
    ok(data, &["extension", "forward", "201", "busy", "off"]);
    let settings = store.call_forwarding("201").expect("read");
    assert!(!settings.dnd);
    assert_eq!(settings.busy, None);
    assert_eq!(settings.no_answer.as_deref(), Some("+442071234567"));
}

#[test]
fn a_bad_target_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    ok(data, &["extension", "add", "201", "--name", "Alice"]);
    let refused = run(data, &["extension", "forward", "201", "always", "201"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("itself"), "{}", stderr(&refused));
    let store = store::Store::open(data).expect("open store");
    assert_eq!(store.call_forwarding("201").expect("read").always, None);
}
