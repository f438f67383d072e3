//! SIP over TLS through the whole engine on loopback: a phone trusting the PBX's generated
//! certificate registers over TLS (with its REGISTER split across TLS records and a CRLF
//! keep-alive answered), while a client speaking plain text to the TLS port and another
//! that never finishes its handshake disturb nobody. A call from a UDP phone then reaches
//! the TLS phone down the connection it registered on, with a TLS Via.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio_rustls::client::TlsStream;

const PATIENCE: Duration = Duration::from_secs(10);

fn header<'a>(msg: &'a str, name: &str) -> Option<&'a str> {
    msg.split("\r\n").find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

fn status(msg: &str) -> Option<u16> {
    msg.strip_prefix("SIP/2.0 ")?.get(..3)?.parse().ok()
}

/// Answers the 401/407 in `challenge` for `method` to `uri`.
fn answer(challenge: &str, user: &str, password: &str, method: &str, uri: &str) -> String {
    let value = header(challenge, "WWW-Authenticate")
        .or_else(|| header(challenge, "Proxy-Authenticate"))
        .expect("a challenge");
    let c = sip::auth::Challenge::parse(value).expect("a digest challenge");
    c.authorization(user, password, method, uri, 1, "0a4f113b")
}

struct TlsPhone {
    stream: TlsStream<TcpStream>,
    framer: sip::StreamFramer,
    pongs: usize,
}

impl TlsPhone {
    async fn connect(pbx: SocketAddr, roots: rustls::RootCertStore) -> TlsPhone {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
        let tcp = TcpStream::connect(pbx).await.expect("connect");
        let name = ServerName::try_from("localhost").expect("name");
        let stream = connector.connect(name, tcp).await.expect("handshake");
        TlsPhone {
            stream,
            framer: sip::StreamFramer::new(),
            pongs: 0,
        }
    }

    /// Writes `bytes` as one TLS record per part.
    async fn send_in_records(&mut self, bytes: &[u8], parts: usize) {
        let size = bytes.len().div_ceil(parts);
        for chunk in bytes.chunks(size) {
            self.stream.write_all(chunk).await.expect("write");
            self.stream.flush().await.expect("flush");
        }
    }

    async fn next_message(&mut self) -> String {
        let mut buf = vec![0u8; 8192];
        loop {
            while let Some(frame) = self.framer.next() {
                match frame.expect("framing") {
                    sip::Frame::Message(bytes) => return String::from_utf8(bytes).expect("utf-8"),
                    sip::Frame::Pong => self.pongs += 1,
                    sip::Frame::Ping => {}
                }
            }
            let n = tokio::time::timeout(PATIENCE, self.stream.read(&mut buf))
                .await
                .expect("a message in time")
                .expect("read");
            assert!(n > 0, "the PBX closed the TLS connection");
            self.framer.push(&buf[..n]);
        }
    }
}

fn register(pbx: SocketAddr, local: SocketAddr, cseq: u32, auth: Option<&str>) -> String {
    let mut msg = format!(
        "REGISTER sip:{pbx} SIP/2.0\r\n\
         Via: SIP/2.0/TLS {local};rport;branch=z9hG4bK-tls-{cseq}\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:201@{pbx}>;tag=tlsphone\r\n\
         To: <sip:201@{pbx}>\r\n\
         Call-ID: reg-tls@test\r\n\
         CSeq: {cseq} REGISTER\r\n\
         Contact: <sip:201@{local};transport=tls>\r\n\
         Expires: 300\r\n"
    );
    if let Some(auth) = auth {
        msg.push_str(&format!("Authorization: {auth}\r\n"));
    }
    msg.push_str("Content-Length: 0\r\n\r\n");
    msg
}

/// `auth`: the header name (`Authorization` after a 401, `Proxy-Authorization` after a
/// 407) and its value.
fn invite(pbx: SocketAddr, local: SocketAddr, cseq: u32, auth: Option<(&str, &str)>) -> String {
    let sdp = format!(
        "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n\
         m=audio {} RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n",
        local.port() + 2
    );
    let mut msg = format!(
        "INVITE sip:201@{pbx} SIP/2.0\r\n\
         Via: SIP/2.0/UDP {local};rport;branch=z9hG4bK-udp-{cseq}\r\n\
         Max-Forwards: 70\r\n\
         From: <sip:202@{pbx}>;tag=udpphone\r\n\
         To: <sip:201@{pbx}>\r\n\
         Call-ID: call-to-tls@test\r\n\
         CSeq: {cseq} INVITE\r\n\
         Contact: <sip:202@{local}>\r\n\
         Content-Type: application/sdp\r\n"
    );
    if let Some((name, value)) = auth {
        msg.push_str(&format!("{name}: {value}\r\n"));
    }
    msg.push_str(&format!("Content-Length: {}\r\n\r\n{sdp}", sdp.len()));
    msg
}

