//! The office's public address for staff outside the office: saved and read back,
//! refused when malformed, and discovered with a STUN server the test runs itself.

mod common;

use common::Harness;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_public_address_is_saved_and_read_back() {
    let h = Harness::start().await;
    let empty = h.ok("get_remote_access", json!({})).await;
    assert_eq!(empty["settings"]["public_address"], json!(null));
    assert_eq!(empty["advertised_ip"], json!(null));

    let saved = h
        .ok(
            "save_remote_access",
            json!({"public_address": " 203.0.113.7 ", "stun_server": "127.0.0.1:3478"}),
        )
        .await;
    assert_eq!(saved["settings"]["public_address"], "203.0.113.7");
    assert_eq!(saved["advertised_ip"], "203.0.113.7");
    let stored = h.store().remote_access().expect("read");
    assert_eq!(stored.public_address.as_deref(), Some("203.0.113.7"));
    assert_eq!(stored.stun_server.as_deref(), Some("127.0.0.1:3478"));

    // An empty field clears it.
    let cleared = h
        .ok(
            "save_remote_access",
            json!({"public_address": "", "stun_server": null}),
        )
        .await;
    assert_eq!(cleared["settings"]["public_address"], json!(null));
    assert_eq!(
        h.store().remote_access().expect("read").public_address,
        None
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_address_is_refused_by_field() {
    let h = Harness::start().await;
    let refused = h
        .refused(
            "save_remote_access",
            json!({"public_address": "office.example.com:5060", "stun_server": "stun"}),
            422,
        )
        .await;
    let text = refused.to_string();
    assert!(text.contains("public_address"), "{text}");
    assert!(text.contains("stun_server"), "{text}");
    assert_eq!(
        h.store().remote_access().expect("read").public_address,
        None
    );
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discover_asks_the_stun_server_and_reports_what_it_saw() {
    let h = Harness::start().await;
    let server = tokio::net::UdpSocket::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = server.local_addr().expect("addr");
    tokio::spawn(async move {
        let mut buf = [0u8; 1500];
        let (len, from) = server.recv_from(&mut buf).await.expect("recv");
        let id = engine::stun::read_binding_request(&buf[..len]).expect("a binding request");
        let seen = "198.51.100.77:40000".parse().expect("addr");
        let answer = engine::stun::binding_success(&id, seen);
        server.send_to(&answer, from).await.expect("send");
    });
    let found = h
        .ok(
            "discover_public_address",
            json!({"stun_server": addr.to_string()}),
        )
        .await;
    assert_eq!(found["public_address"], "198.51.100.77");
    assert_eq!(found["stun_server"], addr.to_string());
    h.stop().await;
}
