//! Bad input names the field, exits with status 2 and stores nothing.

mod common;

use common::{listed_numbers, ok, run, stderr, stdout};

#[test]
fn a_bad_number_is_rejected_and_nothing_is_stored() {
    let dir = tempfile::tempdir().expect("temp dir");
    for bad in ["1", "12345678901", "20x", "abc"] {
        let out = run(dir.path(), &["extension", "add", bad, "--name", "Alice"]);
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("number: must be 2 to 10 digits"),
            "{bad}: {}",
            stderr(&out)
        );
        assert!(stdout(&out).is_empty(), "no password may be printed");
    }
    assert!(listed_numbers(dir.path()).is_empty());
}

#[test]
fn a_bad_name_is_rejected() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(dir.path(), &["extension", "add", "201", "--name", ""]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("name:"), "{}", stderr(&out));
    assert!(listed_numbers(dir.path()).is_empty());
}

#[test]
fn a_duplicate_number_is_rejected_and_the_original_kept() {
    let dir = tempfile::tempdir().expect("temp dir");
    ok(dir.path(), &["extension", "add", "201", "--name", "Alice"]);
    let out = run(
        dir.path(),
        &["extension", "add", "201", "--name", "Mallory", "--json"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("number: extension 201 already exists"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&out).is_empty());
    let list = common::json(dir.path(), &["extension", "list", "--json"]);
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!(list[0]["name"], "Alice");
}

#[test]
fn removing_an_unknown_number_exits_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = run(dir.path(), &["extension", "remove", "404"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("number:"), "{}", stderr(&out));
}