async fn recv_udp(socket: &UdpSocket) -> String {
    let mut buf = vec![0u8; 8192];
    loop {
        let (n, _) = tokio::time::timeout(PATIENCE, socket.recv_from(&mut buf))
            .await
            .expect("a UDP answer in time")
            .expect("recv");
        let text = String::from_utf8_lossy(&buf[..n]).into_owned();
        // Provisional responses are not what the steps wait for.
        if status(&text).is_some_and(|s| s < 200) {
            continue;
        }
        return text;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_phone_registers_over_tls_and_is_called_down_its_connection() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (tls_password, udp_password) = {
        let store = store::Store::open(dir.path()).expect("store");
        let a = store.create_extension("201", "Tia", "switchboard", 0);
        let b = store.create_extension("202", "Uma", "switchboard", 0);
        (a.expect("201").password, b.expect("202").password)
    };
    let loopback = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let engine = engine::start(engine::Config {
        data_dir: dir.path().to_path_buf(),
        listen: vec![loopback],
        tls_listen: vec![loopback],
        rtp_ports: 46000..=46099,
        realm: "switchboard".into(),
    })
    .await
    .expect("PBX starts");
    let udp_pbx = engine.handle.sip_addrs()[0];
    let tls_pbx = *engine.tls_addrs().first().expect("a TLS address");
    assert_ne!(tls_pbx.port(), 0);

    // The certificate the engine made on start, as a phone given it would trust it.
    let identity = engine::tls_cert::load_or_create(dir.path()).expect("certificate");
    let mut roots = rustls::RootCertStore::empty();
    roots.add(identity.chain()[0].clone()).expect("root");

    // A client speaking plain SIP to the TLS port, and one that never says hello.
    let mut plain = TcpStream::connect(tls_pbx).await.expect("plain connect");
    plain
        .write_all(b"OPTIONS sip:pbx SIP/2.0\r\nContent-Length: 0\r\n\r\n")
        .await
        .expect("plain write");
    let _silent = TcpStream::connect(tls_pbx).await.expect("silent connect");

    let mut phone = TlsPhone::connect(tls_pbx, roots).await;
    let local = phone.stream.get_ref().0.local_addr().expect("local");
    phone.send_in_records(b"\r\n\r\n", 1).await;
    phone
        .send_in_records(register(tls_pbx, local, 1, None).as_bytes(), 3)
        .await;
    let challenge = phone.next_message().await;
    assert_eq!(status(&challenge), Some(401), "{challenge}");
    assert_eq!(phone.pongs, 1, "the CRLF keep-alive is answered");
    let uri = format!("sip:{tls_pbx}");
    let auth = answer(&challenge, "201", &tls_password, "REGISTER", &uri);
    phone
        .send_in_records(register(tls_pbx, local, 2, Some(&auth)).as_bytes(), 2)
        .await;
    let ok = phone.next_message().await;
    assert_eq!(status(&ok), Some(200), "{ok}");

    // The plain-text client was refused without an answer.
    let mut buf = [0u8; 64];
    let n = tokio::time::timeout(PATIENCE, plain.read(&mut buf))
        .await
        .expect("the plain client is dropped in time")
        .unwrap_or(0);
    assert!(
        !String::from_utf8_lossy(&buf[..n]).contains("SIP/2.0"),
        "no SIP answer goes out in clear text"
    );

    let registrations = engine.handle.registrations().await.expect("running");
    let tia = registrations
        .iter()
        .find(|r| r.extension == "201")
        .expect("201 registered");
    assert_eq!(tia.transport, sip::Transport::Tls);
    assert_eq!(tia.source, local);

    // A UDP phone calls 201: the INVITE comes down the TLS connection.
    let caller = UdpSocket::bind(loopback).await.expect("udp");
    let caller_addr = caller.local_addr().expect("addr");
    let send = |text: String| {
        let caller = &caller;
        async move {
            caller
                .send_to(text.as_bytes(), udp_pbx)
                .await
                .expect("send")
        }
    };
    send(invite(udp_pbx, caller_addr, 1, None)).await;
    let challenge = recv_udp(&caller).await;
    let auth_header = match status(&challenge) {
        Some(401) => "Authorization",
        Some(407) => "Proxy-Authorization",
        _ => panic!("the call is challenged: {challenge}"),
    };
    let ack = format!(
        "ACK sip:201@{udp_pbx} SIP/2.0\r\nVia: SIP/2.0/UDP {caller_addr};rport;branch=z9hG4bK-udp-1\r\n\
         Max-Forwards: 70\r\nFrom: <sip:202@{udp_pbx}>;tag=udpphone\r\nTo: {}\r\n\
         Call-ID: call-to-tls@test\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
        header(&challenge, "To").expect("To")
    );
    send(ack).await;
    let uri = format!("sip:201@{udp_pbx}");
    let auth = answer(&challenge, "202", &udp_password, "INVITE", &uri);
    send(invite(udp_pbx, caller_addr, 2, Some((auth_header, &auth)))).await;

    let incoming = phone.next_message().await;
    assert!(incoming.starts_with("INVITE "), "{incoming}");
    let via = header(&incoming, "Via").expect("Via");
    assert!(via.starts_with("SIP/2.0/TLS "), "{via}");
    assert_eq!(
        via.trim_start_matches("SIP/2.0/TLS ")
            .split(';')
            .next()
            .and_then(|a| a.parse::<SocketAddr>().ok())
            .map(|a| a.port()),
        Some(tls_pbx.port()),
        "the Via names the TLS port"
    );
    engine.handle.shutdown().await;
}
