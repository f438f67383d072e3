//! Removing a registered trunk from the database while the PBX runs takes its registration
//! off the provider (a REGISTER with expiry 0) and drops it from `trunk_states`.

mod trunk_support;

use pbx::trunk::TrunkStatus;
use trunk_support::{eventually, registration, start_pbx, trunk, Provider};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removed_trunk_unregisters_from_the_provider() {
    let dir = tempfile::tempdir().expect("temp dir");
    let provider = Provider::bind().await;
    let store = store::Store::open(dir.path()).expect("open store");
    let id = store
        .save_trunk(&trunk(
            "Provider",
            "localhost",
            provider.port(),
            registration("c0ffee"),
        ))
        .expect("save trunk");
    let engine = start_pbx(dir.path()).await;
    let handle = engine.handle.clone();

    let (register, from) = provider.recv_request("REGISTER").await;
    let contact = register.header("Contact").expect("Contact").to_owned();
    provider
        .reply(
            &register,
            from,
            "200 OK",
            &[format!("Contact: {contact};expires=120")],
        )
        .await;
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

    store.remove_trunk(id).expect("remove trunk");
    let (unregister, from) = provider.recv_request("REGISTER").await;
    let expires = unregister.header("Expires").unwrap_or_default().to_owned();
    let contact = unregister.header("Contact").unwrap_or_default().to_owned();
    assert!(
        expires == "0" || contact.contains("expires=0"),
        "Expires: {expires}, Contact: {contact}"
    );
    assert_eq!(unregister.header("Call-ID"), register.header("Call-ID"));
    provider.reply(&unregister, from, "200 OK", &[]).await;
    eventually("the trunk gone from the list", || {
        let handle = handle.clone();
        async move {
            let states = handle.trunk_states().await.expect("running");
            states.iter().all(|s| s.id != id).then_some(())
        }
    })
    .await;

    handle.shutdown().await;
    engine.wait().await;
}
