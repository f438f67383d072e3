//! A PC that is only a phone ("Connect to my office"): the API serves the phone and the
//! mode, PBX commands answer 409 in words, and the SIP address it was configured with stays
//! free (the PBX was not started).

mod common;

use std::net::{SocketAddr, TcpListener, UdpSocket};

use common::Harness;
use serde_json::json;

/// A loopback port free now, over both UDP and TCP.
fn free_port() -> SocketAddr {
    let udp = UdpSocket::bind("127.0.0.1:0").expect("udp");
    udp.local_addr().expect("addr")
}

#[tokio::test]
async fn pbx_commands_are_refused_and_the_phone_answers() {
    let sip = free_port();
    let h = Harness::start_phone_only(sip).await;

    let error = h.refused("list_extensions", json!({}), 409).await;
    assert_eq!(
        error["message"],
        "this PC connects to an office; the phone system is not running here"
    );
    h.refused("add_extension", json!({"number": "201", "name": "A"}), 409)
        .await;
    h.refused("list_live_calls", json!({}), 409).await;

    let phone = h.ok("get_phone", json!({})).await;
    assert!(phone["account"].is_null(), "{phone}");
    let mode = h.ok("get_app_mode", json!({})).await;
    assert_eq!(
        mode,
        json!({"chosen": true, "phone_only": true, "pbx_running": false})
    );
    let status = h.ok("status", json!({})).await;
    assert_eq!(status["running"], false);
    assert_eq!(status["sip_addresses"], json!([]));

    // Nothing listens where the PBX would have taken SIP.
    UdpSocket::bind(sip).expect("the SIP port over UDP is free");
    TcpListener::bind(sip).expect("the SIP port over TCP is free");
}

#[tokio::test]
async fn switching_back_is_stored_and_announced() {
    let h = Harness::start_phone_only(free_port()).await;
    let mut ws = h.ws().await;
    let mode = h.ok("set_app_mode", json!({"phone_only": false})).await;
    // Stored now; the PBX starts when the program starts again (the desktop app follows
    // the event and starts it at once).
    assert_eq!(
        mode,
        json!({"chosen": true, "phone_only": false, "pbx_running": false})
    );
    assert!(!h.store().phone_only().expect("read"));
    let event = ws.event("app_mode_changed").await;
    assert_eq!(event["phone_only"], false);
}

#[tokio::test]
async fn a_new_install_has_not_chosen_and_its_first_answer_is_announced() {
    let h = Harness::start().await;
    let mode = h.ok("get_app_mode", json!({})).await;
    assert_eq!(
        mode,
        json!({"chosen": false, "phone_only": false, "pbx_running": true})
    );
    let mut ws = h.ws().await;
    // The answer equals what an unasked install runs, yet it is news: a desktop app waiting
    // for it starts its PBX.
    let mode = h.ok("set_app_mode", json!({"phone_only": false})).await;
    assert_eq!(mode["chosen"], true);
    let event = ws.event("app_mode_changed").await;
    assert_eq!(event["phone_only"], false);
}
