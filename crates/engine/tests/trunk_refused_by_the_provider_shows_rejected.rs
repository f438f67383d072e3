//! A provider that answers the trunk's REGISTER with 403 Forbidden leaves the trunk
//! `Rejected` with the provider's answer as the reason, for the owner to see in
//! `trunk_states`. The trunk is in the database before the PBX starts.

mod trunk_support;

use pbx::trunk::TrunkStatus;
use trunk_support::{eventually, registration, start_pbx, trunk, Provider};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trunk_refused_by_the_provider_shows_rejected() {
    let dir = tempfile::tempdir().expect("temp dir");
    let provider = Provider::bind().await;
    let id = store::Store::open(dir.path())
        .expect("open store")
        .save_trunk(&trunk(
            "Provider",
            "localhost",
            provider.port(),
            registration("f00d"),
        ))
        .expect("save trunk");
    let engine = start_pbx(dir.path()).await;
    let handle = engine.handle.clone();

    let (register, from) = provider.recv_request("REGISTER").await;
    provider.reply(&register, from, "403 Forbidden", &[]).await;

    let reason = eventually("rejected status", || {
        let handle = handle.clone();
        async move {
            handle
                .trunk_states()
                .await
                .expect("running")
                .into_iter()
                .find_map(|s| match s.status {
                    TrunkStatus::Rejected { reason } if s.id == id => Some(reason),
                    _ => None,
                })
        }
    })
    .await;
    assert!(reason.contains("403"), "{reason}");

    handle.shutdown().await;
    engine.wait().await;
}
