//! A trunk saved while the PBX runs, whose provider is given by host name (`localhost`),
//! is picked up from the database, resolved, and registers with the provider: the REGISTER
//! arrives on the provider's socket, the digest challenge is answered, and the status
//! reaches `trunk_states` and the event subscribers.

mod trunk_support;

use engine::PbxEvent;
use pbx::trunk::TrunkStatus;
use trunk_support::{eventually, registration, start_pbx, trunk, Provider, PATIENCE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trunk_registers_with_a_provider_found_by_host_name() {
    let dir = tempfile::tempdir().expect("temp dir");
    let provider = Provider::bind().await;
    let engine = start_pbx(dir.path()).await;
    let handle = engine.handle.clone();
    let mut events = handle.subscribe();
    assert_eq!(handle.trunk_states().await.expect("running"), vec![]);

    // Saved by another connection, as the admin API does.
    let store = store::Store::open(dir.path()).expect("open store");
    let id = store
        .save_trunk(&trunk(
            "Provider",
            "localhost",
            provider.port(),
            registration("c0ffee42"),
        ))
        .expect("save trunk");

    let (first, pbx_addr) = provider.recv_request("REGISTER").await;
    assert!(
        first.start_line.starts_with("REGISTER sip:localhost"),
        "{}",
        first.start_line
    );
    let contact = first.header("Contact").expect("Contact");
    assert!(contact.contains("c0ffee42@"), "{contact}");
    assert!(
        handle.sip_addrs().contains(&pbx_addr),
        "sent from the PBX's SIP socket"
    );
    provider
        .reply(
            &first,
            pbx_addr,
            "401 Unauthorized",
            &[r#"WWW-Authenticate: Digest realm="provider.test", nonce="4e6f6e6365", algorithm=MD5, qop="auth""#.into()],
        )
        .await;

    let (second, from) = provider.recv_request("REGISTER").await;
    let authorization = second.header("Authorization").expect("Authorization");
    assert!(
        authorization.contains(r#"username="acme""#),
        "{authorization}"
    );
    assert!(
        authorization.contains(r#"realm="provider.test""#),
        "{authorization}"
    );
    assert_eq!(second.header("Call-ID"), first.header("Call-ID"));
    let contact = second.header("Contact").expect("Contact").to_owned();
    provider
        .reply(
            &second,
            from,
            "200 OK",
            &[
                format!("Contact: {contact};expires=120"),
                "Expires: 120".into(),
            ],
        )
        .await;

    let state = eventually("registered status", || {
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
    assert_eq!(state.name, "Provider");
    assert_eq!((state.lines_in_use, state.channels), (0, 2));
    let TrunkStatus::Registered { expires_in } = state.status else {
        unreachable!("matched above")
    };
    assert!(expires_in > 0 && expires_in <= 120, "{expires_in}");

    // Subscribers saw the same status go by.
    let seen = tokio::time::timeout(PATIENCE, async {
        loop {
            match events.recv().await {
                Ok(PbxEvent::TrunkStatus(s))
                    if s.id == id && matches!(s.status, TrunkStatus::Registered { .. }) =>
                {
                    return s
                }
                Ok(_) => continue,
                Err(e) => panic!("event stream ended: {e}"),
            }
        }
    })
    .await
    .expect("a registered event in time");
    assert_eq!(seen.name, "Provider");

    handle.shutdown().await;
    engine.wait().await;
}
