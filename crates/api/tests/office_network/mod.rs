//! The admin pages served on every address, with an owner login and a staff login already
//! set, and a bare HTTP client that connects from this computer's office-network address
//! (not loopback), as a browser on another desk would.

#![allow(dead_code)] // each test file uses a different part

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, UdpSocket};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpStream;

use crate::common;

pub const OWNER: &str = "boss";
pub const OWNER_PASSWORD: &str = "tall-green-lamp-42";
pub const STAFF: &str = "201";
pub const STAFF_PASSWORD: &str = "staff-web-pass-7";

pub struct Office {
    pub dir: tempfile::TempDir,
    pub engine: Option<engine::Engine>,
    pub api: Option<api::ApiServer>,
    /// The API at this computer's network address.
    pub lan: SocketAddr,
    /// The same API on loopback.
    pub local: SocketAddr,
}

pub struct Answer {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    pub fn message(&self) -> String {
        self.json()["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }
}

/// A logged-in browser: its cookie and CSRF token.
pub struct Login {
    pub cookie: String,
    pub csrf: String,
}

/// This computer's address on its network (the one its default route leaves from).
pub fn network_address() -> IpAddr {
    for target in ["203.0.113.1:9", "192.0.2.1:9", "10.255.255.1:9"] {
        let Ok(socket) = UdpSocket::bind("0.0.0.0:0") else {
            continue;
        };
        if socket.connect(target).is_err() {
            continue;
        }
        if let Ok(addr) = socket.local_addr() {
            if !addr.ip().is_loopback() && !addr.ip().is_unspecified() {
                return addr.ip();
            }
        }
    }
    panic!("this computer has no network address besides loopback to test from");
}

impl Office {
    pub async fn start() -> Office {
        let dir = tempfile::tempdir().expect("temp dir");
        {
            let store = store::Store::open(dir.path()).expect("store");
            store.set_owner_login(OWNER, OWNER_PASSWORD).expect("owner");
            for (number, name) in [("201", "Ana"), ("202", "Ben")] {
                store
                    .create_extension(number, name, common::REALM, 0)
                    .expect("extension");
            }
            store.set_staff_login(STAFF, STAFF_PASSWORD).expect("staff");
        }
        let config = engine::Config {
            data_dir: dir.path().to_path_buf(),
            listen: vec!["127.0.0.1:0".parse().expect("addr")],
            tls_listen: Vec::new(),
            rtp_ports: 41000..=41999,
            realm: common::REALM.to_owned(),
        };
        let engine = common::start_engine(&config).await;
        let api = api::serve(
            api::ApiConfig::new("0.0.0.0:0".parse().expect("addr"), config),
            engine.handle.clone(),
        )
        .await
        .expect("served on every address once an owner login is set");
        let port = api.local_addr().port();
        Office {
            dir,
            engine: Some(engine),
            api: Some(api),
            lan: SocketAddr::new(network_address(), port),
            local: SocketAddr::new("127.0.0.1".parse().expect("ip"), port),
        }
    }

    pub fn api(&self) -> &api::ApiServer {
        self.api.as_ref().expect("running")
    }

    pub async fn request(
        &self,
        to: SocketAddr,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> Answer {
        let stream = TcpStream::connect(to).await.expect("connect");
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
            .await
            .expect("handshake");
        tokio::spawn(conn);
        let mut request = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header("host", to.to_string())
            .header("content-type", "application/json");
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(Full::new(Bytes::from(body.to_owned())))
            .expect("request");
        let response = tokio::time::timeout(common::PATIENCE, sender.send_request(request))
            .await
            .expect("answered in time")
            .expect("response");
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        Answer {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// `POST /api/auth/login` from the network.
    pub async fn try_login(&self, username: &str, password: &str) -> Answer {
        let body = serde_json::json!({"username": username, "password": password}).to_string();
        self.request(self.lan, "POST", "/api/auth/login", &[], &body)
            .await
    }

    pub async fn login(&self, username: &str, password: &str) -> Login {
        let answer = self.try_login(username, password).await;
        assert_eq!(answer.status, 200, "{}", answer.body);
        let set_cookie = answer.headers.get("set-cookie").expect("a cookie").clone();
        let cookie = set_cookie.split(';').next().expect("name=value").to_owned();
        let csrf = answer.json()["csrf_token"]
            .as_str()
            .expect("a CSRF token")
            .to_owned();
        Login { cookie, csrf }
    }

    /// A command from the network as `login`, with its CSRF token.
    pub async fn command(&self, login: &Login, command: &str, request: &str) -> Answer {
        let path = format!("/api/{command}");
        self.request(
            self.lan,
            "POST",
            &path,
            &[("cookie", &login.cookie), ("x-csrf-token", &login.csrf)],
            request,
        )
        .await
    }

    pub async fn stop(mut self) {
        if let Some(api) = self.api.take() {
            api.shutdown().await;
        }
        if let Some(engine) = self.engine.take() {
            engine.handle.shutdown().await;
            engine.wait().await;
        }
    }
}
