//! Saving a voicemail message queues it for e-mail in the same write, but only while e-mail
//! is switched on and the mailbox has an address; the outbox records retries, the server's
//! answer and giving up, and new settings queue given-up e-mails again.

use store::{MailSecurity, MailSettings, NewVoicemail, OutboxState};

mod common;

fn message(mailbox: &str, at: i64, file: &str) -> NewVoicemail {
    NewVoicemail {
        mailbox: mailbox.to_owned(),
        caller_number: "0612345678".to_owned(),
        caller_name: Some("Ann".to_owned()),
        business_name: None,
        received_at: at,
        duration_ms: 4_200,
        file: file.to_owned(),
    }
}

fn smtp(enabled: bool) -> MailSettings {
    MailSettings {
        enabled,
        host: "smtp.example.com".to_owned(),
        port: 587,
        security: MailSecurity::StartTls,
        username: "pbx@example.com".to_owned(),
        password: "s3cret".to_owned(),
        from: "pbx@example.com".to_owned(),
    }
}

#[test]
fn settings_round_trip_and_the_password_never_shows_in_debug_output() {
    let (_dir, store) = common::store();
    assert_eq!(
        store.mail_settings().expect("read"),
        MailSettings::default()
    );
    store.save_mail_settings(&smtp(true), 10).expect("save");
    let read = store.mail_settings().expect("read");
    assert_eq!(read, smtp(true));
    assert!(!format!("{read:?}").contains("s3cret"));
}

#[test]
fn enabled_settings_need_a_host_and_a_sender() {
    let (_dir, store) = common::store();
    let mut s = smtp(true);
    s.host = " ".to_owned();
    s.from = "not an address".to_owned();
    s.port = 0;
    let err = store.save_mail_settings(&s, 10).expect_err("refused");
    let v = err.validation().expect("field errors");
    assert!(v.get("host").is_some(), "{err}");
    assert!(v.get("from").is_some(), "{err}");
    assert!(v.get("port").is_some(), "{err}");
    // Switched off, an empty form can be kept.
    store
        .save_mail_settings(&MailSettings::default(), 10)
        .expect("empty and off is fine");
}

#[test]
fn a_message_is_queued_only_with_mail_on_and_an_address() {
    let (_dir, store) = common::store();
    common::extensions(&store, &["201", "202"]);
    store
        .set_mailbox_email("201", "ann@example.com", false)
        .expect("address");
    // E-mail is still off: nothing queued.
    store
        .insert_voicemail(&message("201", 100, "a.wav"))
        .expect("insert");
    assert!(store.mail_outbox(10).expect("outbox").is_empty());

    store.save_mail_settings(&smtp(true), 100).expect("save");
    let id = store
        .insert_voicemail(&message("201", 200, "b.wav"))
        .expect("insert");
    // 202 has no address.
    store
        .insert_voicemail(&message("202", 300, "c.wav"))
        .expect("insert");
    let due = store.due_mail(200).expect("due");
    assert_eq!(due.len(), 1, "{due:?}");
    let e = &due[0];
    assert_eq!(e.message_id, id);
    assert_eq!(e.address, "ann@example.com");
    assert_eq!(e.caller_name.as_deref(), Some("Ann"));
    assert_eq!(e.state, OutboxState::Queued);
    assert_eq!(store.next_mail_attempt().expect("next"), Some(0));
}

#[test]
fn retries_wait_their_turn_then_sending_or_giving_up_finishes_the_row() {
    let (_dir, store) = common::store();
    common::extensions(&store, &["201"]);
    store.save_mail_settings(&smtp(true), 0).expect("save");
    store
        .set_mailbox_email("201", "ann@example.com", true)
        .expect("address");
    let a = store
        .insert_voicemail(&message("201", 1, "a.wav"))
        .expect("insert");
    let b = store
        .insert_voicemail(&message("201", 2, "b.wav"))
        .expect("insert");

    store
        .mail_failed(a, "connection refused", Some(160), 100)
        .expect("retry later");
    let due: Vec<i64> = store
        .due_mail(100)
        .expect("due")
        .iter()
        .map(|e| e.message_id)
        .collect();
    assert_eq!(due, vec![b]);
    assert_eq!(store.next_mail_attempt().expect("next"), Some(0));
    store
        .mail_sent(b, "250 2.0.0 queued as 42", 101)
        .expect("sent");
    assert_eq!(store.next_mail_attempt().expect("next"), Some(160));
    let due = store.due_mail(160).expect("due");
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].attempts, 1);
    assert_eq!(due[0].last_error.as_deref(), Some("connection refused"));
    assert!(due[0].delete_after_sending);

    store
        .mail_failed(a, "535 authentication failed", None, 170)
        .expect("give up");
    assert!(store.due_mail(10_000).expect("due").is_empty());
    let outbox = store.mail_outbox(10).expect("outbox");
    let sent = outbox.iter().find(|e| e.message_id == b).expect("b listed");
    assert_eq!(sent.state, OutboxState::Sent);
    assert_eq!(sent.server_reply.as_deref(), Some("250 2.0.0 queued as 42"));
    let failed = outbox.iter().find(|e| e.message_id == a).expect("a listed");
    assert_eq!(failed.state, OutboxState::Failed);
    assert_eq!(failed.attempts, 2);

    // New settings (a corrected password) queue the given-up e-mail again, and make a
    // waiting retry due at once.
    let c = store
        .insert_voicemail(&message("201", 3, "c.wav"))
        .expect("insert");
    store
        .mail_failed(c, "connection refused", Some(900), 170)
        .expect("retry later");
    store.save_mail_settings(&smtp(true), 200).expect("save");
    let due: Vec<i64> = store
        .due_mail(200)
        .expect("due")
        .iter()
        .map(|e| e.message_id)
        .collect();
    assert_eq!(due, vec![a, c]);
    store.mail_sent(c, "250 ok", 201).expect("sent");
    let due = store.due_mail(200).expect("due");
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].message_id, a);
    assert_eq!(due[0].attempts, 0);
}

#[test]
fn addresses_are_checked_and_an_empty_one_stops_e_mail() {
    let (_dir, store) = common::store();
    common::extensions(&store, &["201"]);
    for bad in [
        "ann",
        "ann@",
        "@example.com",
        "ann @example.com",
        "a@b.com, c@d.com",
    ] {
        let err = store.set_mailbox_email("201", bad, false).expect_err(bad);
        assert!(
            err.validation().and_then(|v| v.get("address")).is_some(),
            "{bad}: {err}"
        );
    }
    let err = store
        .set_mailbox_email("999", "ann@example.com", false)
        .expect_err("no such mailbox");
    assert!(
        err.validation().and_then(|v| v.get("mailbox")).is_some(),
        "{err}"
    );

    store
        .set_mailbox_email("201", " ann@example.com ", false)
        .expect("set");
    let list = store.mailbox_emails().expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].address, "ann@example.com");
    store.set_mailbox_email("201", "", false).expect("cleared");
    assert!(store.mailbox_emails().expect("list").is_empty());
}
