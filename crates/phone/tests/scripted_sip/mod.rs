//! A scripted SIP server's side of the runtime tests: reading the phone's messages over UDP
//! or TLS, answering them (RFC 3261 §8.2.6.2), a TLS certificate to serve, RFC 4733 key
//! packets, and waiting for the phone's events. Each test file uses part of it.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use phone::audio::AudioBackend;
use phone::runtime::{Phone, PhoneEvent, PhoneOptions};
use phone::ua::{Account, RegistrationEvent};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::broadcast;
use tokio::time::timeout;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

/// How long anything the phone should do may take (generous: CI machines are loaded).
pub const WAIT: Duration = Duration::from_secs(8);

/// Every value of header `name` in `msg`, in order.
pub fn header<'a>(msg: &'a str, name: &str) -> Vec<&'a str> {
    msg.lines()
        .filter_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then_some(v.trim())
        })
        .collect()
}

/// A response to `request` with no body.
pub fn response(request: &str, status: &str, extra: &str) -> String {
    response_with_sdp(request, status, extra, "")
}

/// A response to `request` (RFC 3261 §8.2.6.2: its Vias, From, Call-ID and CSeq; a To tag
/// added), with an SDP body when `sdp` is not empty.
pub fn response_with_sdp(request: &str, status: &str, extra: &str, sdp: &str) -> String {
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
    let body_type = if sdp.is_empty() {
        ""
    } else {
        "Content-Type: application/sdp\r\n"
    };
    out.push_str(&format!(
        "From: {}\r\nTo: {to}\r\nCall-ID: {}\r\nCSeq: {}\r\n{extra}{body_type}\
         Content-Length: {}\r\n\r\n{sdp}",
        header(request, "From")[0],
        header(request, "Call-ID")[0],
        header(request, "CSeq")[0],
        sdp.len(),
    ));
    out
}

/// The phone's next SIP message on `server` and where it came from (keep-alives and
/// provisional responses skipped).
pub async fn recv_sip(server: &UdpSocket) -> (String, SocketAddr) {
    let mut buf = vec![0u8; 65_536];
    loop {
        let (n, from) = timeout(WAIT, server.recv_from(&mut buf))
            .await
            .expect("a SIP message in time")
            .expect("recv");
        let text = String::from_utf8_lossy(&buf[..n]).into_owned();
        if text.trim().is_empty() || text.starts_with("SIP/2.0 1") {
            continue;
        }
        return (text, from);
    }
}

/// The next SIP message on a stream (RFC 3261 §18.3 framing by Content-Length;
/// keep-alives and provisional responses skipped). `pending` keeps what was read beyond it.
pub async fn read_sip<S: AsyncRead + Unpin>(stream: &mut S, pending: &mut Vec<u8>) -> String {
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

/// A certificate for 127.0.0.1 and its SHA-256 fingerprint, with the acceptor serving it.
pub fn tls_acceptor() -> (TlsAcceptor, String) {
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

/// The phone's next event that `want` picks.
pub async fn next_event(
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

/// Like `next_event`, failing the test if a call ends on the way.
pub async fn next_event_in_call(
    events: &mut broadcast::Receiver<PhoneEvent>,
    want: impl Fn(&PhoneEvent) -> bool,
) -> PhoneEvent {
    next_event(events, |e| {
        assert!(
            !matches!(e, PhoneEvent::Ended { .. }),
            "the call ended: {e:?}"
        );
        want(e)
    })
    .await
}

/// One RFC 4733 telephone-event packet (payload type 101) for `key`.
pub fn telephone_event(seq: u16, key: u8, end: bool, duration: u16) -> Vec<u8> {
    let mut p = vec![0x80, if seq == 0 { 0x80 | 101 } else { 101 }];
    p.extend_from_slice(&seq.to_be_bytes());
    p.extend_from_slice(&1000u32.to_be_bytes());
    p.extend_from_slice(&0x1234_5678u32.to_be_bytes());
    p.push(key);
    p.push(if end { 0x80 | 10 } else { 10 });
    p.extend_from_slice(&duration.to_be_bytes());
    p
}

/// A phone signed in over TLS to a scripted server on loopback (RFC 5630 §3.1.3): its
/// events, the server's end of the connection and what was read beyond the REGISTER.
pub struct TlsRegistered {
    pub phone: Phone,
    pub events: broadcast::Receiver<PhoneEvent>,
    pub tls: TlsStream<TcpStream>,
    pub pending: Vec<u8>,
}

/// Starts a phone as extension 202 over TLS to a scripted server (its certificate pinned by
/// fingerprint), answers its REGISTER with 200 and waits until it says it is registered.
pub async fn register_over_tls(audio: Arc<dyn AudioBackend>) -> TlsRegistered {
    let (acceptor, fingerprint) = tls_acceptor();
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
    TlsRegistered {
        phone,
        events,
        tls,
        pending,
    }
}
