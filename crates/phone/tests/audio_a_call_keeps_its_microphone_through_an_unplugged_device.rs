//! A call on a device that fails mid-call (the file device's `unplug`, as a headset pulled
//! out) goes on: the runtime opens the default device again and the microphone's tone
//! keeps reaching the far end, with no BYE.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use media::tone::detect_tone;
use phone::audio::{FileBackend, FileSource};
use phone::runtime::{Phone, PhoneEvent};
use phone::ua::Account;
use tokio::net::UdpSocket;
use tokio::sync::broadcast;
use tokio::time::timeout;

const WAIT: Duration = Duration::from_secs(5);

async fn recv_sip(server: &UdpSocket) -> (String, SocketAddr) {
    let mut buf = vec![0u8; 65_536];
    loop {
        let (n, from) = timeout(WAIT, server.recv_from(&mut buf))
            .await
            .expect("a SIP message in time")
            .expect("recv");
        let text = String::from_utf8_lossy(&buf[..n]).into_owned();
        // Keep-alives and provisional responses are not what the script waits for.
        if text.trim().is_empty() || text.starts_with("SIP/2.0 1") {
            continue;
        }
        return (text, from);
    }
}

fn header<'a>(msg: &'a str, name: &str) -> Vec<&'a str> {
    msg.lines()
        .filter_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then_some(v.trim())
        })
        .collect()
}

/// A response to `request` copying the headers RFC 3261 §8.2.6.2 asks for.
fn response(request: &str, status: &str, extra: &str) -> String {
    let mut out = format!("SIP/2.0 {status}\r\n");
    for via in header(request, "Via") {
        out.push_str(&format!("Via: {via}\r\n"));
    }
    let to = header(request, "To")[0];
    let to = if to.contains("tag=") {
        to.to_owned()
    } else {
        format!("{to};tag=srv1")
    };
    out.push_str(&format!(
        "From: {}\r\nTo: {to}\r\nCall-ID: {}\r\nCSeq: {}\r\n{extra}Content-Length: 0\r\n\r\n",
        header(request, "From")[0],
        header(request, "Call-ID")[0],
        header(request, "CSeq")[0],
    ));
    out
}

async fn next_event(
    events: &mut broadcast::Receiver<PhoneEvent>,
    want: impl Fn(&PhoneEvent) -> bool,
) -> PhoneEvent {
    loop {
        let e = timeout(WAIT, events.recv())
            .await
            .expect("an event in time")
            .expect("event channel open");
        if want(&e) {
            return e;
        }
    }
}

/// Reads `packets` RTP packets; returns the decoded PCMU audio.
async fn hear(rtp: &UdpSocket, packets: usize) -> (Vec<i16>, SocketAddr) {
    let mut buf = [0u8; 2048];
    let mut pcm = Vec::new();
    let mut from = None;
    for _ in 0..packets {
        let (n, f) = timeout(WAIT, rtp.recv_from(&mut buf))
            .await
            .expect("RTP in time")
            .expect("recv");
        from = Some(f);
        if let Some(payload) = buf.get(12..n) {
            pcm.extend(payload.iter().map(|&b| media::codec::ulaw_decode(b)));
        }
    }
    (pcm, from.expect("a packet"))
}

#[tokio::test]
async fn the_call_goes_on_with_its_tone_after_the_device_fails() {
    let server = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let rtp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let backend = FileBackend::new(FileSource::Tone(1000.0), None, 8000);
    let plug = backend.clone();
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
    let phone = Phone::start(account, Arc::new(backend)).await.unwrap();
    let mut events = phone.subscribe();

    let (register, phone_addr) = recv_sip(&server).await;
    let contact = header(&register, "Contact")[0].to_owned();
    let ok = response(
        &register,
        "200 OK",
        &format!("Contact: {contact};expires=300\r\n"),
    );
    server.send_to(ok.as_bytes(), phone_addr).await.unwrap();
    next_event(&mut events, |e| matches!(e, PhoneEvent::Registration(_))).await;

    let me = server.local_addr().unwrap();
    let rtp_port = rtp.local_addr().unwrap().port();
    let sdp = format!(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=audio {rtp_port} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n"
    );
    let invite = format!(
        "INVITE sip:202@{phone_addr} SIP/2.0\r\nVia: SIP/2.0/UDP {me};branch=z9hG4bKcall1\r\n\
         Max-Forwards: 70\r\nFrom: <sip:201@{me}>;tag=a1\r\nTo: <sip:202@{me}>\r\n\
         Call-ID: unplug@test\r\nCSeq: 1 INVITE\r\nContact: <sip:201@{me}>\r\n\
         Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    );
    server.send_to(invite.as_bytes(), phone_addr).await.unwrap();
    let PhoneEvent::Incoming { call, .. } =
        next_event(&mut events, |e| matches!(e, PhoneEvent::Incoming { .. })).await
    else {
        unreachable!()
    };
    phone.answer(call).await.unwrap();
    let (ok, _) = recv_sip(&server).await;
    assert!(ok.starts_with("SIP/2.0 200"), "{ok}");
    let to = header(&ok, "To")[0];
    let ack = format!(
        "ACK sip:202@{phone_addr} SIP/2.0\r\nVia: SIP/2.0/UDP {me};branch=z9hG4bKack1\r\n\
         Max-Forwards: 70\r\nFrom: <sip:201@{me}>;tag=a1\r\nTo: {to}\r\n\
         Call-ID: unplug@test\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n"
    );
    server.send_to(ack.as_bytes(), phone_addr).await.unwrap();

    let (before, _) = hear(&rtp, 25).await;
    let tail = &before[before.len() - 800..];
    assert!(detect_tone(tail, 8000, 1000.0) > 0.8, "no tone before");

    plug.unplug();
    // Up to 3 s of packets: the tone must come back in the last half second of them,
    // and the call must not have ended.
    let mut heard_again = false;
    for _ in 0..6 {
        let (pcm, _) = hear(&rtp, 25).await;
        if detect_tone(&pcm[pcm.len() - 800..], 8000, 1000.0) > 0.8 {
            heard_again = true;
            break;
        }
    }
    assert!(
        heard_again,
        "the tone did not come back after the device failed"
    );
    while let Ok(event) = events.try_recv() {
        assert!(
            !matches!(event, PhoneEvent::Ended { .. } | PhoneEvent::Failed { .. }),
            "the call ended: {event:?}"
        );
    }
    phone.shutdown().await.unwrap();
}
