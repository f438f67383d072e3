//! Over HTTP: a phone account for direct calls with one other phone (no PBX) is saved with
//! the other phone's `host:port` and the port this PC takes calls on, comes back as saved,
//! and starts the app's phone listening there: a number dialled goes to the other phone,
//! the other phone's INVITE rings (180), one
//! from any other address is refused (403). A missing or out-of-range port, a port already
//! taken and a peer that is not `host:port` are each refused on their field (and direct calls
//! while encrypted audio is set to always, on the choice), and nothing of a refused save is kept.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::{Harness, PATIENCE};
use serde_json::{json, Value};
use tokio::net::UdpSocket;
use tokio::time::timeout;

fn invite(from: SocketAddr, to: SocketAddr, call_id: &str) -> String {
    let sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
               m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n";
    format!(
        "INVITE sip:switchboard@{to} SIP/2.0\r\nVia: SIP/2.0/UDP {from};branch=z9hG4bK{call_id}\r\n\
         Max-Forwards: 70\r\nFrom: \"Bob\" <sip:bob@{from}>;tag=b1\r\nTo: <sip:switchboard@{to}>\r\n\
         Call-ID: {call_id}@test\r\nCSeq: 1 INVITE\r\nContact: <sip:bob@{from}>\r\n\
         Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    )
}

/// The status line of the next response `socket` receives other than 100 Trying.
async fn status(socket: &UdpSocket) -> String {
    let mut buf = vec![0u8; 65_536];
    loop {
        let (n, _) = timeout(PATIENCE, socket.recv_from(&mut buf))
            .await
            .expect("an answer in time")
            .expect("recv");
        let text = String::from_utf8_lossy(&buf[..n]).into_owned();
        if let Some(line) = text.lines().next().filter(|l| l.starts_with("SIP/2.0 ")) {
            if !line.starts_with("SIP/2.0 100") {
                return line.to_owned();
            }
        }
    }
}

/// A UDP port free right now.
fn free_port() -> u16 {
    std::net::UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| s.local_addr())
        .expect("a free port")
        .port()
}

fn field(error: &Value, name: &str) -> String {
    error["fields"][name]
        .as_str()
        .unwrap_or_else(|| panic!("no message on {name}: {error}"))
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_direct_account_round_trips_rings_for_its_peer_and_refuses_bad_input() {
    std::env::set_var("SWITCHBOARD_PHONE_AUDIO", "file:440:");
    let h = Harness::start().await;
    let peer = UdpSocket::bind("127.0.0.1:0").await.expect("peer");
    let stranger = UdpSocket::bind("127.0.0.2:0").await.expect("stranger");
    let peer_addr = peer.local_addr().expect("peer address");
    let port = free_port();

    // Refusals, one field each; nothing is saved by any of them.
    let direct = |server: String, port: Value| json!({"mode": "direct", "server": server, "transport": "udp", "direct_port": port});
    let no_port = h
        .refused(
            "save_phone_account",
            json!({"mode": "direct", "server": peer_addr.to_string(), "transport": "udp"}),
            422,
        )
        .await;
    assert_eq!(field(&no_port, "direct_port"), "required");
    for out_of_range in [json!(0), json!(65536), json!(-5)] {
        let e = h
            .refused(
                "save_phone_account",
                direct(peer_addr.to_string(), out_of_range),
                422,
            )
            .await;
        assert!(field(&e, "direct_port").contains("1 to 65535"), "{e}");
    }
    let held = std::net::UdpSocket::bind("0.0.0.0:0").expect("a port to hold");
    let taken = held.local_addr().expect("held").port();
    let e = h
        .refused(
            "save_phone_account",
            direct(peer_addr.to_string(), json!(taken)),
            422,
        )
        .await;
    assert!(field(&e, "direct_port").contains("already in use"), "{e}");
    drop(held);
    for not_host_port in ["127.0.0.1", "bob", "127.0.0.1:0", ":5060"] {
        let e = h
            .refused(
                "save_phone_account",
                direct(not_host_port.to_owned(), json!(port)),
                422,
            )
            .await;
        assert_eq!(field(&e, "server"), "must be host:port", "{not_host_port}");
    }
    // Encrypted audio set to always conflicts with direct calls (plain UDP): said on the
    // choice itself, since a direct account has no transport field to show it by.
    let mut sound = h.store().phone_sound().expect("read");
    let before = sound.srtp;
    sound.srtp = store::PhoneSrtp::Required;
    h.store().save_phone_sound(&sound).expect("save");
    let e = h
        .refused(
            "save_phone_account",
            direct(peer_addr.to_string(), json!(port)),
            422,
        )
        .await;
    assert!(
        field(&e, "mode").contains("direct calls are plain UDP"),
        "{e}"
    );
    sound.srtp = before;
    h.store().save_phone_sound(&sound).expect("save");
    assert_eq!(h.store().phone_account().expect("read"), None);
    let state = h.ok("get_phone", json!({})).await;
    assert!(state["account"].is_null(), "{state}");
    assert!(state["direct"].is_null(), "{state}");

    // The round trip.
    let saved = h
        .ok(
            "save_phone_account",
            direct(peer_addr.to_string(), json!(port)),
        )
        .await;
    assert_eq!(saved["account"]["server"], peer_addr.to_string(), "{saved}");
    assert_eq!(saved["account"]["direct_port"], port, "{saved}");
    assert_eq!(saved["account"]["transport"], "udp", "{saved}");
    assert_eq!(
        saved["direct"],
        json!({"port": port, "peer": peer_addr.to_string()}),
        "{saved}"
    );
    assert_ne!(saved["registration"]["state"], "registering", "{saved}");
    let stored = h.store().phone_account().expect("read").expect("saved");
    assert_eq!(stored.direct_port, Some(port));
    assert_eq!(stored.server, peer_addr.to_string());

    // A bad save afterwards keeps the saved account as it was.
    h.refused(
        "save_phone_account",
        direct(peer_addr.to_string(), json!(70000)),
        422,
    )
    .await;
    assert_eq!(h.store().phone_account().expect("read"), Some(stored));

    // A number dialled goes to the peer, from the port the phone takes calls on.
    h.ok("phone_dial", json!({"number": "100"})).await;
    let mut buf = vec![0u8; 65_536];
    let (n, from) = timeout(PATIENCE, peer.recv_from(&mut buf))
        .await
        .expect("the INVITE in time")
        .expect("recv");
    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
    assert!(text.starts_with("INVITE sip:100@"), "{text}");
    assert_eq!(from.port(), port, "{text}");
    let call = h.ok("get_phone", json!({})).await["calls"][0]["id"].clone();
    h.ok("phone_hang_up", json!({"call": call})).await;

    // The running phone takes the peer's call at the port and refuses a stranger's.
    let at: SocketAddr = ([127, 0, 0, 1], port).into();
    let me = stranger.local_addr().expect("stranger address");
    stranger
        .send_to(invite(me, at, "scan1").as_bytes(), at)
        .await
        .expect("send");
    assert_eq!(status(&stranger).await, "SIP/2.0 403 Forbidden");
    peer.send_to(invite(peer_addr, at, "call1").as_bytes(), at)
        .await
        .expect("send");
    assert_eq!(status(&peer).await, "SIP/2.0 180 Ringing");
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let state = h.ok("get_phone", json!({})).await;
        let calls = state["calls"].as_array().cloned().unwrap_or_default();
        if let Some(call) = calls.iter().find(|c| c["state"] == "ringing") {
            assert_eq!(call["number"], "bob", "{state}");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the peer's call never showed: {state}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    h.stop().await;
}
