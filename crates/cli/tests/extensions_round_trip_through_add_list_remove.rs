//! An extension added on the command line is listed, with its registered phones, and is gone
//! (with its registrations) after removal.

mod common;

use common::{json, listed_numbers, ok, run, stderr};

#[test]
fn add_list_remove() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();

    let added = json(
        data,
        &["extension", "add", "201", "--name", "Alice Smith", "--json"],
    );
    assert_eq!(added["number"], "201");
    assert_eq!(added["name"], "Alice Smith");
    let password = added["password"].as_str().expect("password");

    // The stored hash is of the password that was printed.
    let store = store::Store::open(data).expect("open store");
    let ext = store.extension("201").expect("query").expect("stored");
    assert_eq!(ext.ha1_md5, store::ha1_md5("201", "switchboard", password));

    ok(data, &["extension", "add", "202", "--name", "Bob"]);
    assert_eq!(listed_numbers(data), ["201", "202"]);

    let human = ok(data, &["extension", "list"]);
    assert!(human.contains("Alice Smith"), "{human}");
    assert!(human.contains("not registered"), "{human}");

    ok(data, &["extension", "remove", "201"]);
    assert_eq!(listed_numbers(data), ["202"]);

    let again = run(data, &["extension", "remove", "201"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("no extension 201"),
        "{}",
        stderr(&again)
    );
}

#[test]
fn list_shows_registered_phones_and_remove_drops_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    ok(data, &["extension", "add", "201", "--name", "Alice"]);
    let far_future = 4_000_000_000;
    {
        let store = store::Store::open(data).expect("open store");
        store
            .upsert_binding(&store::Binding {
                extension: "201".into(),
                contact: "sip:201@192.0.2.20:5062".into(),
                instance: None,
                transport: store::Transport::Udp,
                source: "192.0.2.20:5062".parse().expect("addr"),
                user_agent: Some("DeskPhone 2".into()),
                expires_at: far_future,
                call_id: "reg1".into(),
                cseq: 7,
                updated_at: 1_700_000_000,
            })
            .expect("binding");
    }
    let list = json(data, &["extension", "list", "--json"]);
    let devices = list[0]["devices"].as_array().expect("devices");
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0]["contact"], "sip:201@192.0.2.20:5062");
    assert_eq!(devices[0]["expires_at"], far_future);
    let human = ok(data, &["extension", "list"]);
    assert!(human.contains("sip:201@192.0.2.20:5062"), "{human}");
    assert!(human.contains("DeskPhone 2"), "{human}");

    ok(data, &["extension", "remove", "201"]);
    let store = store::Store::open(data).expect("reopen store");
    assert!(store.load_live_bindings(0).expect("load").is_empty());
}

#[test]
fn the_human_output_says_how_to_set_up_a_phone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = ok(dir.path(), &["extension", "add", "305", "--name", "Carol"]);
    let json_free_password = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("Password:"))
        .map(str::trim)
        .expect("password line");
    assert!(json_free_password.len() >= 20, "{out}");
    assert!(out.contains("SIP server"), "{out}");
    assert!(out.contains("305"), "{out}");
}
