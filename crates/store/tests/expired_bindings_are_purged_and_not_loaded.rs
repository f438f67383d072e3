//! Bindings past their expiry are not handed to the registrar at start and can be deleted;
//! removing an extension removes its bindings.

mod common;

use common::binding;
use store::Store;

const NOW: i64 = 1_700_000_000;

#[test]
fn only_live_bindings_are_loaded_and_purge_deletes_the_rest() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    store
        .create_extension("201", "Alice", "switchboard", NOW)
        .expect("create");
    store
        .upsert_binding(&binding("201", "sip:201@old", NOW - 1))
        .expect("upsert");
    store
        .upsert_binding(&binding("201", "sip:201@edge", NOW))
        .expect("upsert");
    store
        .upsert_binding(&binding("201", "sip:201@live", NOW + 1))
        .expect("upsert");

    let live = store.load_live_bindings(NOW).expect("load");
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].contact, "sip:201@live");

    assert_eq!(store.purge_expired_bindings(NOW).expect("purge"), 2);
    let left: Vec<String> = store
        .bindings("201")
        .expect("list")
        .into_iter()
        .map(|b| b.contact)
        .collect();
    assert_eq!(left, ["sip:201@live"]);
    assert_eq!(store.purge_expired_bindings(NOW).expect("purge again"), 0);
}

#[test]
fn removing_an_extension_removes_its_bindings() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    for n in ["201", "202"] {
        store
            .create_extension(n, "Someone", "switchboard", NOW)
            .expect("create");
        store
            .upsert_binding(&binding(n, &format!("sip:{n}@desk"), NOW + 60))
            .expect("upsert");
    }
    store.remove_extension("201").expect("remove");
    let live = store.load_live_bindings(NOW).expect("load");
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].extension, "202");
    // Re-creating the number does not bring old registrations back.
    store
        .create_extension("201", "New Alice", "switchboard", NOW)
        .expect("recreate");
    assert!(store.bindings("201").expect("list").is_empty());
}

#[test]
fn every_field_of_a_binding_round_trips() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    store
        .create_extension("201", "Alice", "switchboard", NOW)
        .expect("create");
    let mut b = binding("201", "sip:201@[2001:db8::5]:5061;transport=tls", NOW + 600);
    b.instance = Some("<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>".into());
    b.transport = store::Transport::Tls;
    b.source = "[2001:db8::5]:40123".parse().expect("addr");
    b.user_agent = None;
    b.cseq = u32::MAX;
    store.upsert_binding(&b).expect("upsert");
    assert_eq!(store.load_live_bindings(NOW).expect("load"), vec![b]);
}
