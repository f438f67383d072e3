//! Over HTTP: the Phone page's sound settings start with every voice processing switch on
//! and ringing on the speaker; a change is saved (switches and ring choice), answered back,
//! and still there when the API starts again on the same data folder. A ringing device
//! that is not one of the phone's outputs is refused by field.

mod common;

use common::Harness;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sound_settings_are_saved_and_read_back_after_a_restart() {
    std::env::set_var("SWITCHBOARD_PHONE_AUDIO", "file:440:");
    let mut h = Harness::start().await;
    let before = h.ok("phone_sound", json!({})).await;
    assert_eq!(
        before,
        json!({"echo_cancellation": true, "noise_suppression": true, "auto_gain": true,
               "ring": "speaker", "ring_device": null})
    );

    let after = h
        .ok(
            "phone_set_sound",
            json!({"echo_cancellation": false, "auto_gain": false, "ring": "none"}),
        )
        .await;
    let wanted = json!({"echo_cancellation": false, "noise_suppression": true,
                        "auto_gain": false, "ring": "none", "ring_device": null});
    assert_eq!(after, wanted);
    let stored = h.store().phone_sound().expect("sound");
    assert!(!stored.echo_cancellation && stored.noise_suppression && !stored.auto_gain);
    assert_eq!(stored.ring, store::RingOn::Silent);

    // The file device's one output can be the ringing device; a name it lacks cannot.
    let outputs = h.ok("get_phone", json!({})).await["audio"]["outputs"].clone();
    let output = outputs[0].as_str().expect("an output").to_owned();
    let on_device = h
        .ok(
            "phone_set_sound",
            json!({"ring": "device", "ring_device": output}),
        )
        .await;
    assert_eq!(on_device["ring"], "device");
    assert_eq!(on_device["ring_device"], output.as_str());
    assert_eq!(on_device["echo_cancellation"], false, "{on_device}");
    let refused = h
        .refused(
            "phone_set_sound",
            json!({"ring": "device", "ring_device": "No Such Speaker"}),
            422,
        )
        .await;
    assert!(refused.to_string().contains("ring_device"), "{refused}");

    // The API stops and starts again on the same data folder (the app restarted).
    h.restart_api().await;
    let reloaded = h.ok("phone_sound", json!({})).await;
    assert_eq!(reloaded, on_device);
    h.stop().await;
}
