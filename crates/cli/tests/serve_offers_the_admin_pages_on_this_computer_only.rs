//! `switchboard serve` serves the admin pages next to the PBX on a loopback address,
//! prints where, refuses an address beyond this computer, keeps the PBX running when the
//! default admin port is taken, and stops both on SIGTERM.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Bound on every wait, so a broken server fails the test instead of hanging it.
const PATIENCE: Duration = Duration::from_secs(15);

struct Server {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Server {
    fn start(data: &std::path::Path, extra: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_switchboard"))
            .arg("--data")
            .arg(data)
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--rtp-ports",
                "42000-42099",
            ])
            .args(extra)
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

    /// The first printed line that contains `needle`.
    fn line_with(&self, needle: &str) -> String {
        loop {
            let line = self
                .lines
                .recv_timeout(PATIENCE)
                .unwrap_or_else(|_| panic!("serve never printed {needle:?}"));
            if line.contains(needle) {
                return line;
            }
        }
    }

    /// Sends SIGTERM (what service managers send) and returns the exit code.
    fn terminate(mut self) -> Option<i32> {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("run kill");
        assert!(sent.success());
        for _ in 0..150 {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        panic!("serve did not stop on SIGTERM");
    }
}

/// `POST /api/status` over a plain socket; the response as text.
fn post_status(addr: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect to the admin address");
    stream.set_read_timeout(Some(PATIENCE)).expect("timeout");
    write!(
        stream,
        "POST /api/status HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: 2\r\nConnection: close\r\n\r\n{{}}"
    )
    .expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    response
}

#[test]
fn the_admin_pages_are_served_on_loopback_and_announced() {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start(dir.path(), &["--http", "127.0.0.1:0"]);
    let line = server.line_with("in a browser");
    let url = line
        .strip_prefix("Open ")
        .and_then(|rest| rest.strip_suffix(" in a browser"))
        .unwrap_or_else(|| panic!("unexpected line {line:?}"));
    let addr = url
        .strip_prefix("http://127.0.0.1:")
        .map(|port| format!("127.0.0.1:{port}"));
    let addr = addr.unwrap_or_else(|| panic!("not a loopback URL: {url}"));
    let response = post_status(&addr);
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("\"running\":true"), "{response}");
    assert_eq!(server.terminate(), Some(0));
}

#[test]
fn an_admin_address_beyond_this_computer_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().expect("temp dir");
    for addr in ["0.0.0.0:8080", "192.0.2.1:8080", "[::]:8080"] {
        let out = common::run(
            dir.path(),
            &["serve", "--listen", "127.0.0.1:0", "--http", addr],
        );
        assert_eq!(out.status.code(), Some(2), "{addr}");
        let err = common::stderr(&out);
        assert!(err.contains("127.0.0.1") && err.contains("login"), "{err}");
    }
}

#[test]
fn the_pbx_keeps_running_when_the_saved_admin_port_is_taken() {
    let dir = tempfile::tempdir().expect("temp dir");
    let taken = TcpListener::bind("127.0.0.1:0").expect("take a port");
    let taken_addr = taken.local_addr().expect("addr");
    {
        let store = store::Store::open(dir.path()).expect("open store");
        let settings = store::Settings {
            admin_bind: taken_addr,
            ..store::Settings::default()
        };
        store.save_settings(&settings, 1_700_000_000).expect("save");
    }
    let server = Server::start(dir.path(), &[]);
    let line = server.line_with("admin pages are not available");
    assert!(line.contains(&taken_addr.to_string()), "{line}");
    assert!(line.contains("--http"), "{line}");
    assert_eq!(server.terminate(), Some(0));
    drop(taken);
}
