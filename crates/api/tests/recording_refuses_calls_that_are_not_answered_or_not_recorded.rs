//! `start_recording` and `stop_recording` over HTTP: a call that does not exist, one still
//! ringing, and one not being recorded are refused on `call_id`, and nothing is written.
//! (Recording an answered call, and the WAV it makes, is tested end to end with real
//! phones in tests/e2e.)

mod common;

use common::{Harness, Phone};
use serde_json::{json, Value};

/// Refused with `status`, the message on `call_id`; returns that message.
async fn refused_on_call_id(h: &Harness, command: &str, request: Value, status: u16) -> String {
    let error = h.refused(command, request.clone(), status).await;
    let message = error["fields"]["call_id"]
        .as_str()
        .unwrap_or_else(|| panic!("{command} {request}: no message for call_id in {error}"));
    assert!(!message.is_empty());
    message.to_owned()
}

fn recordings(h: &Harness) -> usize {
    std::fs::read_dir(h.dir.path().join("recordings")).map_or(0, |d| d.count())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_and_unknown_call_ids_are_refused() {
    let h = Harness::start().await;
    for command in ["start_recording", "stop_recording"] {
        refused_on_call_id(&h, command, json!({"call_id": ""}), 422).await;
        refused_on_call_id(&h, command, json!({"call_id": "  "}), 422).await;
        refused_on_call_id(&h, command, json!({"call_id": "x".repeat(300)}), 422).await;
        refused_on_call_id(&h, command, json!({}), 422).await;
        let m = refused_on_call_id(&h, command, json!({"call_id": "no-such-call@test"}), 404).await;
        assert!(m.contains("no call"), "{command}: {m}");
        // Unknown fields are refused rather than ignored.
        let error = h
            .refused(command, json!({"call_id": "a@b", "channel": 1}), 422)
            .await;
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{error}"
        );
    }
    assert_eq!(recordings(&h), 0);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ringing_call_cannot_be_recorded_nor_stopped() {
    let h = Harness::start().await;
    let alice_pw = h.add_extension("201", "Alice").await;
    let bob_pw = h.add_extension("202", "Bob").await;
    let mut alice = Phone::new(h.sip, "201", &alice_pw).await;
    let mut bob = Phone::new(h.sip, "202", &bob_pw).await;
    assert_eq!(alice.register(300).await, 200);
    assert_eq!(bob.register(300).await, 200);

    let call_id = alice.call("202").await;
    bob.next_request("INVITE").await;
    let live = h.ok("list_live_calls", json!({})).await;
    assert_eq!(live["calls"][0]["call_id"], call_id.as_str());
    assert_eq!(live["calls"][0]["state"], "ringing");

    let m = refused_on_call_id(&h, "start_recording", json!({"call_id": call_id}), 422).await;
    assert!(m.contains("ringing"), "{m}");
    let m = refused_on_call_id(&h, "stop_recording", json!({"call_id": call_id}), 422).await;
    assert!(m.contains("not being recorded"), "{m}");

    // The refusals left the call as it was.
    let live = h.ok("list_live_calls", json!({})).await;
    assert_eq!(live["calls"][0]["state"], "ringing");
    assert_eq!(recordings(&h), 0);
    h.ok("hang_up", json!({"call_id": call_id})).await;
    h.stop().await;
}
