//! A trunk set to TCP opens a connection to the provider (there is none to reuse), sends
//! its REGISTER over it, and takes the answer from the same connection.

mod trunk_support;

use pbx::dialplan::TrunkTransport;
use pbx::trunk::TrunkStatus;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use trunk_support::{eventually, registration, response, start_pbx, trunk, Message, PATIENCE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_trunk_registers_over_its_own_connection() {
    let dir = tempfile::tempdir().expect("temp dir");
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind provider");
    let port = listener.local_addr().expect("addr").port();
    let mut tcp_trunk = trunk("Provider", "localhost", port, registration("c0ffee"));
    tcp_trunk.transport = TrunkTransport::Tcp;
    let id = store::Store::open(dir.path())
        .expect("open store")
        .save_trunk(&tcp_trunk)
        .expect("save trunk");
    let engine = start_pbx(dir.path()).await;
    let handle = engine.handle.clone();

    let (mut stream, _) = tokio::time::timeout(PATIENCE, listener.accept())
        .await
        .expect("the PBX connects in time")
        .expect("accept");
    let register = read_message(&mut stream).await;
    assert_eq!(register.method(), "REGISTER");
    let via = register.header("Via").expect("Via");
    assert!(via.starts_with("SIP/2.0/TCP "), "{via}");
    let contact = register.header("Contact").expect("Contact").to_owned();
    let ok = response(
        &register,
        "200 OK",
        &[format!("Contact: {contact};expires=120")],
    );
    stream.write_all(ok.as_bytes()).await.expect("answer");

    eventually("registered status", || {
        let handle = handle.clone();
        async move {
            handle
                .trunk_states()
                .await
                .expect("running")
                .into_iter()
                .find(|s| s.id == id && matches!(s.status, TrunkStatus::Registered { .. }))
        }
    })
    .await;

    handle.shutdown().await;
    engine.wait().await;
}

/// Reads one bodyless SIP message from the stream.
async fn read_message(stream: &mut TcpStream) -> Message {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tokio::time::timeout(PATIENCE, stream.read(&mut chunk))
            .await
            .expect("a message in time")
            .expect("read");
        assert!(n > 0, "the PBX closed the connection");
        buf.extend_from_slice(&chunk[..n]);
    }
    Message::parse(&buf)
}
