//! A TCP trunk whose provider refuses the connection fails as unreachable (RFC 3261
//! §8.1.3.1: a transport error counts as 503) and shows `Failing` with that reason,
//! rather than waiting for the transaction to time out ("no answer", 408).

mod trunk_support;

use pbx::dialplan::TrunkTransport;
use pbx::trunk::TrunkStatus;
use trunk_support::{eventually, registration, start_pbx, trunk};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_trunk_to_a_closed_port_fails_as_unreachable() {
    let dir = tempfile::tempdir().expect("temp dir");
    // A port nobody listens on: taken, then given back.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = closed.local_addr().expect("addr").port();
    drop(closed);
    let mut tcp_trunk = trunk("Provider", "localhost", port, registration("c0ffee"));
    tcp_trunk.transport = TrunkTransport::Tcp;
    let id = store::Store::open(dir.path())
        .expect("open store")
        .save_trunk(&tcp_trunk)
        .expect("save trunk");
    let engine = start_pbx(dir.path()).await;
    let handle = engine.handle.clone();

    let reason = eventually("failing status", || {
        let handle = handle.clone();
        async move {
            handle
                .trunk_states()
                .await
                .expect("running")
                .into_iter()
                .find_map(|s| match s.status {
                    TrunkStatus::Failing { reason, .. } if s.id == id => Some(reason),
                    _ => None,
                })
        }
    })
    .await;
    assert!(reason.contains("could not be reached"), "{reason}");

    handle.shutdown().await;
    engine.wait().await;
}
