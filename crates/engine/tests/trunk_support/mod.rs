//! A provider on loopback for trunk tests: a UDP socket that reads the PBX's requests as
//! text and answers them, and helpers to start the PBX on a fresh database.

#![allow(dead_code)] // each test file uses a different part

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use pbx::dialplan::{Destination, DtmfMode, Trunk, TrunkAuth, TrunkTransport};
use tokio::net::UdpSocket;

/// Bound on any wait, so a broken PBX fails the test instead of hanging it. Generous: the
/// PBX notices a saved change within a second, then resolves the host name.
pub const PATIENCE: Duration = Duration::from_secs(10);

/// Starts the PBX on loopback with a database in `dir`.
pub async fn start_pbx(dir: &Path) -> engine::Engine {
    let config = engine::Config {
        data_dir: dir.to_path_buf(),
        listen: vec![SocketAddr::from((Ipv4Addr::LOCALHOST, 0))],
        tls_listen: Vec::new(),
        rtp_ports: 43000..=43099,
        realm: "switchboard".into(),
    };
    engine::start(config).await.expect("PBX starts")
}

/// A trunk to `host:port` with every optional setting left out.
pub fn trunk(name: &str, host: &str, port: u16, auth: TrunkAuth) -> Trunk {
    Trunk {
        id: 0,
        name: name.into(),
        enabled: true,
        host: host.into(),
        port: Some(port),
        transport: TrunkTransport::Udp,
        outbound_proxy: None,
        auth,
        channels: 2,
        codecs: vec!["PCMU".into()],
        dtmf: DtmfMode::Rfc4733,
        from_user: None,
        caller_id: None,
        trust_pai: false,
        overflow: None,
        default_destination: Destination::Hangup,
    }
}

pub fn registration(contact_user: &str) -> TrunkAuth {
    TrunkAuth::Registration {
        username: "acme".into(),
        password: "secret".into(),
        auth_username: None,
        contact_user: contact_user.into(),
        expires: 120,
    }
}

/// A SIP message read as text: enough to answer it and check a few headers.
#[derive(Debug, Clone)]
pub struct Message {
    pub start_line: String,
    pub headers: Vec<(String, String)>,
}

impl Message {
    pub fn parse(bytes: &[u8]) -> Message {
        let text = String::from_utf8_lossy(bytes);
        let head = text.split("\r\n\r\n").next().unwrap_or_default();
        let mut lines = head.split("\r\n");
        let start_line = lines.next().unwrap_or_default().to_owned();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
            .collect();
        Message {
            start_line,
            headers,
        }
    }

    pub fn method(&self) -> &str {
        self.start_line.split(' ').next().unwrap_or_default()
    }

    /// The status code of a response.
    pub fn status(&self) -> Option<u16> {
        self.start_line
            .strip_prefix("SIP/2.0 ")
            .and_then(|r| r.get(..3))
            .and_then(|c| c.parse().ok())
    }

    pub fn header<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        self.headers_named(name).next()
    }

    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The provider's end of the trunk.
pub struct Provider {
    pub socket: UdpSocket,
}

impl Provider {
    pub async fn bind() -> Provider {
        let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("bind provider");
        Provider { socket }
    }

    pub fn port(&self) -> u16 {
        self.socket.local_addr().expect("local addr").port()
    }

    /// The next message, and where it came from.
    pub async fn recv(&self) -> (Message, SocketAddr) {
        let mut buf = vec![0u8; 65_536];
        let (len, from) = tokio::time::timeout(PATIENCE, self.socket.recv_from(&mut buf))
            .await
            .expect("a message from the PBX in time")
            .expect("receive");
        (Message::parse(&buf[..len]), from)
    }

    /// The next request with this method, skipping anything else.
    pub async fn recv_request(&self, method: &str) -> (Message, SocketAddr) {
        loop {
            let (message, from) = self.recv().await;
            if message.method() == method {
                return (message, from);
            }
        }
    }

    /// Answers `request` with `status` (e.g. `200 OK`) and the extra header lines.
    pub async fn reply(&self, request: &Message, to: SocketAddr, status: &str, extra: &[String]) {
        let out = response(request, status, extra);
        self.socket
            .send_to(out.as_bytes(), to)
            .await
            .expect("send reply");
    }

    /// Sends raw bytes to the PBX.
    pub async fn send(&self, to: SocketAddr, bytes: &[u8]) {
        self.socket.send_to(bytes, to).await.expect("send");
    }
}

/// Repeats `check` until it gives a value, for state the PBX reaches after some
/// exchanges; fails the test after [`PATIENCE`].
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what} in time");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A response to `request` with `status` (e.g. `200 OK`) and the extra header lines.
pub fn response(request: &Message, status: &str, extra: &[String]) -> String {
    let mut out = format!("SIP/2.0 {status}\r\n");
    for via in request.headers_named("Via") {
        out.push_str(&format!("Via: {via}\r\n"));
    }
    for name in ["From", "Call-ID", "CSeq"] {
        if let Some(value) = request.header(name) {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    let to_header = request.header("To").unwrap_or_default();
    if to_header.contains(";tag=") {
        out.push_str(&format!("To: {to_header}\r\n"));
    } else {
        out.push_str(&format!("To: {to_header};tag=provider\r\n"));
    }
    for line in extra {
        out.push_str(line);
        out.push_str("\r\n");
    }
    out.push_str("Content-Length: 0\r\n\r\n");
    out
}
