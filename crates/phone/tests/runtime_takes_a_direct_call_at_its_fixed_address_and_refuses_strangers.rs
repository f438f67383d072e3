//! A phone that does not register and takes SIP on a fixed address (`PhoneOptions::listen`,
//! `switchboard phone --no-register --listen`) is called straight by the other phone it
//! names as its server: the INVITE sent to the address it reports rings (180, then the
//! call shows as incoming), and one from any other address is refused with 403 and never
//! rings.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use phone::audio::{FileBackend, FileSource};
use phone::runtime::{Phone, PhoneEvent, PhoneOptions};
use phone::ua::Account;
use tokio::net::UdpSocket;
use tokio::time::timeout;

const WAIT: Duration = Duration::from_secs(8);

fn invite(from: SocketAddr, to: SocketAddr, call_id: &str) -> String {
    let sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
               m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n";
    format!(
        "INVITE sip:alice@{to} SIP/2.0\r\nVia: SIP/2.0/UDP {from};branch=z9hG4bK{call_id}\r\n\
         Max-Forwards: 70\r\nFrom: \"Bob\" <sip:bob@{from}>;tag=b1\r\nTo: <sip:alice@{to}>\r\n\
         Call-ID: {call_id}@test\r\nCSeq: 1 INVITE\r\nContact: <sip:bob@{from}>\r\n\
         Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    )
}

/// The status line of the next final or ringing response `socket` receives.
async fn status(socket: &UdpSocket) -> String {
    let mut buf = vec![0u8; 65_536];
    loop {
        let (n, _) = timeout(WAIT, socket.recv_from(&mut buf))
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

#[tokio::test]
async fn the_peer_rings_the_phone_at_its_address_and_a_stranger_is_refused() {
    let peer = UdpSocket::bind("127.0.0.1:0").await.expect("peer");
    let stranger = UdpSocket::bind("127.0.0.2:0").await.expect("stranger");
    let account = Account {
        server: peer.local_addr().expect("peer address"),
        transport: sip::Transport::Udp,
        domain: None,
        user: "alice".into(),
        auth_user: None,
        password: String::new(),
        display_name: None,
        expires: 300,
    };
    let options = PhoneOptions {
        register: false,
        listen: Some("127.0.0.1:0".parse().expect("addr")),
        ..PhoneOptions::default()
    };
    let audio = Arc::new(FileBackend::new(FileSource::Silence, None, 8000));
    let phone = Phone::start_with(account, audio, options)
        .await
        .expect("phone starts");
    let mut events = phone.subscribe();
    let at = phone.sip_addr();
    assert_eq!(at.ip().to_string(), "127.0.0.1");
    assert_ne!(at.port(), 0, "a real port is reported");

    let me = stranger.local_addr().expect("stranger address");
    stranger
        .send_to(invite(me, at, "scan1").as_bytes(), at)
        .await
        .expect("send");
    assert_eq!(status(&stranger).await, "SIP/2.0 403 Forbidden");

    let me = peer.local_addr().expect("peer address");
    peer.send_to(invite(me, at, "call1").as_bytes(), at)
        .await
        .expect("send");
    assert_eq!(status(&peer).await, "SIP/2.0 180 Ringing");
    let caller = loop {
        let event = timeout(WAIT, events.recv())
            .await
            .expect("an event in time")
            .expect("events");
        match event {
            PhoneEvent::Incoming { caller, .. } => break caller,
            PhoneEvent::Registration(r) => panic!("a phone calling directly registered: {r:?}"),
            _ => {}
        }
    };
    assert_eq!(caller.number, "bob");
    assert_eq!(caller.name.as_deref(), Some("Bob"));
    phone.shutdown().await.expect("shutdown");
}
