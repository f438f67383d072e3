//! The owner's allow-list over HTTP: entries are saved in the PBX's own notation and read
//! back; a bad entry is refused on its own field and nothing of the list is saved; this
//! computer's addresses are listed apart, always allowed.

mod common;

use common::Harness;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_allow_list_is_saved_checked_per_entry_and_read_back() {
    let h = Harness::start().await;
    let empty = h.ok("get_allow_list", json!({})).await;
    assert_eq!(empty["entries"], json!([]));
    let own = empty["this_computer"].as_array().expect("a list");
    assert!(own.contains(&json!("127.0.0.1")), "{empty}");
    assert!(own.contains(&json!("::1")), "{empty}");
    let mut distinct = own.clone();
    distinct.sort_by_key(ToString::to_string);
    distinct.dedup();
    assert_eq!(distinct.len(), own.len(), "each address once: {empty}");

    let saved = h
        .ok(
            "set_allow_list",
            json!({"entries": [" 192.168.1.77/24 ", "2001:db8::1", "", "[2001:db8::2]", "2001:db8::1"]}),
        )
        .await;
    assert_eq!(
        saved["entries"],
        json!(["192.168.1.0/24", "2001:db8::1", "2001:db8::2"])
    );
    assert_eq!(
        h.store().guard_allow_list().expect("read"),
        vec!["192.168.1.0/24", "2001:db8::1", "2001:db8::2"]
    );

    let error = h
        .refused(
            "set_allow_list",
            json!({"entries": ["10.0.0.0/8", "pbx.example.com", "203.0.113.5:5060", "10.0.0.0/40"]}),
            422,
        )
        .await;
    for field in ["entries.1", "entries.2", "entries.3"] {
        assert_eq!(
            error["fields"][field], "not an address or network",
            "{field}: {error}"
        );
    }
    assert!(error["fields"]["entries.0"].is_null(), "{error}");
    let after = h.ok("get_allow_list", json!({})).await;
    assert_eq!(
        after["entries"], saved["entries"],
        "a refused list changed nothing"
    );

    let cleared = h.ok("set_allow_list", json!({"entries": []})).await;
    assert_eq!(cleared["entries"], json!([]));
    h.stop().await;
}
