//! Every command that takes input refuses bad input with an error naming the field, and
//! leaves the database as it was.

mod common;

use common::Harness;
use serde_json::{json, Value};

/// What the store holds that a command could change: every extension with its hashes,
/// and the settings.
fn snapshot(h: &Harness) -> (Vec<(String, String, String, String)>, store::Settings) {
    let store = h.store();
    let extensions = store
        .extensions()
        .expect("extensions")
        .into_iter()
        .map(|e| (e.number, e.name, e.ha1_md5, e.ha1_sha256))
        .collect();
    (extensions, store.settings().expect("settings"))
}

/// Sends `request`, expects `status` with a message for `field`, and no change.
async fn refused_on(
    h: &Harness,
    command: &str,
    request: Value,
    status: u16,
    field: &str,
) -> String {
    let before = snapshot(h);
    let error = h.refused(command, request.clone(), status).await;
    let message = error["fields"][field].as_str().unwrap_or_else(|| {
        panic!("{command} {request}: no message for field {field:?} in {error}")
    });
    assert!(!message.is_empty());
    assert!(
        error["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{error}"
    );
    assert_eq!(snapshot(h), before, "{command} {request} changed the store");
    message.to_owned()
}

async fn harness_with_alice() -> Harness {
    let h = Harness::start().await;
    h.add_extension("201", "Alice").await;
    h
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn add_extension_refuses_bad_numbers_names_duplicates_and_shapes() {
    let h = harness_with_alice().await;
    for number in ["", "1", "12345678901", "20a", "+201", " 201"] {
        let m = refused_on(
            &h,
            "add_extension",
            json!({"number": number, "name": "Bob"}),
            422,
            "number",
        )
        .await;
        assert_eq!(m, "must be 2 to 10 digits");
    }
    for name in ["", "   ", "a\u{7}b", &"x".repeat(65)] {
        refused_on(
            &h,
            "add_extension",
            json!({"number": "202", "name": name}),
            422,
            "name",
        )
        .await;
    }
    let m = refused_on(
        &h,
        "add_extension",
        json!({"number": "201", "name": "Bob"}),
        422,
        "number",
    )
    .await;
    assert!(m.contains("already exists"), "{m}");
    // Both fields at once.
    let error = h
        .refused("add_extension", json!({"number": "x", "name": ""}), 422)
        .await;
    assert!(
        error["fields"]["number"].is_string() && error["fields"]["name"].is_string(),
        "{error}"
    );
    // Shapes serde refuses are still per field.
    let m = refused_on(&h, "add_extension", json!({"number": "202"}), 422, "name").await;
    assert_eq!(m, "is required");
    let m = refused_on(
        &h,
        "add_extension",
        json!({"number": 202, "name": "Bob"}),
        422,
        "number",
    )
    .await;
    assert_eq!(m, "must be a string");
    refused_on(
        &h,
        "add_extension",
        json!({"number": "202", "name": "Bob", "password": "x"}),
        422,
        "password",
    )
    .await;
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edit_remove_and_reset_refuse_unknown_extensions_and_bad_names() {
    let h = harness_with_alice().await;
    refused_on(
        &h,
        "edit_extension",
        json!({"number": "201", "name": ""}),
        422,
        "name",
    )
    .await;
    refused_on(
        &h,
        "edit_extension",
        json!({"number": "201", "name": "a\nb"}),
        422,
        "name",
    )
    .await;
    refused_on(
        &h,
        "edit_extension",
        json!({"number": "209", "name": "Zed"}),
        404,
        "number",
    )
    .await;
    refused_on(&h, "edit_extension", json!({"name": "Zed"}), 422, "number").await;
    refused_on(
        &h,
        "remove_extension",
        json!({"number": "209"}),
        404,
        "number",
    )
    .await;
    refused_on(&h, "remove_extension", json!({}), 422, "number").await;
    refused_on(
        &h,
        "reset_password",
        json!({"number": "209"}),
        404,
        "number",
    )
    .await;
    refused_on(
        &h,
        "reset_password",
        json!({"number": ["201"]}),
        422,
        "number",
    )
    .await;
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hang_up_refuses_empty_and_unknown_call_ids() {
    let h = Harness::start().await;
    refused_on(&h, "hang_up", json!({"call_id": ""}), 422, "call_id").await;
    refused_on(
        &h,
        "hang_up",
        json!({"call_id": "x".repeat(300)}),
        422,
        "call_id",
    )
    .await;
    let m = refused_on(
        &h,
        "hang_up",
        json!({"call_id": "no-such-call@test"}),
        404,
        "call_id",
    )
    .await;
    assert!(m.contains("no call"), "{m}");
    refused_on(&h, "hang_up", json!({}), 422, "call_id").await;
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_history_refuses_bad_filters() {
    let h = Harness::start().await;
    refused_on(
        &h,
        "call_history",
        json!({"number": "20; DROP TABLE cdr"}),
        422,
        "number",
    )
    .await;
    refused_on(
        &h,
        "call_history",
        json!({"number": "1".repeat(40)}),
        422,
        "number",
    )
    .await;
    refused_on(&h, "call_history", json!({"limit": 0}), 422, "limit").await;
    refused_on(&h, "call_history", json!({"limit": 5000}), 422, "limit").await;
    refused_on(&h, "call_history", json!({"limit": -1}), 422, "limit").await;
    let m = refused_on(
        &h,
        "call_history",
        json!({"outcome": "lost"}),
        422,
        "outcome",
    )
    .await;
    assert!(m.contains("answered") && m.contains("no_answer"), "{m}");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn save_settings_refuses_bad_values_and_saves_none_of_a_bad_request() {
    let h = Harness::start().await;
    let good = json!({"sip_listen": ["0.0.0.0:5060"], "rtp_port_min": 20000,
                      "rtp_port_max": 20999, "log_level": "warn", "admin_bind": "127.0.0.1:8080"});
    let with = |field: &str, value: Value| {
        let mut v = good.clone();
        v[field] = value;
        v
    };
    let m = refused_on(
        &h,
        "save_settings",
        with("admin_bind", json!("0.0.0.0:8080")),
        422,
        "admin_bind",
    )
    .await;
    assert!(m.contains("127.0.0.1") && m.contains("login"), "{m}");
    refused_on(
        &h,
        "save_settings",
        with("admin_bind", json!("192.168.1.10:8080")),
        422,
        "admin_bind",
    )
    .await;
    refused_on(
        &h,
        "save_settings",
        with("admin_bind", json!("localhost")),
        422,
        "admin_bind",
    )
    .await;
    refused_on(
        &h,
        "save_settings",
        with("sip_listen", json!([])),
        422,
        "sip_listen",
    )
    .await;
    refused_on(
        &h,
        "save_settings",
        with("sip_listen", json!(["pbx.example:5060"])),
        422,
        "sip_listen",
    )
    .await;
    refused_on(
        &h,
        "save_settings",
        with("sip_listen", json!(["0.0.0.0:0"])),
        422,
        "sip_listen",
    )
    .await;
    refused_on(
        &h,
        "save_settings",
        with("rtp_port_min", json!(80)),
        422,
        "rtp_port_min",
    )
    .await;
    refused_on(
        &h,
        "save_settings",
        with("rtp_port_max", json!(19000)),
        422,
        "rtp_port_max",
    )
    .await;
    refused_on(
        &h,
        "save_settings",
        with("rtp_port_max", json!(70000)),
        422,
        "rtp_port_max",
    )
    .await;
    refused_on(
        &h,
        "save_settings",
        with("rtp_port_min", json!(5000)),
        422,
        "rtp_port_min",
    )
    .await;
    refused_on(
        &h,
        "save_settings",
        with("log_level", json!("loud")),
        422,
        "log_level",
    )
    .await;
    // One bad field among good ones: nothing saved, and the log level did not change.
    let error = h
        .refused(
            "save_settings",
            with("admin_bind", json!("0.0.0.0:8080")),
            422,
        )
        .await;
    assert_eq!(
        error["fields"].as_object().expect("fields").len(),
        1,
        "{error}"
    );
    assert!(h.log_levels.lock().expect("lock").is_empty());
    assert_eq!(
        h.store().settings().expect("settings"),
        store::Settings::default()
    );
    // Several bad fields are all reported.
    let mut bad = with("admin_bind", json!("0.0.0.0:1"));
    bad["sip_listen"] = json!([]);
    bad["rtp_port_min"] = json!(1);
    let error = h.refused("save_settings", bad, 422).await;
    let fields = error["fields"].as_object().expect("fields");
    for field in ["admin_bind", "sip_listen", "rtp_port_min"] {
        assert!(fields.contains_key(field), "{field} missing in {error}");
    }
    // And the good request is accepted.
    h.ok("save_settings", good).await;
    assert_eq!(
        h.store().settings().expect("settings").log_level,
        store::LogLevel::Warn
    );
    h.stop().await;
}
