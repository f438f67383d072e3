//! A setup link made for an extension is redeemed once, over HTTPS trusted by the
//! certificate fingerprint in the link: the account comes back with a new password that
//! replaces the old one, and a second use, a revoked or a forged link are refused.

mod common;

use common::Harness;
use serde_json::json;

async fn link_for(h: &Harness, number: &str) -> String {
    let made = h
        .ok("create_setup_link", json!({"extension": number}))
        .await;
    assert!(made["qr_svg"].as_str().expect("svg").starts_with("<?xml"));
    assert_eq!(made["public"], false);
    made["link"].as_str().expect("link").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_gives_the_account_once_with_a_new_password() {
    let h = Harness::start().await;
    let old = h.add_extension("201", "Rita").await;
    let text = link_for(&h, "201").await;
    assert!(!text.contains(&old), "the link never carries a password");
    let link = api::SetupLink::parse(&text).expect("a setup link");

    let got = api::redeem_setup_link(&link).await.expect("redeemed");
    assert_eq!(got.account.user, "201");
    assert_eq!(got.account.display_name.as_deref(), Some("Rita"));
    assert_eq!(got.server, format!("{}:{}", link.host, h.sip.port()));
    assert_ne!(got.account.password, old);
    let stored = h.store().extension("201").expect("query").expect("exists");
    assert_eq!(
        stored.ha1_md5,
        store::ha1_md5("201", common::REALM, &got.account.password)
    );

    let again = api::redeem_setup_link(&link).await;
    assert!(
        matches!(again, Err(api::ProvisionError::Refused)),
        "{again:?}"
    );
    let listed = h.ok("list_setup_links", json!({})).await;
    assert_eq!(listed["available"], true);
    assert_eq!(listed["links"][0]["state"], "used");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoked_unknown_and_forged_links_are_refused() {
    let h = Harness::start().await;
    h.add_extension("201", "Rita").await;
    let link = api::SetupLink::parse(&link_for(&h, "201").await).expect("a setup link");

    // Another certificate than the one in the link: nothing is sent.
    let mut forged = link.clone();
    forged.fingerprint[0] ^= 1;
    let refused = api::redeem_setup_link(&forged).await;
    assert!(
        matches!(refused, Err(api::ProvisionError::WrongCertificate)),
        "{refused:?}"
    );

    let mut unknown = link.clone();
    unknown.token = "Unknown23456789".to_owned();
    let refused = api::redeem_setup_link(&unknown).await;
    assert!(
        matches!(refused, Err(api::ProvisionError::Refused)),
        "{refused:?}"
    );

    let revoked = h.ok("revoke_setup_link", json!({"extension": "201"})).await;
    assert_eq!(revoked["revoked"], true);
    let refused = api::redeem_setup_link(&link).await;
    assert!(
        matches!(refused, Err(api::ProvisionError::Refused)),
        "{refused:?}"
    );
    h.stop().await;
}
