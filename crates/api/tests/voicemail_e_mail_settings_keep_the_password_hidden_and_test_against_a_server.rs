//! The e-mail settings over HTTP: the password is stored but never sent back (saving
//! without one keeps it), mailbox addresses are checked per field, a message left in a
//! mailbox with an address shows in the outbox, and the test e-mail reports the server's
//! answer in words, also when nothing listens.

mod common;

use common::Harness;
use serde_json::json;

fn smtp(port: u16, password: Option<&str>) -> serde_json::Value {
    let mut s = json!({
        "enabled": true,
        "host": "127.0.0.1",
        "port": port,
        "security": "starttls",
        "username": "pbx@example.com",
        "from": "pbx@example.com",
    });
    if let Some(p) = password {
        s["password"] = json!(p);
    }
    s
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_password_is_kept_but_never_returned() {
    let h = Harness::start().await;
    let got = h.ok("get_mail_settings", json!({})).await;
    assert_eq!(got["settings"]["enabled"], false);
    assert_eq!(got["settings"]["password_set"], false);

    let saved = h.ok("save_mail_settings", smtp(587, Some("s3cret"))).await;
    assert_eq!(saved["settings"]["password_set"], true);
    assert!(!saved.to_string().contains("s3cret"), "{saved}");
    // Saving again without a password keeps the stored one.
    h.ok("save_mail_settings", smtp(2587, None)).await;
    let stored = h.store().mail_settings().expect("read");
    assert_eq!(stored.password, "s3cret");
    assert_eq!(stored.port, 2587);
    let got = h.ok("get_mail_settings", json!({})).await;
    assert!(!got.to_string().contains("s3cret"), "{got}");

    let mut bad = smtp(0, None);
    bad["from"] = json!("nobody");
    let error = h.refused("save_mail_settings", bad, 422).await;
    assert!(error["fields"]["port"].is_string(), "{error}");
    assert!(error["fields"]["from"].is_string(), "{error}");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_mailbox_address_is_checked_and_its_messages_are_queued() {
    let h = Harness::start().await;
    h.add_extension("201", "Ann").await;
    let error = h
        .refused(
            "set_mailbox_email",
            json!({"mailbox": "201", "address": "ann at example"}),
            422,
        )
        .await;
    assert!(error["fields"]["address"].is_string(), "{error}");
    let error = h
        .refused(
            "set_mailbox_email",
            json!({"mailbox": "999", "address": "ann@example.com"}),
            422,
        )
        .await;
    assert!(error["fields"]["mailbox"].is_string(), "{error}");

    h.ok("save_mail_settings", smtp(1, Some("x"))).await;
    let set = h
        .ok(
            "set_mailbox_email",
            json!({"mailbox": "201", "address": "ann@example.com", "delete_after_sending": true}),
        )
        .await;
    assert_eq!(
        set["mailboxes"],
        json!([{"mailbox": "201", "address": "ann@example.com", "delete_after_sending": true}])
    );
    let id = h
        .store()
        .insert_voicemail(&store::NewVoicemail {
            mailbox: "201".to_owned(),
            caller_number: "0612345678".to_owned(),
            caller_name: Some("Jane".to_owned()),
            business_name: None,
            received_at: 1_800_000_000,
            duration_ms: 3000,
            file: "m.wav".to_owned(),
        })
        .expect("message");
    let got = h.ok("get_mail_settings", json!({})).await;
    let outbox = got["outbox"].as_array().expect("outbox");
    assert_eq!(outbox.len(), 1, "{got}");
    assert_eq!(outbox[0]["message_id"], id);
    assert_eq!(outbox[0]["address"], "ann@example.com");
    assert_eq!(outbox[0]["caller_name"], "Jane");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_test_e_mail_says_why_it_failed() {
    let h = Harness::start().await;
    let error = h
        .refused(
            "send_test_email",
            json!({"to": "nobody", "settings": smtp(587, None)}),
            422,
        )
        .await;
    assert!(error["fields"]["to"].is_string(), "{error}");

    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let answer = h
        .ok(
            "send_test_email",
            json!({"to": "ann@example.com", "settings": smtp(port, Some("x"))}),
        )
        .await;
    assert_eq!(answer["sent"], false, "{answer}");
    let message = answer["message"].as_str().expect("message");
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{answer}");
    assert!(
        !answer["server_reply"]
            .as_str()
            .unwrap_or_default()
            .is_empty(),
        "{answer}"
    );
    h.stop().await;
}
