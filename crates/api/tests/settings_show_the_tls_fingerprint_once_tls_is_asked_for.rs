//! Over HTTP: with TLS off, get_settings shows no fingerprint; saving an address written
//! `tls:…` stores it as a TLS listen address (waiting for a restart), and the answer shows
//! the SHA-256 fingerprint of the certificate made in the data folder, the same one a
//! phone would pin. A TLS address on the UDP/TCP port is refused on its field. The owner's
//! own certificate can be installed (a key that does not fit is refused) and removed.

mod common;

use common::Harness;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_show_the_tls_fingerprint_once_tls_is_asked_for() {
    let h = Harness::start().await;
    let before = h.ok("get_settings", json!({})).await;
    assert_eq!(before["tls_fingerprint"], json!(null));

    let saved = h
        .ok(
            "save_settings",
            json!({"sip_listen": ["127.0.0.1:5070", "TLS:127.0.0.1:5071"],
                   "rtp_port_min": 41000, "rtp_port_max": 41999, "log_level": "info",
                   "admin_bind": "127.0.0.1:9000"}),
        )
        .await;
    assert_eq!(
        saved["settings"]["sip_listen"],
        json!(["127.0.0.1:5070", "tls:127.0.0.1:5071"])
    );
    let stored = h.store().settings().expect("settings");
    assert_eq!(
        stored.sip_tls_listen,
        ["127.0.0.1:5071".parse().expect("addr")]
    );
    let restart = saved["restart_required"].as_array().expect("list");
    assert!(restart.contains(&json!("sip_listen")), "{saved}");

    let identity = engine::tls_cert::load_or_create(h.dir.path()).expect("certificate");
    assert_eq!(saved["tls_fingerprint"], json!(identity.fingerprint()));
    assert_eq!(
        h.ok("get_settings", json!({})).await["tls_fingerprint"],
        json!(identity.fingerprint())
    );

    let refused = h
        .refused(
            "save_settings",
            json!({"sip_listen": ["127.0.0.1:5070", "tls:0.0.0.0:5070"],
                   "rtp_port_min": 41000, "rtp_port_max": 41999, "log_level": "info",
                   "admin_bind": "127.0.0.1:9000"}),
            422,
        )
        .await;
    let message = refused["fields"]["sip_listen"].as_str().unwrap_or_default();
    assert!(
        message.contains("5070"),
        "the clash is reported on sip_listen: {refused}"
    );

    // The owner's own certificate (here one made in another folder) replaces it, a key
    // that does not fit is refused on its field, and removing it brings the first back.
    let other = tempfile::tempdir().expect("dir");
    let own = engine::tls_cert::load_or_create(other.path()).expect("another certificate");
    let read =
        |name: &str| std::fs::read_to_string(other.path().join("tls").join(name)).expect("pem");
    let installed = h
        .ok(
            "set_tls_certificate",
            json!({"certificate_pem": read("cert.pem"), "key_pem": read("key.pem")}),
        )
        .await;
    assert_eq!(installed["tls_own_certificate"], json!(true));
    assert_eq!(installed["tls_fingerprint"], json!(own.fingerprint()));
    let mismatched = h
        .refused(
            "set_tls_certificate",
            json!({"certificate_pem": read("cert.pem"),
                   "key_pem": std::fs::read_to_string(h.dir.path().join("tls").join("key.pem"))
                       .expect("pem")}),
            422,
        )
        .await;
    assert!(
        mismatched["fields"]["certificate_pem"].is_string(),
        "{mismatched}"
    );
    let removed = h.ok("remove_tls_certificate", json!({})).await;
    assert_eq!(removed["tls_own_certificate"], json!(false));
    assert_eq!(removed["tls_fingerprint"], json!(identity.fingerprint()));
    h.stop().await;
}
