//! A real PBX on loopback with ephemeral ports and a temp data folder, the API served over
//! it on 127.0.0.1:0, and clients for it: HTTP, WebSocket, and a bare-bones SIP phone
//! that registers and calls with digest authentication.

#![allow(dead_code)] // each test file uses a different part

mod phone;

#[allow(unused_imports)] // not every test file calls phones
pub use phone::Phone;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpStream;
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
            tls_listen: Vec::new(),
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

    /// The API of a PC that is only a phone (`api::serve_phone_only`): no PBX, configured
    /// to take SIP on `listen` (which it must leave alone).
    pub async fn start_phone_only(listen: SocketAddr) -> Harness {
        let dir = tempfile::tempdir().expect("temp dir");
        store::Store::open(dir.path())
            .expect("store")
            .set_phone_only(true, 0)
            .expect("choose phone only");
        let config = engine::Config {
            data_dir: dir.path().to_path_buf(),
            listen: vec![listen],
            tls_listen: Vec::new(),
            rtp_ports: 41000..=41999,
            realm: REALM.to_owned(),
        };
        let api_config = api::ApiConfig::new("127.0.0.1:0".parse().expect("addr"), config);
        let api = api::serve_phone_only(api_config).await.expect("api serves");
        Harness {
            dir,
            engine: None,
            handle: engine::EngineHandle::not_running(),
            addr: api.local_addr(),
            api: Some(api),
            sip: listen,
            log_levels: Arc::new(Mutex::new(Vec::new())),
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
        let response = self.send(method, path, headers, body).await;
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

    async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: String,
    ) -> hyper::Response<hyper::body::Incoming> {
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
        tokio::time::timeout(PATIENCE, sender.send_request(request))
            .await
            .expect("answered in time")
            .expect("response")
    }

    /// A raw HTTP request; the status and the response headers (lower-case names).
    pub async fn headers_of(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (u16, Vec<(String, String)>) {
        let response = self.send(method, path, headers, String::new()).await;
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        (response.status().as_u16(), headers)
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

    /// The API stops and starts again on the same data folder, as when the app restarts.
    pub async fn restart_api(&mut self) {
        self.api.take().expect("api").shutdown().await;
        let config = engine::Config {
            data_dir: self.dir.path().to_path_buf(),
            listen: vec![self.sip],
            tls_listen: Vec::new(),
            rtp_ports: 41000..=41999,
            realm: REALM.to_owned(),
        };
        let again = api::serve(
            api::ApiConfig::new("127.0.0.1:0".parse().expect("addr"), config),
            self.handle.clone(),
        )
        .await
        .expect("api serves again");
        self.addr = again.local_addr();
        self.api = Some(again);
    }

    /// `get_phone` once the app's phone says it is registered.
    pub async fn phone_registered(&self) -> Value {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let state = self.ok("get_phone", json!({})).await;
            if state["registration"]["state"] == "registered" {
                return state;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "never registered: {state}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
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
