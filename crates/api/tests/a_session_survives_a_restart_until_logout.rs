//! Sessions are kept in the database (only a hash of the cookie): after the server restarts
//! on the same database the browser's cookie and CSRF token still work; after logout they
//! do not, before or after another restart.

mod common;
mod office_network;

use std::net::SocketAddr;

use office_network::{network_address, Login, Office, STAFF, STAFF_PASSWORD};
use sha2::{Digest, Sha256};

/// Whether the database holds a row for `login`'s session, however old; and whether it
/// holds one under the cookie value itself (it must not).
fn stored(office: &Office, login: &Login) -> (bool, bool) {
    let id = login.cookie.split_once('=').map(|(_, v)| v).expect("id");
    let hash = hex::encode(Sha256::digest(id.as_bytes()));
    let store = store::Store::open(office.dir.path()).expect("store");
    (
        store.admin_session(&hash, 0).expect("read").is_some(),
        store.admin_session(id, 0).expect("read").is_some(),
    )
}

/// Stops the API and the PBX and starts them again on the same data folder.
async fn restart(mut office: Office) -> Office {
    if let Some(api) = office.api.take() {
        api.shutdown().await;
    }
    if let Some(engine) = office.engine.take() {
        engine.handle.shutdown().await;
        engine.wait().await;
    }
    let config = engine::Config {
        data_dir: office.dir.path().to_path_buf(),
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
    .expect("served again");
    let port = api.local_addr().port();
    office.engine = Some(engine);
    office.api = Some(api);
    office.lan = SocketAddr::new(network_address(), port);
    office.local = SocketAddr::new("127.0.0.1".parse().expect("ip"), port);
    office
}

#[tokio::test]
async fn a_logged_in_browser_stays_logged_in_across_a_restart_until_it_logs_out() {
    let office = Office::start().await;
    let login = office.login(STAFF, STAFF_PASSWORD).await;
    assert_eq!(office.command(&login, "status", "{}").await.status, 200);
    assert_eq!(
        stored(&office, &login),
        (true, false),
        "kept, under the cookie's hash only"
    );

    let office = restart(office).await;
    let after = office.command(&login, "status", "{}").await;
    assert_eq!(
        after.status, 200,
        "the cookie works after a restart: {}",
        after.body
    );
    let session = office
        .request(
            office.lan,
            "GET",
            "/api/auth/session",
            &[("cookie", &login.cookie)],
            "",
        )
        .await;
    assert_eq!(session.json()["user"]["name"], STAFF, "{}", session.body);
    assert_eq!(session.json()["csrf_token"], login.csrf.as_str());

    let out = office
        .request(
            office.lan,
            "POST",
            "/api/auth/logout",
            &[("cookie", &login.cookie), ("x-csrf-token", &login.csrf)],
            "",
        )
        .await;
    assert_eq!(out.status, 204);
    assert_eq!(office.command(&login, "status", "{}").await.status, 401);
    assert_eq!(
        stored(&office, &login),
        (false, false),
        "logout removed the row"
    );
    let office = restart(office).await;
    assert_eq!(
        office.command(&login, "status", "{}").await.status,
        401,
        "a logged-out cookie stays out after a restart"
    );
    office.stop().await;
}

#[tokio::test]
async fn expired_sessions_are_purged_at_the_next_login() {
    let office = Office::start().await;
    let old = office.login(STAFF, STAFF_PASSWORD).await;
    office
        .api()
        .advance_login_clock(std::time::Duration::from_secs(9 * 3600));
    let new = office.login(STAFF, STAFF_PASSWORD).await;
    assert_eq!(
        stored(&office, &old),
        (false, false),
        "the expired row was purged"
    );
    assert_eq!(stored(&office, &new), (true, false));
    assert_eq!(office.command(&old, "status", "{}").await.status, 401);
    office.stop().await;
}
