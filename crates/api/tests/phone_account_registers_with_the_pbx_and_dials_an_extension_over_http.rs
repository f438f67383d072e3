//! The app's softphone over HTTP against a real PBX: not set up at first; a bad server or
//! user is refused per field; a saved account for one of the PBX's extensions registers
//! and its password is never returned; it dials another extension, which rings (a simple
//! UA registered for it receives the INVITE), is muted, is hung up and stays listed as
//! ended; a call from that UA is announced as `phone_incoming`, rings and is declined; calls
//! it does not have are refused on the `call` field; removing the account turns it off.

mod common;

use common::{Harness, Phone, PATIENCE};
use serde_json::{json, Value};

/// Re-reads `get_phone` until `ok` holds.
async fn phone_until(h: &Harness, what: &str, ok: impl Fn(&Value) -> bool) -> Value {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let state = h.ok("get_phone", json!({})).await;
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
async fn the_phone_registers_dials_and_hangs_up() {
    // Files instead of sound cards: a 440 Hz microphone, a speaker that plays nowhere.
    std::env::set_var("SWITCHBOARD_PHONE_AUDIO", "file:440:");
    let h = Harness::start().await;
    let password = h.add_extension("201", "Alice").await;
    let bob_password = h.add_extension("202", "Bob").await;
    let mut ws = h.ws().await;

    let empty = h.ok("get_phone", json!({})).await;
    assert_eq!(empty["account"], Value::Null);
    assert_eq!(empty["registration"]["state"], "off");
    assert_eq!(empty["audio"]["available"], true, "{empty}");

    let refused = h
        .refused(
            "save_phone_account",
            json!({"server": "no-port", "transport": "udp", "user": " "}),
            422,
        )
        .await;
    assert_eq!(
        refused["fields"]["server"], "must be host:port",
        "{refused}"
    );
    assert!(refused["fields"]["user"].is_string(), "{refused}");
    assert!(h.store().phone_account().expect("read").is_none());

    let saved = h
        .ok(
            "save_phone_account",
            json!({"server": h.sip.to_string(), "transport": "udp", "user": "201",
                   "display_name": "Alice", "password": password}),
        )
        .await;
    assert!(!saved.to_string().contains(&password), "{saved}");
    assert_eq!(saved["account"]["password_set"], true);
    assert_eq!(saved["account"]["user"], "201");
    ws.event("phone_changed").await;
    let registered = phone_until(&h, "registered", |s| {
        s["registration"]["state"] == "registered"
    })
    .await;
    assert!(!registered.to_string().contains(&password));

    // Saved again without a password: the stored one is kept and it registers again.
    h.ok(
        "save_phone_account",
        json!({"server": h.sip.to_string(), "transport": "udp", "user": "201"}),
    )
    .await;
    phone_until(&h, "registered again", |s| {
        s["registration"]["state"] == "registered"
    })
    .await;
    assert_eq!(
        h.store().phone_account().expect("read").map(|a| a.password),
        Some(password.clone())
    );

    h.refused("phone_dial", json!({"number": ""}), 422).await;
    let unknown = h
        .refused("phone_mute", json!({"call": 999, "on": true}), 404)
        .await;
    assert!(unknown["fields"]["call"].is_string(), "{unknown}");

    let mut bob = Phone::new(h.sip, "202", &bob_password).await;
    assert_eq!(bob.register(300).await, 200);
    let call = h.ok("phone_dial", json!({"number": "202"})).await;
    assert_eq!(call["direction"], "out");
    assert_eq!(call["number"], "202");
    assert_eq!(call["state"], "calling");
    let invite = bob.next_request("INVITE").await;
    assert!(invite.contains("sip:202@"), "{invite}");
    let id = call["id"].clone();
    let muted = h.ok("phone_mute", json!({"call": id, "on": true})).await;
    assert_eq!(muted["calls"][0]["muted"], true, "{muted}");

    h.ok("phone_hang_up", json!({"call": id})).await;
    let ended = phone_until(&h, "the call ended", |s| s["calls"][0]["state"] == "ended").await;
    assert!(ended["calls"][0]["ended_reason"].is_string(), "{ended}");

    // Bob calls the softphone: the screens are told, it rings, and is declined.
    bob.call("201").await;
    let incoming = ws.event("phone_incoming").await;
    assert_eq!(incoming["number"], "202", "{incoming}");
    let ringing = phone_until(&h, "the incoming call", |s| {
        s["calls"]
            .as_array()
            .is_some_and(|c| c.iter().any(|c| c["state"] == "ringing"))
    })
    .await;
    let call = ringing["calls"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["state"] == "ringing"))
        .cloned()
        .expect("a ringing call");
    assert_eq!(call["direction"], "in");
    assert_eq!(call["id"], incoming["call"]);
    h.ok("phone_decline", json!({"call": call["id"]})).await;
    phone_until(&h, "the incoming call ended", |s| {
        s["calls"]
            .as_array()
            .is_some_and(|c| c.iter().all(|c| c["state"] == "ended"))
    })
    .await;

    let removed = h.ok("remove_phone_account", json!({})).await;
    assert_eq!(removed["account"], Value::Null);
    assert_eq!(removed["registration"]["state"], "off");
    h.refused("phone_dial", json!({"number": "202"}), 422).await;
    h.stop().await;
}
