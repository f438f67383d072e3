//! Over HTTP: the phone's encryption setting starts automatic, changes without signing the
//! phone in again, is saved with the sound settings and still there after a restart. A
//! value that is not one of auto/off/required is refused by field, and so is "required"
//! (always) while the account does not use TLS, and a non-TLS account while it is set.

mod common;

use common::Harness;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_encryption_setting_round_trips_and_bad_values_are_refused() {
    std::env::set_var("SWITCHBOARD_PHONE_AUDIO", "file:440:");
    let mut h = Harness::start().await;
    let password = h.add_extension("201", "Alice").await;
    h.ok(
        "save_phone_account",
        json!({"server": h.sip.to_string(), "transport": "udp", "user": "201",
               "password": password}),
    )
    .await;
    let state = h.phone_registered().await;
    assert_eq!(state["srtp"], "auto", "{state}");

    let off = h.ok("phone_set_srtp", json!({"srtp": "off"})).await;
    assert_eq!(off["srtp"], "off");
    assert_eq!(
        off["registration"]["state"], "registered",
        "the phone was signed in again: {off}"
    );
    assert_eq!(
        h.store().phone_sound().expect("sound").srtp,
        store::PhoneSrtp::Off
    );
    // The sound settings saved afterwards keep it.
    h.ok("phone_set_sound", json!({"auto_gain": false})).await;
    assert_eq!(h.ok("get_phone", json!({})).await["srtp"], "off");

    let bad = h
        .refused("phone_set_srtp", json!({"srtp": "sometimes"}), 422)
        .await;
    assert!(bad["fields"]["srtp"].is_string(), "{bad}");
    let no_tls = h
        .refused("phone_set_srtp", json!({"srtp": "required"}), 422)
        .await;
    let why = no_tls["fields"]["srtp"].as_str().unwrap_or_default();
    assert!(why.contains("TLS"), "{no_tls}");
    assert_eq!(h.ok("get_phone", json!({})).await["srtp"], "off");

    // On TLS (no server answers there: only the setting matters), "always" is taken, and
    // the account cannot go back to plain UDP while it is set.
    h.ok(
        "save_phone_account",
        json!({"server": "127.0.0.1:9", "transport": "tls", "user": "201"}),
    )
    .await;
    let always = h.ok("phone_set_srtp", json!({"srtp": "required"})).await;
    assert_eq!(always["srtp"], "required");
    let plain = h
        .refused(
            "save_phone_account",
            json!({"server": h.sip.to_string(), "transport": "udp", "user": "201"}),
            422,
        )
        .await;
    assert!(plain["fields"]["transport"].is_string(), "{plain}");

    // The API stops and starts again on the same data folder (the app restarted).
    h.restart_api().await;
    assert_eq!(h.ok("get_phone", json!({})).await["srtp"], "required");
    h.stop().await;
}
