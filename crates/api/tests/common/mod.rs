//! A real PBX on loopback with ephemeral ports and a temp data folder, the API served over
//! it on 127.0.0.1:0, and clients for it: HTTP, WebSocket, and a bare-bones SIP phone
//! that registers and calls with digest authentication.

#![allow(dead_code)] // each test file uses a different part

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use sip::auth::Challenge;
use tokio::net::{TcpStream, UdpSocket};
use tokio_tungstenite::tungstenite::Message;

/// Bound on every wait, so a broken server fails the test instead of hanging it.
pub const PATIENCE: Duration = Duration::from_secs(10);

pub const REALM: &str = "switchboard";

pub struct Harness {
    pub dir: tempfile::TempDir,
    pub engine: Option<engine::Engine>,
    pub handle: engine::EngineHandle,
    pub api: Option<api::ApiServer>,
    pub addr: SocketAddr,
    pub sip: SocketAddr,
    /// Every log level `save_settings` applied, in order.
    pub log_levels: Arc<Mutex<Vec<store::LogLevel>>>,
}

impl Harness {
    pub async fn start() -> Harness {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = engine::Config {
            data_dir: dir.path().to_path_buf(),
            listen: vec!["127.0.0.1:0".parse().expect("addr")],
            rtp_ports: 41000..=41999,
            realm: REALM.to_owned(),
        };
        let engine = start_engine(&config).await;
        let handle = engine.handle.clone();
        let sip = *handle.sip_addrs().first().expect("a SIP address");
        let log_levels = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&log_levels);
        let mut api_config = api::ApiConfig::new("127.0.0.1:0".parse().expect("addr"), config);
        api_config.log = Some(api::LogControl::new(move |level| {
            seen.lock().expect("lock").push(level);
            Ok(())
        }));
        let api = api::serve(api_config, handle.clone())
            .await
            .expect("api serves");
        Harness {
            dir,
            engine: Some(engine),
            handle,
            addr: api.local_addr(),
            api: Some(api),
            sip,
            log_levels,
        }
    }

    /// A fresh connection to the database, to check what was (not) saved.
    pub fn store(&self) -> store::Store {
        store::Store::open(self.dir.path()).expect("open store")
    }

    /// `POST /api/<command>` with a JSON body; the status and the JSON answer.
    pub async fn call(&self, command: &str, request: Value) -> (u16, Value) {
        let (status, body) = self
            .post(&format!("/api/{command}"), &[], request.to_string())
            .await;
        let json = serde_json::from_str(&body)
            .unwrap_or_else(|e| panic!("{command}: answer is not JSON ({e}): {body}"));
        (status, json)
    }

    /// A command that must succeed; its response.
    pub async fn ok(&self, command: &str, request: Value) -> Value {
        let (status, body) = self.call(command, request).await;
        assert_eq!(status, 200, "{command} failed: {body}");
        body
    }

    /// A command that must be refused with `status`; its `error` object.
    pub async fn refused(&self, command: &str, request: Value, status: u16) -> Value {
        let (got, body) = self.call(command, request.clone()).await;
        assert_eq!(got, status, "{command} {request}: {body}");
        body.get("error")
            .cloned()
            .unwrap_or_else(|| panic!("{command}: no error object in {body}"))
    }

    /// A raw HTTP request; the status and the body as text.
    pub async fn post(&self, path: &str, headers: &[(&str, &str)], body: String) -> (u16, String) {
        self.http("POST", path, headers, body).await
    }

    pub async fn get(&self, path: &str) -> (u16, String, String) {
        let (status, content_type, body) = self.http_full("GET", path, &[], String::new()).await;
        (status, content_type, body)
    }

    async fn http(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: String,
    ) -> (u16, String) {
        let (status, _, body) = self.http_full(method, path, headers, body).await;
        (status, body)
    }

    async fn http_full(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: String,
    ) -> (u16, String, String) {
        let stream = TcpStream::connect(self.addr).await.expect("connect");
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .expect("handshake");
        tokio::spawn(conn);
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header("host", self.addr.to_string())
            .header("content-type", "application/json");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request.body(Full::new(Bytes::from(body))).expect("request");
        let response = tokio::time::timeout(PATIENCE, sender.send_request(request))
            .await
            .expect("answered in time")
            .expect("response");
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (
            status,
            content_type,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    pub async fn ws(&self) -> Ws {
        let url = format!("ws://{}/api/ws", self.addr);
        let (stream, _) = tokio_tungstenite::connect_async(url)
            .await
            .expect("websocket connects");
        Ws { stream }
    }

    /// Adds an extension through the API; its password.
    pub async fn add_extension(&self, number: &str, name: &str) -> String {
        let added = self
            .ok("add_extension", json!({"number": number, "name": name}))
            .await;
        added["password"].as_str().expect("a password").to_owned()
    }

    pub async fn stop(mut self) {
        if let Some(api) = self.api.take() {
            api.shutdown().await;
        }
        self.handle.shutdown().await;
        if let Some(engine) = self.engine.take() {
            engine.wait().await;
        }
    }
}

/// Starts the PBX. With port 0 the engine takes a free UDP port and then needs the same
/// TCP port, which another socket may hold by chance: try again then.
pub async fn start_engine(config: &engine::Config) -> engine::Engine {
    let mut attempts = 0;
    loop {
        match engine::start(config.clone()).await {
            Ok(engine) => return engine,
            Err(engine::EngineError::Bind(addr, e)) if attempts < 5 => {
                attempts += 1;
                eprintln!("SIP port {addr} was taken ({e}); trying another");
            }
            Err(e) => panic!("engine does not start: {e}"),
        }
    }
}

pub struct Ws {
    stream: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<TcpStream>>,
}

impl Ws {
    pub async fn send_text(&mut self, text: String) {
        self.stream
            .send(Message::Text(text.into()))
            .await
            .expect("send");
    }

    pub async fn send(&mut self, id: u64, command: &str, request: Value) {
        self.send_text(json!({"id": id, "command": command, "request": request}).to_string())
            .await;
    }

    /// The next JSON message, or `None` when the server closed the connection.
    pub async fn next(&mut self) -> Option<Value> {
        loop {
            let message = tokio::time::timeout(PATIENCE, self.stream.next())
                .await
                .expect("a message in time");
            match message {
                Some(Ok(Message::Text(text))) => {
                    return Some(serde_json::from_str(text.as_str()).expect("JSON message"))
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
                Some(Ok(_)) => continue,
            }
        }
    }

    /// Reads messages until one matches, skipping the others.
    pub async fn wait_for(&mut self, what: &str, matches: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            assert!(
                tokio::time::Instant::now() < deadline,
                "gave up waiting for {what}"
            );
            let message = self
                .next()
                .await
                .unwrap_or_else(|| panic!("connection closed while waiting for {what}"));
            if matches(&message) {
                return message;
            }
        }
    }

    /// The answer to request `id`, skipping events.
    pub async fn answer(&mut self, id: u64) -> Value {
        self.wait_for(&format!("the answer to {id}"), |m| m["id"] == json!(id))
            .await
    }

    /// The next event of this type.
    pub async fn event(&mut self, kind: &str) -> Value {
        self.wait_for(&format!("a {kind} event"), |m| m["event"]["type"] == kind)
            .await["event"]
            .clone()
    }
}

/// A SIP response as the phone reads it.
pub struct SipResponse {
    pub status: u16,
    pub text: String,
}

impl SipResponse {
    pub fn headers<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let text: &'a str = &self.text;
        text.lines().filter_map(move |line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    pub fn header<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        self.headers(name).next()
    }
}

/// A phone: one UDP socket, plain-text SIP, digest answers from the `sip` crate.
pub struct Phone {
    pub socket: UdpSocket,
    pub server: SocketAddr,
    pub number: String,
    pub password: String,
    cseq: u32,
    next_branch: u32,
}

impl Phone {
    pub async fn new(server: SocketAddr, number: &str, password: &str) -> Phone {
        Phone {
            socket: UdpSocket::bind("127.0.0.1:0").await.expect("bind phone"),
            server,
            number: number.to_owned(),
            password: password.to_owned(),
            cseq: 0,
            next_branch: 0,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.socket.local_addr().expect("phone address")
    }

    fn branch(&mut self) -> String {
        self.next_branch += 1;
        format!("z9hG4bK-{}-{}", self.number, self.next_branch)
    }

    /// REGISTER for `expires` seconds (0 signs off), answering the digest challenge.
    /// The final status.
    pub async fn register(&mut self, expires: u32) -> u16 {
        let call_id = format!("reg-{}@test", self.number);
        let uri = format!("sip:{}", self.server);
        let mut authorization: Option<String> = None;
        for _ in 0..2 {
            self.cseq += 1;
            let branch = self.branch();
            let me = self.addr();
            let mut msg = format!(
                "REGISTER {uri} SIP/2.0\r\n\
                 Via: SIP/2.0/UDP {me};branch={branch};rport\r\n\
                 Max-Forwards: 70\r\n\
                 From: <sip:{n}@{s}>;tag=reg{n}\r\n\
                 To: <sip:{n}@{s}>\r\n\
                 Call-ID: {call_id}\r\n\
                 CSeq: {cseq} REGISTER\r\n\
                 Contact: <sip:{n}@{me}>\r\n\
                 Expires: {expires}\r\n\
                 User-Agent: ApiTestPhone/1.0\r\n",
                n = self.number,
                s = self.server,
                cseq = self.cseq,
            );
            if let Some(a) = &authorization {
                msg.push_str(&format!("Authorization: {a}\r\n"));
            }
            msg.push_str("Content-Length: 0\r\n\r\n");
            self.send(&msg).await;
            let response = self.final_response().await;
            if response.status != 401 {
                return response.status;
            }
            authorization = Some(self.answer(&response, "REGISTER", &uri));
        }
        401
    }

    /// Starts a call to `callee` (an INVITE without SDP, answering the challenge); returns
    /// the call's Call-ID once the PBX is trying.
    pub async fn call(&mut self, callee: &str) -> String {
        let call_id = format!("call-{}-{}@test", self.number, self.cseq);
        let uri = format!("sip:{callee}@{}", self.server);
        let mut authorization: Option<String> = None;
        for _ in 0..2 {
            self.cseq += 1;
            let branch = self.branch();
            let me = self.addr();
            let head = format!(
                "Via: SIP/2.0/UDP {me};branch={branch};rport\r\n\
                 From: <sip:{n}@{s}>;tag=call{n}\r\n\
                 To: <sip:{callee}@{s}>\r\n\
                 Call-ID: {call_id}\r\n",
                n = self.number,
                s = self.server,
            );
            let mut msg = format!(
                "INVITE {uri} SIP/2.0\r\n{head}Max-Forwards: 70\r\nCSeq: {cseq} INVITE\r\n\
                 Contact: <sip:{n}@{me}>\r\n",
                cseq = self.cseq,
                n = self.number,
            );
            if let Some(a) = &authorization {
                msg.push_str(&format!("Authorization: {a}\r\n"));
            }
            msg.push_str("Content-Length: 0\r\n\r\n");
            self.send(&msg).await;
            let response = self.response_after_provisional(100).await;
            if response.status == 100 {
                return call_id;
            }
            assert_eq!(response.status, 401, "INVITE: {}", response.text);
            // RFC 3261 §17.1.1.3: a non-2xx final response to INVITE is acknowledged
            // with the same branch and the To tag it carried.
            let to = response.header("To").unwrap_or_default().to_owned();
            let ack = format!(
                "ACK {uri} SIP/2.0\r\nVia: SIP/2.0/UDP {me};branch={branch};rport\r\n\
                 From: <sip:{n}@{s}>;tag=call{n}\r\nTo: {to}\r\nCall-ID: {call_id}\r\n\
                 Max-Forwards: 70\r\nCSeq: {cseq} ACK\r\nContent-Length: 0\r\n\r\n",
                n = self.number,
                s = self.server,
                cseq = self.cseq,
            );
            self.send(&ack).await;
            authorization = Some(self.answer(&response, "INVITE", &uri));
        }
        panic!("INVITE was challenged twice");
    }

    fn answer(&self, response: &SipResponse, method: &str, uri: &str) -> String {
        let challenge = Challenge::first_supported(response.headers("WWW-Authenticate"))
            .expect("a digest challenge we can answer");
        challenge.authorization(&self.number, &self.password, method, uri, 1, "0a4f113b")
    }

    async fn send(&self, msg: &str) {
        self.socket
            .send_to(msg.as_bytes(), self.server)
            .await
            .expect("send SIP");
    }

    /// The next message from the PBX, request or response.
    pub async fn recv(&self) -> String {
        let mut buf = vec![0u8; 65536];
        let (len, _) = tokio::time::timeout(PATIENCE, self.socket.recv_from(&mut buf))
            .await
            .expect("a SIP message in time")
            .expect("recv");
        String::from_utf8_lossy(&buf[..len]).into_owned()
    }

    /// The next request the PBX sends to this phone (skipping responses), e.g. an INVITE.
    pub async fn next_request(&self, method: &str) -> String {
        loop {
            let text = self.recv().await;
            if text.starts_with(method) {
                return text;
            }
        }
    }

    /// The next response that is final, or is the provisional `wanted`.
    async fn response_after_provisional(&self, wanted: u16) -> SipResponse {
        loop {
            let text = self.recv().await;
            let Some(status) = text
                .strip_prefix("SIP/2.0 ")
                .and_then(|rest| rest.get(..3))
                .and_then(|code| code.parse::<u16>().ok())
            else {
                continue; // a request, not for this exchange
            };
            if status >= 200 || status == wanted {
                return SipResponse { status, text };
            }
        }
    }

    async fn final_response(&self) -> SipResponse {
        self.response_after_provisional(u16::MAX).await
    }
}
