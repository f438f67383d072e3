//! The runtime against a scripted server on loopback: it registers, takes a call, sends
//! RTP from its microphone, reports a key received as RFC 4733 events, and hangs up.

mod scripted_sip;
use scripted_sip::*;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use phone::audio::{FileBackend, FileSource};
use phone::runtime::{Phone, PhoneEvent};
use phone::ua::{Account, RegistrationEvent};
use tokio::net::UdpSocket;
use tokio::time::timeout;

#[tokio::test]
async fn the_phone_registers_answers_sends_audio_hears_a_key_and_hangs_up() {
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
    let phone = Phone::start(account, audio).await.unwrap();
    let mut events = phone.subscribe();

    let (register, phone_addr) = recv_sip(&server).await;
    assert!(register.starts_with("REGISTER "), "{register}");
    let contact = header(&register, "Contact")[0].to_owned();
    let ok = response(
        &register,
        "200 OK",
        &format!("Contact: {contact};expires=300\r\n"),
    );
    server.send_to(ok.as_bytes(), phone_addr).await.unwrap();
    let registered = next_event(&mut events, |e| matches!(e, PhoneEvent::Registration(_))).await;
    assert!(matches!(
        registered,
        PhoneEvent::Registration(RegistrationEvent::Registered { .. })
    ));

    let me = server.local_addr().unwrap();
    let rtp_port = rtp.local_addr().unwrap().port();
    let sdp = format!(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=audio {rtp_port} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=sendrecv\r\n"
    );
    let invite = format!(
        "INVITE sip:202@{phone_addr} SIP/2.0\r\nVia: SIP/2.0/UDP {me};branch=z9hG4bKcall1\r\n\
         Max-Forwards: 70\r\nFrom: \"Alice\" <sip:201@{me}>;tag=a1\r\nTo: <sip:202@{me}>\r\n\
         Call-ID: call1@test\r\nCSeq: 1 INVITE\r\nContact: <sip:201@{me}>\r\n\
         Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    );
    server.send_to(invite.as_bytes(), phone_addr).await.unwrap();
    let PhoneEvent::Incoming { call, caller } =
        next_event(&mut events, |e| matches!(e, PhoneEvent::Incoming { .. })).await
    else {
        unreachable!()
    };
    assert_eq!(caller.number, "201");
    assert_eq!(caller.name.as_deref(), Some("Alice"));

    phone.answer(call).await.unwrap();
    let (ok, _) = recv_sip(&server).await;
    assert!(ok.starts_with("SIP/2.0 200"), "{ok}");
    let phone_rtp: u16 = ok
        .lines()
        .find_map(|l| l.strip_prefix("m=audio "))
        .and_then(|m| m.split(' ').next())
        .and_then(|p| p.parse().ok())
        .expect("an m=audio port in the answer");
    let to = header(&ok, "To")[0];
    let ack = format!(
        "ACK sip:202@{phone_addr} SIP/2.0\r\nVia: SIP/2.0/UDP {me};branch=z9hG4bKack1\r\n\
         Max-Forwards: 70\r\nFrom: \"Alice\" <sip:201@{me}>;tag=a1\r\nTo: {to}\r\n\
         Call-ID: call1@test\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n"
    );
    server.send_to(ack.as_bytes(), phone_addr).await.unwrap();
    next_event(&mut events, |e| matches!(e, PhoneEvent::Answered { .. })).await;

    // The microphone's tone arrives as PCMU (payload type 0) RTP.
    let mut buf = [0u8; 2048];
    let (n, from) = timeout(WAIT, rtp.recv_from(&mut buf))
        .await
        .expect("RTP in time")
        .unwrap();
    assert_eq!(buf[0] >> 6, 2, "RTP version");
    assert_eq!(buf[1] & 0x7f, 0, "PCMU");
    assert_eq!(n, 12 + 160, "20 ms of G.711");

    // RFC 4733 §2.5.1.4: one event, then its end sent three times.
    let to_phone = SocketAddr::new(from.ip(), phone_rtp);
    for (seq, end, dur) in [
        (0, false, 160),
        (1, false, 320),
        (2, true, 480),
        (3, true, 480),
        (4, true, 480),
    ] {
        rtp.send_to(&telephone_event(seq, 5, end, dur), to_phone)
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let key = next_event(&mut events, |e| matches!(e, PhoneEvent::Key { .. })).await;
    assert_eq!(key, PhoneEvent::Key { call, key: '5' });

    phone.hang_up(call).await.unwrap();
    let (bye, _) = recv_sip(&server).await;
    assert!(bye.starts_with("BYE "), "{bye}");
    server
        .send_to(response(&bye, "200 OK", "").as_bytes(), phone_addr)
        .await
        .unwrap();
    let ended = next_event(&mut events, |e| matches!(e, PhoneEvent::Ended { .. })).await;
    assert_eq!(
        ended,
        PhoneEvent::Ended {
            call,
            reason: "local".into()
        }
    );
    phone.shutdown().await.unwrap();
}
