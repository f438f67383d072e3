//! A softphone account the PBX refuses (wrong password) is saved, but its registration
//! shows `failed` with the server's reason instead of `registered`.

mod common;

use common::{Harness, PATIENCE};
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_password_shows_failed() {
    std::env::set_var("SWITCHBOARD_PHONE_AUDIO", "file:440:");
    let h = Harness::start().await;
    h.add_extension("201", "Alice").await;
    h.ok(
        "save_phone_account",
        json!({"server": h.sip.to_string(), "transport": "udp", "user": "201",
               "password": "not-the-password"}),
    )
    .await;
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let failed: Value = loop {
        let state = h.ok("get_phone", json!({})).await;
        if state["registration"]["state"] == "failed" {
            break state;
        }
        assert_ne!(state["registration"]["state"], "registered", "{state}");
        assert!(
            tokio::time::Instant::now() < deadline,
            "never failed: {state}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert!(failed["registration"]["reason"].is_string(), "{failed}");
    assert_eq!(failed["account"]["password_set"], true);
    h.stop().await;
}
