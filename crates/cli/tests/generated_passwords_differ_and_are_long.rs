//! Every extension gets its own generated password of at least 20 characters.

mod common;

use common::json;

#[test]
fn two_passwords_differ_and_are_at_least_20_chars() {
    let dir = tempfile::tempdir().expect("temp dir");
    let a = json(
        dir.path(),
        &["extension", "add", "201", "--name", "Alice", "--json"],
    );
    let b = json(
        dir.path(),
        &["extension", "add", "202", "--name", "Bob", "--json"],
    );
    let pa = a["password"].as_str().expect("password a");
    let pb = b["password"].as_str().expect("password b");
    assert_ne!(pa, pb);
    for p in [pa, pb] {
        assert!(p.chars().count() >= 20, "{p}");
        assert!(p.chars().all(|c| c.is_ascii_alphanumeric()), "{p}");
    }
}
