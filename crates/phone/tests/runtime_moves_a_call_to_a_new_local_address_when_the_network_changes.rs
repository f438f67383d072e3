//! The runtime against a scripted server on loopback while the phone's network changes
//! mid-call (its address towards the server goes from 127.0.0.2 to 127.0.0.3): it
//! registers from the new address, re-INVITEs with the new address in its offer, sends
//! the microphone's tone from there to the address the server's answer names, and hears
//! what is sent to its new address, all without the call ending.

mod scripted_sip;
use scripted_sip::*;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use media::codec::ulaw_decode;
use media::tone::detect_tone;
use phone::audio::{FileBackend, FileSource};
use phone::runtime::{LocalIp, Phone, PhoneEvent, PhoneOptions};
use phone::ua::{Account, RegistrationEvent};
use tokio::net::UdpSocket;
use tokio::time::timeout;

const WIFI: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
const TETHERING: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 3));

fn server_sdp(port: u16) -> String {
    format!(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=audio {port} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n"
    )
}

/// The `c=` address and `m=audio` port of an SDP body inside a SIP message.
fn sdp_address(msg: &str) -> Option<SocketAddr> {
    let ip = msg
        .lines()
        .find_map(|l| l.strip_prefix("c=IN IP4 "))?
        .trim()
        .parse()
        .ok()?;
    let port = msg
        .lines()
        .find_map(|l| l.strip_prefix("m=audio "))?
        .split(' ')
        .next()?
        .parse()
        .ok()?;
    Some(SocketAddr::new(ip, port))
}

/// 100 ms of PCMU audio received from `from` on `rtp`, decoded (RTP from elsewhere is
/// left aside).
async fn audio_from(rtp: &UdpSocket, from: SocketAddr) -> Vec<i16> {
    let mut buf = [0u8; 2048];
    let mut samples = Vec::new();
    let collect = async {
        while samples.len() < 800 {
            let (n, source) = rtp.recv_from(&mut buf).await.unwrap();
            if source != from || n <= 12 || buf[1] & 0x7f != 0 {
                continue;
            }
            samples.extend(buf[12..n].iter().map(|&b| ulaw_decode(b)));
        }
    };
    timeout(WAIT, collect)
        .await
        .unwrap_or_else(|_| panic!("RTP from {from} in time"));
    samples
}

