//! The backend switching between "this PC runs the phone system" and "connect to my
//! office" in one process: the SIP port is bound only in the first, and let go as soon as
//! the PBX stops, so the switch needs no restart of the app.

use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::path::Path;
use std::sync::OnceLock;

use clap::Parser;

use crate::backend::{Backend, Mode};
use crate::logging::{self, Logging};
use crate::options::Options;

fn logging() -> Logging {
    static LOGGING: OnceLock<Logging> = OnceLock::new();
    LOGGING.get_or_init(|| logging::init(Some("warn"))).clone()
}

/// A loopback port free now over UDP and TCP.
fn free_port() -> SocketAddr {
    let udp = UdpSocket::bind("127.0.0.1:0").expect("udp");
    udp.local_addr().expect("addr")
}

fn sip_port_is_bound(sip: SocketAddr) -> bool {
    UdpSocket::bind(sip).is_err() || TcpListener::bind(sip).is_err()
}

fn options(sip: SocketAddr) -> Options {
    Options::try_parse_from([
        "switchboard-desktop",
        "--listen",
        &sip.to_string(),
        "--rtp-ports",
        "43000-43099",
        "--http",
        "127.0.0.1:0",
    ])
    .expect("options")
}

fn mode(data: &Path) -> Mode {
    Mode::of(&store::Store::open(data).expect("store")).expect("mode")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_install_waits_for_the_choice_and_switching_binds_and_frees_the_sip_port() {
    let dir = tempfile_dir("switch");
    let sip = free_port();
    let options = options(sip);

    // A new install: the question is asked over the API, nothing takes calls.
    let backend = Backend::start(&options, &dir, logging())
        .await
        .expect("starts");
    assert_eq!(mode(&dir), Mode::Unasked);
    assert!(!backend.runs_pbx());
    assert!(!sip_port_is_bound(sip), "no SIP port before the choice");
    let answer = backend
        .api()
        .call("set_app_mode", serde_json::json!({"phone_only": false}))
        .await
        .expect("set_app_mode");
    assert_eq!(answer["chosen"], true);

    // "This PC runs the phone system": the backend starts again with the PBX.
    backend.stop().await;
    let backend = Backend::start(&options, &dir, logging())
        .await
        .expect("starts the PBX");
    assert!(backend.runs_pbx());
    assert!(sip_port_is_bound(sip), "the PBX takes SIP");

    // "Connect to my office" from Settings: stopped, the port is free at once.
    backend
        .api()
        .call("set_app_mode", serde_json::json!({"phone_only": true}))
        .await
        .expect("set_app_mode");
    backend.stop().await;
    assert!(
        !sip_port_is_bound(sip),
        "the stopped PBX let the SIP port go"
    );
    let backend = Backend::start(&options, &dir, logging())
        .await
        .expect("starts phone-only");
    assert!(!backend.runs_pbx());
    assert!(!sip_port_is_bound(sip), "a phone-only PC takes no SIP");

    // And back, in the same process.
    backend
        .api()
        .call("set_app_mode", serde_json::json!({"phone_only": false}))
        .await
        .expect("set_app_mode");
    backend.stop().await;
    let backend = Backend::start(&options, &dir, logging())
        .await
        .expect("starts the PBX again");
    assert!(sip_port_is_bound(sip), "the PBX takes SIP again");
    backend.stop().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_install_from_before_the_question_keeps_running_the_phone_system() {
    let dir = tempfile_dir("older");
    let store = store::Store::open(&dir).expect("store");
    assert_eq!(Mode::of(&store).expect("mode"), Mode::Unasked);
    store.set_setup_complete(true).expect("setup");
    assert_eq!(Mode::of(&store).expect("mode"), Mode::Pbx);
    store.set_phone_only(true, 1).expect("choose");
    assert_eq!(Mode::of(&store).expect("mode"), Mode::PhoneOnly);
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

fn tempfile_dir(what: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "switchboard-desktop-{what}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}
