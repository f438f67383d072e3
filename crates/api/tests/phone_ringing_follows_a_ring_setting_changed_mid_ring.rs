//! Over HTTP against a real PBX: a call ringing the app's phone rings on the file device's
//! speaker; choosing "nowhere" while it rings stops the ringing at once (the device is
//! closed, so its recording is finished) though the call still rings on the screen, and
//! choosing the speaker again starts it again.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Harness, Phone, PATIENCE};
use serde_json::{json, Value};

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
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The data size a WAV file's header gives: 0 while its device still writes it (the
/// header is only completed when the device closes), `None` before it exists.
fn finished_size(path: &Path) -> Option<u32> {
    let bytes = std::fs::read(path).ok()?;
    let at = bytes.windows(4).position(|w| w == b"data")?;
    let size = bytes.get(at + 4..at + 8)?;
    Some(u32::from_le_bytes(size.try_into().ok()?))
}

async fn until_file(path: &Path, what: &str, ok: impl Fn(Option<u32>) -> bool) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while !ok(finished_size(path)) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "gave up waiting for {what}: {:?}",
            finished_size(path)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn ringing(state: &Value) -> bool {
    state["calls"]
        .as_array()
        .is_some_and(|c| c.iter().any(|c| c["state"] == "ringing"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ringing_stops_and_starts_again_as_its_setting_changes() {
    let dir = tempfile::tempdir().expect("dir");
    let heard = dir.path().join("speaker.wav");
    std::env::set_var(
        "SWITCHBOARD_PHONE_AUDIO",
        format!("file:440:{}", heard.display()),
    );
    let h = Harness::start().await;
    let password = h.add_extension("201", "Alice").await;
    let bob_password = h.add_extension("202", "Bob").await;
    h.ok(
        "save_phone_account",
        json!({"server": h.sip.to_string(), "transport": "udp", "user": "201",
               "password": password}),
    )
    .await;
    phone_until(&h, "registered", |s| {
        s["registration"]["state"] == "registered"
    })
    .await;

    let mut bob = Phone::new(h.sip, "202", &bob_password).await;
    assert_eq!(bob.register(300).await, 200);
    bob.call("201").await;
    phone_until(&h, "the call to ring", ringing).await;
    until_file(&heard, "the speaker to ring", |size| size == Some(0)).await;

    // Nowhere, mid-ring: the speaker is closed (its recording finished), the call rings on.
    h.ok("phone_set_sound", json!({"ring": "none"})).await;
    until_file(&heard, "the ringing to stop", |size| {
        size.is_some_and(|s| s > 0)
    })
    .await;
    assert!(
        ringing(&h.ok("get_phone", json!({})).await),
        "still ringing"
    );

    // The speaker again: the ringing starts again on it (a new recording).
    h.ok("phone_set_sound", json!({"ring": "speaker"})).await;
    until_file(&heard, "the ringing to start again", |size| size == Some(0)).await;
    h.stop().await;
}
