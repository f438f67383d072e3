//! An extension's "Encrypted calls: always" is saved by `edit_extension`, listed, kept when
//! an edit leaves it out, and set back to the office rule; a value that is not true or false is refused with the field named.

mod common;

use common::Harness;
use serde_json::json;

fn listed(list: &serde_json::Value, number: &str) -> serde_json::Value {
    list["extensions"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["number"] == number).cloned())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn always_encrypt_is_saved_listed_kept_and_turned_off() {
    let h = Harness::start().await;
    h.add_extension("201", "Alice").await;
    let list = h.ok("list_extensions", json!({})).await;
    assert_eq!(listed(&list, "201")["srtp_required"], false);

    let edited = h
        .ok(
            "edit_extension",
            json!({"number": "201", "name": "Alice", "srtp_required": true}),
        )
        .await;
    assert_eq!(edited["extension"]["srtp_required"], true);
    let stored = h.store().extension("201").expect("query").expect("saved");
    assert!(stored.srtp_required);

    // A rename that does not name it leaves it as it was.
    h.ok(
        "edit_extension",
        json!({"number": "201", "name": "Alice B"}),
    )
    .await;
    let list = h.ok("list_extensions", json!({})).await;
    assert_eq!(listed(&list, "201")["srtp_required"], true);
    assert_eq!(listed(&list, "201")["name"], "Alice B");

    h.ok(
        "edit_extension",
        json!({"number": "201", "name": "Alice B", "srtp_required": false}),
    )
    .await;
    let stored = h.store().extension("201").expect("query").expect("saved");
    assert!(!stored.srtp_required);

    // Not a boolean: refused with the field named (shown next to the select), nothing
    // changed.
    let (code, refused) = h
        .call(
            "edit_extension",
            json!({"number": "201", "name": "Alice C", "srtp_required": "yes"}),
        )
        .await;
    assert!((400..500).contains(&code), "{code} {refused}");
    assert!(
        refused["error"]["fields"]["srtp_required"].is_string(),
        "{refused}"
    );
    let stored = h.store().extension("201").expect("query").expect("saved");
    assert_eq!(stored.name, "Alice B");
    h.stop().await;
}
