//! The load tool against a real PBX started in this process on loopback: every scenario
//! completes without failures, and the counters add up.

use std::net::{SocketAddr, UdpSocket};
use std::time::Duration;

use switchboard_bench::caller::Pacing;
use switchboard_bench::extensions::Extension;
use switchboard_bench::{calls, register, relay};

struct Pbx {
    addr: SocketAddr,
    extensions: Vec<Extension>,
    _stop: tokio::sync::oneshot::Sender<()>,
    _dir: tempfile::TempDir,
}

/// A free UDP port on loopback (free a moment ago; good enough for a test).
fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn start_pbx(extensions: usize) -> Pbx {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = store::Store::open(dir.path()).expect("store");
    let extensions = (0..extensions)
        .map(|i| {
            let number = format!("{}", 2001 + i);
            let created = store
                .create_extension(&number, &format!("Bench {number}"), "switchboard", 0)
                .expect("extension");
            Extension {
                number,
                name: created.extension.name,
                password: created.password,
            }
        })
        .collect();
    drop(store);
    let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let rtp = 40_000 + (free_port() % 10_000) / 2 * 2;
    let config = engine::Config {
        data_dir: dir.path().to_owned(),
        listen: vec![addr],
        tls_listen: Vec::new(),
        rtp_ports: rtp..=rtp + 199,
        realm: "switchboard".into(),
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = engine::run(config, async {
            let _ = stopped.await;
        })
        .await;
    });
    // Wait until the PBX answers on its SIP port.
    let probe = tokio::net::UdpSocket::bind("127.0.0.1:0")
        .await
        .expect("probe");
    let options = format!(
        "OPTIONS sip:{addr} SIP/2.0\r\nVia: SIP/2.0/UDP {};branch=z9hG4bKprobe\r\nFrom: <sip:probe@{addr}>;tag=1\r\nTo: <sip:{addr}>\r\nCall-ID: probe\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
        probe.local_addr().expect("addr")
    );
    let mut buf = [0u8; 4096];
    for _ in 0..100 {
        let _ = probe.send_to(options.as_bytes(), addr).await;
        let got = tokio::time::timeout(Duration::from_millis(50), probe.recv_from(&mut buf)).await;
        if matches!(got, Ok(Ok(_))) {
            break;
        }
    }
    Pbx {
        addr,
        extensions,
        _stop: stop,
        _dir: dir,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registrations_refresh_on_one_challenge_per_phone() {
    let pbx = start_pbx(20).await;
    let report = register::run(register::RegisterLoad {
        server: pbx.addr,
        extensions: pbx.extensions.clone(),
        duration: Duration::from_millis(700),
        concurrency: 8,
        phones_per_socket: 7,
        expires: 3600,
        timeout: Duration::from_secs(5),
        server_pid: None,
    })
    .await
    .expect("register run");
    let s = &report.stats;
    assert_eq!(s.failures(), 0, "{s:?}");
    assert_eq!(report.sockets, 3);
    // Each phone is challenged once, then refreshes with the same nonce.
    assert_eq!(s.challenged, 20);
    assert!(s.ok > 20, "only {} registrations", s.ok);
    assert_eq!(s.latency.count(), s.ok);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_are_answered_acknowledged_and_hung_up() {
    let pbx = start_pbx(12).await;
    let report = calls::run(calls::CallLoad {
        server: pbx.addr,
        extensions: pbx.extensions.clone(),
        callees: 2,
        pacing: Pacing::Window(4),
        duration: Duration::from_millis(700),
        hold: Duration::ZERO,
        sdp: true,
        ringing: true,
        phones_per_socket: 5,
        timeout: Duration::from_secs(5),
        server_pid: None,
    })
    .await
    .expect("calls run");
    let c = &report.calls;
    assert_eq!(c.failures(), 0, "{c:?}");
    assert!(c.completed > 0);
    assert_eq!(c.started, c.completed);
    assert_eq!(c.answered, c.completed);
    assert_eq!(report.answering.byes, c.completed);
    assert_eq!(report.answering.acked, c.completed);
    assert_eq!(report.caller_sockets, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audio_flows_both_ways_through_the_relay() {
    let pbx = start_pbx(8).await;
    let report = relay::run(relay::RelayLoad {
        server: pbx.addr,
        extensions: pbx.extensions.clone(),
        calls: 4,
        duration: Duration::from_millis(500),
        setup_rate: 50.0,
        streams_per_socket: 2,
        phones_per_socket: 3,
        timeout: Duration::from_secs(5),
        server_pid: None,
    })
    .await
    .expect("relay run");
    assert_eq!(report.calls_answered, 4);
    assert_eq!(report.streams, 8, "both phones of every call send");
    assert!(report.received > 0);
    assert!(report.received <= report.sent);
    assert_eq!(report.delay.count(), report.received);
    assert_eq!(report.signalling.completed, 4);
    assert_eq!(report.signalling.failures(), 0);
}
