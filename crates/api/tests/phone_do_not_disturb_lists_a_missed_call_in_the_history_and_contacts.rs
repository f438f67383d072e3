//! The app's softphone features over HTTP against a real PBX: the PBX's other extensions
//! are offered as contacts; with do-not-disturb on a call from a desk phone is refused
//! and listed as a missed call, counted in `missed` until marked seen; a dialled call is
//! listed as outgoing; transfers of calls that do not exist, or to nobody, are refused on
//! their fields.

mod common;

use common::{Harness, Phone, PATIENCE};
use serde_json::{json, Value};

async fn until(h: &Harness, command: &str, what: &str, ok: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let state = h.ok(command, json!({})).await;
        if ok(&state) {
            return state;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "gave up waiting for {what}: {state}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn do_not_disturb_refuses_and_the_history_remembers() {
    std::env::set_var("SWITCHBOARD_PHONE_AUDIO", "file:440:");
    let h = Harness::start().await;
    let password = h.add_extension("201", "Alice").await;
    let bob_password = h.add_extension("202", "Bob").await;
    let carol_password = h.add_extension("203", "Carol").await;
    h.ok(
        "save_phone_account",
        json!({"server": h.sip.to_string(), "transport": "udp", "user": "201",
               "password": password}),
    )
    .await;
    until(&h, "get_phone", "registered", |s| {
        s["registration"]["state"] == "registered"
    })
    .await;

    let contacts = h.ok("phone_contacts", json!({})).await;
    assert_eq!(
        contacts["contacts"],
        json!([
            {"number": "202", "name": "Bob", "source": "extension"},
            {"number": "203", "name": "Carol", "source": "extension"},
        ])
    );

    let on = h.ok("phone_set_dnd", json!({"on": true})).await;
    assert_eq!(on["dnd"], true);
    assert_eq!(on["missed"], 0);
    let mut bob = Phone::new(h.sip, "202", &bob_password).await;
    assert_eq!(bob.register(300).await, 200);
    bob.call("201").await;
    let missed = until(&h, "get_phone", "a missed call", |s| s["missed"] == 1).await;
    assert!(
        missed["calls"].as_array().is_some_and(|c| c.is_empty()),
        "a refused call never rang: {missed}"
    );
    let history = h.ok("phone_history", json!({})).await;
    let first = &history["calls"][0];
    assert_eq!(first["kind"], "missed", "{history}");
    assert_eq!(first["number"], "202");
    assert_eq!(first["unseen"], true);

    let seen = h.ok("phone_mark_missed_seen", json!({})).await;
    assert_eq!(seen["missed"], 0);
    let off = h.ok("phone_set_dnd", json!({"on": false})).await;
    assert_eq!(off["dnd"], false);

    let mut carol = Phone::new(h.sip, "203", &carol_password).await;
    assert_eq!(carol.register(300).await, 200);
    let call = h.ok("phone_dial", json!({"number": "203"})).await;
    carol.next_request("INVITE").await;
    let id = call["id"].clone();
    let unknown = h
        .refused("phone_transfer", json!({"call": 999, "to": "202"}), 404)
        .await;
    assert!(unknown["fields"]["call"].is_string(), "{unknown}");
    let nobody = h
        .refused("phone_transfer", json!({"call": id, "to": " "}), 422)
        .await;
    assert!(nobody["fields"]["to"].is_string(), "{nobody}");
    // Not answered yet: nothing to transfer.
    let early = h
        .refused("phone_transfer", json!({"call": id, "to": "202"}), 422)
        .await;
    assert!(early["fields"]["call"].is_string(), "{early}");
    let consult = h
        .refused(
            "phone_complete_transfer",
            json!({"call": id, "consult": 998}),
            404,
        )
        .await;
    assert!(consult["fields"]["consult"].is_string(), "{consult}");
    h.ok("phone_hang_up", json!({"call": id})).await;
    let history = until(&h, "phone_history", "the dialled call", |s| {
        s["calls"].as_array().is_some_and(|c| c.len() == 2)
    })
    .await;
    assert_eq!(history["calls"][0]["kind"], "out", "{history}");
    assert_eq!(history["calls"][0]["number"], "203");
    assert_eq!(history["calls"][0]["duration_s"], 0);
    assert_eq!(history["calls"][1]["unseen"], false);
    h.stop().await;
}
