//! The encryption setting changed on a running phone applies to its next call, with the
//! account still signed in (no new REGISTER, one TLS connection): over TLS "auto" offers
//! SRTP, "off" offers plain RTP/AVP with no key, and "required" refuses the server's plain
//! offer with 488.

use std::sync::Arc;
use std::time::Duration;

use phone::audio::FileBackend;
use phone::call_media::SrtpMode;
use phone::runtime::{Phone, PhoneEvent, PhoneOptions};
use phone::ua::{Account, RegistrationEvent};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio::time::timeout;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

const WAIT: Duration = Duration::from_secs(5);

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

type Tls = TlsStream<tokio::net::TcpStream>;

/// The phone's next request other than an ACK (the ACK of a refused call's 486).
async fn next_request(tls: &mut Tls, pending: &mut Vec<u8>) -> String {
    loop {
        let msg = read_sip(tls, pending).await;
        if !msg.starts_with("ACK ") {
            return msg;
        }
    }
}

/// The phone calls 300; the server answers 486 once it has the INVITE, which it returns.
async fn dial_and_refuse(phone: &Phone, tls: &mut Tls, pending: &mut Vec<u8>) -> String {
    phone.dial("300").await.unwrap();
    let invite = next_request(tls, pending).await;
    assert!(
        invite.starts_with("INVITE "),
        "not signed in again: {invite}"
    );
    tls.write_all(response(&invite, "486 Busy Here", "").as_bytes())
        .await
        .unwrap();
    invite
}

#[tokio::test]
async fn the_encryption_setting_applies_to_the_next_call_without_signing_in_again() {
    let (acceptor, fingerprint) = acceptor();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
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
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        acceptor.accept(tcp).await.unwrap()
    });
    let audio = Arc::new(FileBackend::null());
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

    // Automatic, over TLS: SRTP with a key.
    let invite = dial_and_refuse(&phone, &mut tls, &mut pending).await;
    assert!(
        invite.contains("RTP/SAVP") && invite.contains("a=crypto:"),
        "{invite}"
    );

    // Never: plain RTP/AVP and no key, on the same connection and registration.
    phone.set_srtp(SrtpMode::Off).await.unwrap();
    let invite = dial_and_refuse(&phone, &mut tls, &mut pending).await;
    assert!(
        invite.contains("m=audio ") && invite.contains(" RTP/AVP "),
        "{invite}"
    );
    assert!(!invite.contains("a=crypto"), "{invite}");

    // Always: the server's plain offer is refused.
    phone.set_srtp(SrtpMode::Required).await.unwrap();
    let sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
               m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=sendrecv\r\n";
    let plain = format!(
        "INVITE sip:202@127.0.0.1;transport=tls SIP/2.0\r\n\
         Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKplain1\r\n\
         Max-Forwards: 70\r\nFrom: <sip:201@127.0.0.1>;tag=p1\r\nTo: <sip:202@127.0.0.1>\r\n\
         Call-ID: plain1@test\r\nCSeq: 1 INVITE\r\nContact: <sip:201@127.0.0.1:5061;transport=tls>\r\n\
         Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    );
    tls.write_all(plain.as_bytes()).await.unwrap();
    let refused = next_request(&mut tls, &mut pending).await;
    assert!(refused.starts_with("SIP/2.0 488"), "{refused}");
    assert!(refused.contains("Call-ID: plain1@test"), "{refused}");

    // And back to automatic: SRTP offered again.
    phone.set_srtp(SrtpMode::Auto).await.unwrap();
    let invite = dial_and_refuse(&phone, &mut tls, &mut pending).await;
    assert!(invite.contains("RTP/SAVP"), "{invite}");
    phone.shutdown().await.unwrap();
}
