//! The runtime against a scripted server over TLS: the server's INVITE offers SRTP (SDES),
//! the phone answers with a key of its own, its microphone's tone reaches the server as SRTP
//! that opens under that key, and the server's encrypted tone is what the phone plays; a
//! forged packet in the middle is not.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use media::codec::{ulaw_decode, ulaw_encode};
use media::sdp::CryptoAttribute;
use media::srtp::{SrtpContext, SrtpKey, SrtpSuite};
use media::tone::detect_tone;
use phone::audio::{FileBackend, FileSource};
use phone::runtime::{Phone, PhoneEvent, PhoneOptions};
use phone::ua::{Account, RegistrationEvent};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};
use tokio::sync::broadcast;
use tokio::time::timeout;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

const WAIT: Duration = Duration::from_secs(5);
const PHONE_TONE: f64 = 1000.0;
const SERVER_TONE: f64 = 600.0;

/// A certificate for 127.0.0.1 and its SHA-256 fingerprint, with the acceptor serving it.
fn acceptor() -> (TlsAcceptor, String) {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let params = rcgen::CertificateParams::new(vec!["127.0.0.1".to_owned()]).unwrap();
    let cert = params.self_signed(&key).unwrap();
    let der = CertificateDer::from(cert.der().to_vec());
    let fingerprint = Sha256::digest(&der)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":");
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13])
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![der], key)
        .unwrap();
    (TlsAcceptor::from(Arc::new(config)), fingerprint)
}

/// The next SIP message on the stream (keep-alives and provisional responses skipped).
async fn read_sip(stream: &mut TlsStream<tokio::net::TcpStream>, pending: &mut Vec<u8>) -> String {
    loop {
        while pending.starts_with(b"\r\n") {
            pending.drain(..2);
        }
        if let Some(end) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&pending[..end + 4]).into_owned();
            let body_len: usize = header(&head, "Content-Length")
                .first()
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            if pending.len() >= end + 4 + body_len {
                let msg: Vec<u8> = pending.drain(..end + 4 + body_len).collect();
                let text = String::from_utf8_lossy(&msg).into_owned();
                if text.starts_with("SIP/2.0 1") {
                    continue;
                }
                return text;
            }
        }
        let mut buf = [0u8; 4096];
        let n = timeout(WAIT, stream.read(&mut buf))
            .await
            .expect("a SIP message in time")
            .expect("read");
        assert!(n > 0, "the phone closed the connection");
        pending.extend_from_slice(&buf[..n]);
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

/// 20 ms of PCMU carrying `hz`, starting at sample `at`.
fn tone_packet(seq: u16, at: u32, hz: f64) -> Vec<u8> {
    let mut p = vec![0x80, 0];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&at.to_be_bytes());
    p.extend_from_slice(&0x5eed_0001u32.to_be_bytes());
    for i in 0..160u32 {
        let t = f64::from(at + i) / 8000.0;
        let s = (8000.0 * (std::f64::consts::TAU * hz * t).sin()) as i16;
        p.push(ulaw_encode(s));
    }
    p
}

