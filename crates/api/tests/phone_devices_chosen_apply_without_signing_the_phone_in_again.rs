//! Choosing the phone's microphone and speaker saves them and leaves the registered phone
//! as it is: the choice is read each time a call opens its devices, so the phone is not
//! restarted (its registration never drops back to `registering`), and a device it does
//! not have is refused by field.

mod common;

use common::Harness;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_are_saved_without_restarting_the_phone() {
    std::env::set_var("SWITCHBOARD_PHONE_AUDIO", "file:440:");
    let h = Harness::start().await;
    let password = h.add_extension("201", "Alice").await;
    h.ok(
        "save_phone_account",
        json!({"server": h.sip.to_string(), "transport": "udp", "user": "201",
               "password": password}),
    )
    .await;
    let state = h.phone_registered().await;
    let input = state["audio"]["inputs"][0]
        .as_str()
        .expect("an input")
        .to_owned();
    let output = state["audio"]["outputs"][0]
        .as_str()
        .expect("an output")
        .to_owned();

    let chosen = h
        .ok(
            "set_audio_devices",
            json!({"input": input, "output": output}),
        )
        .await;
    assert_eq!(chosen["audio"]["input"], input.as_str());
    assert_eq!(chosen["audio"]["output"], output.as_str());
    assert_eq!(
        chosen["registration"]["state"], "registered",
        "the phone was signed in again: {chosen}"
    );
    let stored = h.store().phone_audio().expect("devices");
    assert_eq!(stored.input.as_deref(), Some(input.as_str()));
    assert_eq!(stored.output.as_deref(), Some(output.as_str()));

    let refused = h
        .refused(
            "set_audio_devices",
            json!({"input": "No Such Microphone", "output": null}),
            422,
        )
        .await;
    assert!(refused["fields"]["input"].is_string(), "{refused}");
    h.stop().await;
}
