//! `trunk list` shows each trunk's settings (never its password), and its live status and
//! lines in use when `serve` is running: here a provider that refuses the registration
//! (403) shows as rejected, and an IP-mode trunk as taking calls from its addresses.
//! Without a running PBX the list still works and says the status is unknown.

mod common;

use std::io::{BufRead, BufReader};
use std::net::UdpSocket;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use common::{json, ok};
use pbx::dialplan::{Destination, DtmfMode, Trunk, TrunkAuth, TrunkTransport};

/// Bound on every wait, so a broken server fails the test instead of hanging it.
const PATIENCE: Duration = Duration::from_secs(15);

fn trunk(name: &str, port: u16, auth: TrunkAuth) -> Trunk {
    Trunk {
        id: 0,
        name: name.into(),
        enabled: true,
        host: "127.0.0.1".into(),
        port: Some(port),
        transport: TrunkTransport::Udp,
        outbound_proxy: None,
        auth,
        channels: 3,
        codecs: vec!["PCMU".into()],
        dtmf: DtmfMode::Rfc4733,
        from_user: None,
        caller_id: None,
        trust_pai: false,
        overflow: None,
        default_destination: Destination::Hangup,
    }
}

/// A provider that answers every request with 403 Forbidden, on its own thread.
fn refusing_provider() -> u16 {
    let socket = UdpSocket::bind("127.0.0.1:0").expect("bind provider");
    let port = socket.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut buf = [0u8; 65_536];
        while let Ok((len, from)) = socket.recv_from(&mut buf) {
            let text = String::from_utf8_lossy(&buf[..len]).into_owned();
            if text.starts_with("SIP/2.0") {
                continue;
            }
            let mut reply = String::from("SIP/2.0 403 Forbidden\r\n");
            for line in text.split("\r\n").skip(1) {
                let name = line.split(':').next().unwrap_or("").trim();
                if ["via", "from", "to", "call-id", "cseq"]
                    .iter()
                    .any(|h| name.eq_ignore_ascii_case(h))
                {
                    reply.push_str(line);
                    reply.push_str("\r\n");
                }
            }
            reply.push_str("Content-Length: 0\r\n\r\n");
            let _ = socket.send_to(reply.as_bytes(), from);
        }
    });
    port
}

struct Server {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Server {
    fn start(data: &std::path::Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .arg("--data")
            .arg(data)
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--rtp-ports",
                "42100-42199",
                "--http",
                "127.0.0.1:0",
            ])
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start switchboard serve");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        Server { child, lines }
    }

    /// `127.0.0.1:PORT` from "Open http://127.0.0.1:PORT in a browser".
    fn admin_addr(&self) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(PATIENCE)
                .expect("serve announces the admin pages");
            if let Some(url) = line
                .strip_prefix("Open http://")
                .and_then(|rest| rest.strip_suffix(" in a browser"))
            {
                return url.trim_end_matches('/').to_owned();
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn trunk_list_shows_the_live_status_of_a_running_pbx() {
    let dir = tempfile::tempdir().expect("temp dir");
    let provider = refusing_provider();
    {
        let store = store::Store::open(dir.path()).expect("open store");
        let registration = TrunkAuth::Registration {
            username: "acme".into(),
            password: "hunter2-secret".into(),
            auth_username: None,
            contact_user: "c0ffee".into(),
            expires: 120,
        };
        store
            .save_trunk(&trunk("Main line", provider, registration))
            .expect("save");
        let ip_mode = TrunkAuth::Ip {
            allowed: vec!["127.0.0.1".into()],
        };
        store
            .save_trunk(&trunk("Backup", provider, ip_mode))
            .expect("save");
    }

    // No PBX running: settings, and a status nobody knows.
    let nobody = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
    let nobody_addr = nobody.local_addr().expect("addr").to_string();
    drop(nobody);
    let offline = json(
        dir.path(),
        &["trunk", "list", "--json", "--http", &nobody_addr],
    );
    assert_eq!(offline[0]["name"], "Main line");
    assert_eq!(offline[0]["mode"], "registration");
    assert_eq!(offline[0]["channels"], 3);
    assert!(offline[0]["status"].is_null());
    let text = ok(dir.path(), &["trunk", "list", "--http", &nobody_addr]);
    assert!(text.contains("not running"), "{text}");
    assert!(!text.contains("hunter2"), "the password is never shown");

    let server = Server::start(dir.path());
    let admin = server.admin_addr();
    let deadline = Instant::now() + PATIENCE;
    let listed = loop {
        let listed = json(dir.path(), &["trunk", "list", "--json", "--http", &admin]);
        if listed[0]["status"]["state"] == "rejected" {
            break listed;
        }
        assert!(Instant::now() < deadline, "never rejected: {listed}");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(listed[0]["lines_in_use"], 0);
    assert_eq!(listed[1]["name"], "Backup");
    assert_eq!(listed[1]["status"]["state"], "ip");
    assert!(
        !listed.to_string().contains("hunter2"),
        "the password is never shown"
    );

    let text = ok(dir.path(), &["trunk", "list", "--http", &admin]);
    assert!(text.contains("REJECTED"), "{text}");
    assert!(text.contains("0 of 3"), "{text}");
}
