//! Over HTTP: the SRTP rules start as "not required, keys over TLS only", are saved (into
//! the database the PBX reads at start) and read back; an unknown choice is refused.

mod common;

use common::Harness;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn srtp_settings_are_saved_and_read_back() {
    let h = Harness::start().await;
    let before = h.ok("get_srtp_settings", json!({})).await;
    assert_eq!(
        before,
        json!({"required": "off", "keys_over_plain_signalling": false})
    );

    let wanted = json!({"required": "remote", "keys_over_plain_signalling": true});
    assert_eq!(h.ok("save_srtp_settings", wanted.clone()).await, wanted);
    assert_eq!(h.ok("get_srtp_settings", json!({})).await, wanted);
    let stored = h.store().srtp_settings().expect("srtp settings");
    assert_eq!(stored.required, store::SrtpRequired::Remote);
    assert!(stored.keys_over_plain_signalling);

    let refused = h
        .refused(
            "save_srtp_settings",
            json!({"required": "sometimes", "keys_over_plain_signalling": false}),
            422,
        )
        .await;
    assert!(refused.to_string().contains("required"), "{refused}");
}