#[tokio::test]
async fn a_call_moves_to_the_new_address_and_keeps_its_audio() {
    let server = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let rtp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let audio = Arc::new(FileBackend::new(FileSource::Tone(1000.0), None, 8000));
    let account = Account {
        server: server.local_addr().unwrap(),
        transport: sip::Transport::Udp,
        domain: None,
        user: "202".into(),
        auth_user: None,
        password: "secret".into(),
        display_name: None,
        expires: 300,
    };
    let network = Arc::new(Mutex::new(WIFI));
    let route = Arc::clone(&network);
    let local_ip: LocalIp = Arc::new(move |_| Ok(*route.lock().unwrap()));
    let phone = Phone::start_on(account, audio, PhoneOptions::default(), local_ip)
        .await
        .unwrap();
    let mut events = phone.subscribe();

    let (register, phone_addr) = recv_sip(&server).await;
    assert!(register.starts_with("REGISTER "), "{register}");
    assert_eq!(phone_addr.ip(), WIFI);
    let contact = header(&register, "Contact")[0].to_owned();
    let ok = response_with_sdp(
        &register,
        "200 OK",
        &format!("Contact: {contact};expires=300\r\n"),
        "",
    );
    server.send_to(ok.as_bytes(), phone_addr).await.unwrap();
    let registered =
        next_event_in_call(&mut events, |e| matches!(e, PhoneEvent::Registration(_))).await;
    assert!(matches!(
        registered,
        PhoneEvent::Registration(RegistrationEvent::Registered { .. })
    ));

    // A call comes in and is answered on the first network.
    let me = server.local_addr().unwrap();
    let sdp = server_sdp(rtp.local_addr().unwrap().port());
    let invite = format!(
        "INVITE sip:202@{phone_addr} SIP/2.0\r\nVia: SIP/2.0/UDP {me};branch=z9hG4bKcall1\r\n\
         Max-Forwards: 70\r\nFrom: \"Alice\" <sip:201@{me}>;tag=a1\r\nTo: <sip:202@{me}>\r\n\
         Call-ID: call1@test\r\nCSeq: 1 INVITE\r\nContact: <sip:201@{me}>\r\n\
         Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    );
    server.send_to(invite.as_bytes(), phone_addr).await.unwrap();
    let PhoneEvent::Incoming { call, .. } =
        next_event_in_call(&mut events, |e| matches!(e, PhoneEvent::Incoming { .. })).await
    else {
        unreachable!()
    };
    phone.answer(call).await.unwrap();
    let (ok, _) = recv_sip(&server).await;
    assert!(ok.starts_with("SIP/2.0 200"), "{ok}");
    let first_rtp = sdp_address(&ok).expect("an address in the answer");
    assert_eq!(first_rtp.ip(), WIFI);
    let to = header(&ok, "To")[0];
    let ack = format!(
        "ACK sip:202@{phone_addr} SIP/2.0\r\nVia: SIP/2.0/UDP {me};branch=z9hG4bKack1\r\n\
         Max-Forwards: 70\r\nFrom: \"Alice\" <sip:201@{me}>;tag=a1\r\nTo: {to}\r\n\
         Call-ID: call1@test\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n"
    );
    server.send_to(ack.as_bytes(), phone_addr).await.unwrap();
    next_event_in_call(&mut events, |e| matches!(e, PhoneEvent::Answered { .. })).await;
    // Symmetric RTP: sent from the address the answer offered.
    let before = audio_from(&rtp, first_rtp).await;
    assert!(detect_tone(&before, 8000, 1000.0) > 0.5, "the tone before");

    // The network changes: the server now sees the phone at another address.
    *network.lock().unwrap() = TETHERING;
    let new_server_rtp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let (mut registered_again, mut moved) = (false, None);
    while !registered_again || moved.is_none() {
        let (msg, from) = recv_sip(&server).await;
        if msg.starts_with("REGISTER ") {
            assert_eq!(from.ip(), TETHERING, "{msg}");
            let contact = header(&msg, "Contact")[0].to_owned();
            assert!(contact.contains("127.0.0.3"), "{contact}");
            let ok = response_with_sdp(
                &msg,
                "200 OK",
                &format!("Contact: {contact};expires=300\r\n"),
                "",
            );
            server.send_to(ok.as_bytes(), from).await.unwrap();
            registered_again = true;
        } else if msg.starts_with("INVITE ") {
            assert_eq!(header(&msg, "Call-ID")[0], "call1@test");
            assert_eq!(from.ip(), TETHERING, "{msg}");
            let offer = sdp_address(&msg).expect("an address in the re-INVITE's offer");
            assert_eq!(offer.ip(), TETHERING, "{msg}");
            // The far end answers from a new address of its own too.
            let answer = server_sdp(new_server_rtp.local_addr().unwrap().port());
            let ok = response_with_sdp(
                &msg,
                "200 OK",
                &format!("Contact: <sip:201@{me}>\r\n"),
                &answer,
            );
            server.send_to(ok.as_bytes(), from).await.unwrap();
            moved = Some(offer);
        }
    }
    let moved = moved.unwrap_or(first_rtp);
    assert_ne!(moved, first_rtp);

    // The tone goes on, from the new address to the one the answer named.
    let after = audio_from(&new_server_rtp, moved).await;
    assert!(detect_tone(&after, 8000, 1000.0) > 0.5, "the tone after");

    // And what is sent to the new address is heard: a key, RFC 4733.
    for (seq, end, dur) in [
        (0, false, 160),
        (1, false, 320),
        (2, true, 480),
        (3, true, 480),
        (4, true, 480),
    ] {
        new_server_rtp
            .send_to(&telephone_event(seq, 7, end, dur), moved)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let key = next_event_in_call(&mut events, |e| matches!(e, PhoneEvent::Key { .. })).await;
    assert_eq!(key, PhoneEvent::Key { call, key: '7' });

    phone.shutdown().await.unwrap();
}
