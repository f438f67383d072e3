//! Creating an extension refuses bad input field by field and changes nothing when it does.

use store::{generate_secret, ha1_md5, ha1_sha256, Error, Store, SECRET_ALPHABET, SECRET_LEN};

const NOW: i64 = 1_700_000_000;

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    (dir, store)
}

fn field_message(err: Error, field: &str) -> String {
    let v = err
        .validation()
        .unwrap_or_else(|| panic!("not a validation error"));
    v.get(field)
        .unwrap_or_else(|| panic!("no error for field {field}: {v}"))
        .to_owned()
}

#[test]
fn numbers_must_be_2_to_10_digits() {
    let (_dir, store) = open();
    for bad in [
        "",
        "1",
        "12345678901",
        "20a",
        " 201",
        "２０１",
        "+201",
        "-12",
    ] {
        let err = store
            .create_extension(bad, "Alice", "switchboard", NOW)
            .err()
            .unwrap_or_else(|| panic!("{bad:?} was accepted"));
        assert_eq!(field_message(err, "number"), "must be 2 to 10 digits");
    }
    assert!(store.extensions().expect("list").is_empty());
    for good in ["10", "0123456789"] {
        store
            .create_extension(good, "Alice", "switchboard", NOW)
            .unwrap_or_else(|e| panic!("{good:?} refused: {e}"));
    }
    assert_eq!(store.extensions().expect("list").len(), 2);
}

#[test]
fn names_must_be_one_printable_line_of_limited_length() {
    let (_dir, store) = open();
    let long = "x".repeat(store::NAME_MAX_CHARS + 1);
    for bad in ["", "   ", long.as_str(), "Alice\r\nVia: evil"] {
        let err = store
            .create_extension("201", bad, "switchboard", NOW)
            .err()
            .unwrap_or_else(|| panic!("{bad:?} was accepted"));
        field_message(err, "name");
    }
    assert!(store.extension("201").expect("query").is_none());
    let created = store
        .create_extension("201", "  Zoë Müller  ", "switchboard", NOW)
        .expect("create");
    assert_eq!(created.extension.name, "Zoë Müller");
}

#[test]
fn both_fields_are_reported_at_once() {
    let (_dir, store) = open();
    let err = store
        .create_extension("x", "", "switchboard", NOW)
        .err()
        .expect("refused");
    let v = err.validation().expect("validation error");
    assert!(v.get("number").is_some());
    assert!(v.get("name").is_some());
}

#[test]
fn a_duplicate_number_is_refused_and_the_first_is_kept() {
    let (_dir, store) = open();
    let first = store
        .create_extension("201", "Alice", "switchboard", NOW)
        .expect("first");
    let err = store
        .create_extension("201", "Mallory", "switchboard", NOW + 1)
        .err()
        .expect("duplicate refused");
    assert_eq!(field_message(err, "number"), "extension 201 already exists");
    let kept = store.extension("201").expect("query").expect("exists");
    assert_eq!(kept, first.extension);
}

#[test]
fn the_password_is_generated_and_only_its_hashes_are_stored() {
    let (_dir, store) = open();
    let a = store
        .create_extension("201", "Alice", "office", NOW)
        .expect("a");
    let b = store
        .create_extension("202", "Bob", "office", NOW)
        .expect("b");
    assert_ne!(a.password, b.password);
    for p in [&a.password, &b.password] {
        assert!(p.len() >= 20);
        assert!(p.bytes().all(|c| SECRET_ALPHABET.contains(&c)));
    }
    let stored = store.extension("201").expect("query").expect("exists");
    assert_eq!(stored.realm, "office");
    assert_eq!(stored.ha1_md5, ha1_md5("201", "office", &a.password));
    assert_eq!(stored.ha1_sha256, ha1_sha256("201", "office", &a.password));
    assert_eq!(stored.ha1_md5.len(), 32);
    assert_eq!(stored.ha1_sha256.len(), 64);
    // Debug output is what ends up in logs: no hashes there.
    let debug = format!("{stored:?}");
    assert!(!debug.contains(&stored.ha1_md5));
    assert!(!debug.contains(&stored.ha1_sha256));
}

#[test]
fn ha1_matches_the_rfc_2617_example() {
    // RFC 2617 §3.5: Mufasa / testrealm@host.com / Circle Of Life.
    assert_eq!(
        ha1_md5("Mufasa", "testrealm@host.com", "Circle Of Life"),
        "939e7578ed9e3c518a452acee763bce9"
    );
}

#[test]
fn generated_secrets_are_long_and_distinct() {
    let secrets: std::collections::HashSet<String> = (0..200).map(|_| generate_secret()).collect();
    assert_eq!(secrets.len(), 200);
    assert!(secrets
        .iter()
        .all(|s| s.chars().count() == SECRET_LEN && s.len() >= 20));
}

#[test]
fn reset_password_replaces_the_hashes_and_can_move_realm() {
    let (_dir, store) = open();
    let old = store
        .create_extension("201", "Alice", "switchboard", NOW)
        .expect("create");
    let new_password = store.reset_password("201", "acme").expect("reset");
    assert_ne!(new_password, old.password);
    let stored = store.extension("201").expect("query").expect("exists");
    assert_eq!(stored.realm, "acme");
    assert_eq!(stored.ha1_md5, ha1_md5("201", "acme", &new_password));
    assert!(matches!(
        store.reset_password("999", "acme"),
        Err(Error::ExtensionNotFound(n)) if n == "999"
    ));
}

#[test]
fn removing_an_unknown_extension_is_an_error() {
    let (_dir, store) = open();
    assert!(matches!(
        store.remove_extension("555"),
        Err(Error::ExtensionNotFound(n)) if n == "555"
    ));
}

#[test]
fn rename_validates_and_updates() {
    let (_dir, store) = open();
    store
        .create_extension("201", "Alice", "switchboard", NOW)
        .expect("create");
    assert!(store.rename_extension("201", "").is_err());
    store
        .rename_extension("201", "Alice Jones")
        .expect("rename");
    let stored = store.extension("201").expect("query").expect("exists");
    assert_eq!(stored.name, "Alice Jones");
}