#[tokio::test]
async fn an_srtp_offer_over_tls_is_answered_and_tones_pass_encrypted_both_ways() {
    let (acceptor, fingerprint) = acceptor();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let rtp = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let heard = dir.path().join("heard.wav");
    let audio = Arc::new(FileBackend::new(
        FileSource::Tone(PHONE_TONE),
        Some(heard.clone()),
        8000,
    ));
    let account = Account {
        server: listener.local_addr().unwrap(),
        transport: sip::Transport::Tls,
        domain: None,
        user: "202".into(),
        auth_user: None,
        password: "secret".into(),
        display_name: None,
        expires: 300,
    };
    let options = PhoneOptions {
        tls_fingerprint: Some(fingerprint),
        ..PhoneOptions::default()
    };
    // The phone connects (TLS handshake included) before it starts: the server accepts
    // alongside.
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        acceptor.accept(tcp).await.unwrap()
    });
    let phone = timeout(WAIT, Phone::start_with(account, audio, options))
        .await
        .expect("started in time")
        .unwrap();
    let mut events = phone.subscribe();
    let mut tls = timeout(WAIT, server).await.unwrap().unwrap();
    let mut pending = Vec::new();
    let register = read_sip(&mut tls, &mut pending).await;
    assert!(register.starts_with("REGISTER "), "{register}");
    let contact = header(&register, "Contact")[0].to_owned();
    let ok = response(
        &register,
        "200 OK",
        &format!("Contact: {contact};expires=300\r\n"),
    );
    tls.write_all(ok.as_bytes()).await.unwrap();
    let registered = next_event(&mut events, |e| matches!(e, PhoneEvent::Registration(_))).await;
    assert!(matches!(
        registered,
        PhoneEvent::Registration(RegistrationEvent::Registered { .. })
    ));

    let server_key = CryptoAttribute {
        tag: 1,
        suite: SrtpSuite::AesCm128HmacSha1_80,
        key: SrtpKey::random(),
    };
    let rtp_port = rtp.local_addr().unwrap().port();
    let sdp = format!(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=audio {rtp_port} RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n\
         a=crypto:{}\r\na=sendrecv\r\n",
        server_key.to_value()
    );
    let invite = format!(
        "INVITE sip:202@127.0.0.1;transport=tls SIP/2.0\r\n\
         Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKsrtp1\r\n\
         Max-Forwards: 70\r\nFrom: <sip:201@127.0.0.1>;tag=a1\r\nTo: <sip:202@127.0.0.1>\r\n\
         Call-ID: srtp1@test\r\nCSeq: 1 INVITE\r\nContact: <sip:201@127.0.0.1:5061;transport=tls>\r\n\
         Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    );
    tls.write_all(invite.as_bytes()).await.unwrap();
    let PhoneEvent::Incoming { call, .. } =
        next_event(&mut events, |e| matches!(e, PhoneEvent::Incoming { .. })).await
    else {
        unreachable!()
    };
    phone.answer(call).await.unwrap();
    let ok = read_sip(&mut tls, &mut pending).await;
    assert!(ok.starts_with("SIP/2.0 200"), "{ok}");
    assert!(ok.contains("RTP/SAVP"), "{ok}");
    let phone_key = ok
        .lines()
        .find_map(|l| l.strip_prefix("a=crypto:"))
        .and_then(CryptoAttribute::parse)
        .expect("a crypto line in the answer");
    assert_eq!(phone_key.tag, 1);
    assert_ne!(
        phone_key.key, server_key.key,
        "the phone sends under its own key"
    );
    let phone_rtp: u16 = ok
        .lines()
        .find_map(|l| l.strip_prefix("m=audio "))
        .and_then(|m| m.split(' ').next())
        .and_then(|p| p.parse().ok())
        .expect("an m=audio port in the answer");
    let to = header(&ok, "To")[0];
    let ack = format!(
        "ACK sip:202@127.0.0.1;transport=tls SIP/2.0\r\n\
         Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKack1\r\n\
         Max-Forwards: 70\r\nFrom: <sip:201@127.0.0.1>;tag=a1\r\nTo: {to}\r\n\
         Call-ID: srtp1@test\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n"
    );
    tls.write_all(ack.as_bytes()).await.unwrap();
    let codec = next_event(&mut events, |e| matches!(e, PhoneEvent::Codec { .. })).await;
    assert!(
        matches!(
            codec,
            PhoneEvent::Codec {
                encrypted: true,
                ..
            }
        ),
        "{codec:?}"
    );

    // One second of the server's tone, encrypted; a forged packet in the middle.
    let to_phone = SocketAddr::from(([127, 0, 0, 1], phone_rtp));
    let mut seal = SrtpContext::new(server_key.suite, &server_key.key);
    let mut open = SrtpContext::new(phone_key.suite, &phone_key.key);
    let mut sealed = Vec::new();
    let mut opened = Vec::new();
    let mut from_phone: Vec<i16> = Vec::new();
    let mut plain_seen = 0;
    let mut buf = [0u8; 2048];
    let mut tick = tokio::time::interval(Duration::from_millis(20));
    for i in 0..50u16 {
        tick.tick().await;
        seal.protect_rtp(
            &tone_packet(i, u32::from(i) * 160, SERVER_TONE),
            &mut sealed,
        )
        .unwrap();
        rtp.send_to(&sealed, to_phone).await.unwrap();
        if i == 25 {
            // Right header, wrong key: fails authentication, never played.
            let mut forged = SrtpContext::new(server_key.suite, &SrtpKey::random());
            forged
                .protect_rtp(&tone_packet(500, 0, PHONE_TONE), &mut sealed)
                .unwrap();
            rtp.send_to(&sealed, to_phone).await.unwrap();
        }
        while let Ok((n, _)) = rtp.try_recv_from(&mut buf) {
            if open.unprotect_rtp(&buf[..n], &mut opened).is_ok() {
                from_phone.extend(opened[12..].iter().map(|&b| ulaw_decode(b)));
            } else if n == 12 + 160 {
                plain_seen += 1;
            }
        }
    }
    assert_eq!(plain_seen, 0, "the phone sent plain RTP");
    assert!(from_phone.len() >= 8000 / 2, "{} samples", from_phone.len());
    let tail = &from_phone[from_phone.len() - 1600..];
    assert!(detect_tone(tail, 8000, PHONE_TONE) > 0.5);

    phone.hang_up(call).await.unwrap();
    let bye = read_sip(&mut tls, &mut pending).await;
    assert!(bye.starts_with("BYE "), "{bye}");
    tls.write_all(response(&bye, "200 OK", "").as_bytes())
        .await
        .unwrap();
    next_event(&mut events, |e| matches!(e, PhoneEvent::Ended { .. })).await;
    phone.shutdown().await.unwrap();

    // What the phone played: the server's tone, not the forged packet's.
    let played: Vec<i16> = hound::WavReader::open(&heard)
        .expect("heard.wav")
        .samples::<i16>()
        .map(|s| s.expect("sample"))
        .collect();
    let voiced: Vec<&[i16]> = played
        .chunks(1600)
        .filter(|c| detect_tone(c, 8000, SERVER_TONE) > 0.5)
        .collect();
    assert!(
        voiced.len() >= 2,
        "{} blocks of the server's tone",
        voiced.len()
    );
    assert!(played
        .chunks(160)
        .all(|c| detect_tone(c, 8000, PHONE_TONE) < 0.5));
}
