//! A mailbox exists only once enabled with a PIN that is not guessable; messages are listed
//! newest first, counted per mailbox, marked heard and deleted.

use store::{Error, NewVoicemail};

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

#[test]
fn weak_or_malformed_pins_are_refused() {
    let (_dir, store) = common::store();
    common::extensions(&store, &["201", "2017"]);
    for pin in [
        "",
        "123",
        "12345678901",
        "12a4",
        "1234",
        "0000",
        "9999",
        "4321",
        "7890",
        "2017",
    ] {
        let number = if pin == "2017" { "2017" } else { "201" };
        let err = store.enable_mailbox(number, pin).expect_err(pin);
        assert!(
            err.validation().and_then(|v| v.get("pin")).is_some(),
            "{pin}: {err}"
        );
    }
    assert!(store.mailboxes().expect("list").iter().all(|m| !m.enabled));
}

#[test]
fn a_mailbox_is_off_until_enabled_and_checks_its_pin() {
    let (_dir, store) = common::store();
    common::extensions(&store, &["201", "202"]);
    assert!(store.mailbox("201").expect("read").is_none());
    assert!(!store.verify_mailbox_pin("201", "").expect("verify"));

    store.enable_mailbox("201", "7392").expect("enable");
    let boxes = store.mailboxes().expect("list");
    assert_eq!(boxes.len(), 2);
    assert!(boxes.iter().any(|m| m.number == "201" && m.enabled));
    assert!(boxes.iter().any(|m| m.number == "202" && !m.enabled));
    assert!(store.verify_mailbox_pin("201", "7392").expect("verify"));
    assert!(!store.verify_mailbox_pin("201", "7393").expect("verify"));

    store.disable_mailbox("201").expect("disable");
    assert!(store.mailbox("201").expect("read").is_none());
    assert!(!store.verify_mailbox_pin("201", "7392").expect("verify"));
}

#[test]
fn an_unknown_number_has_no_mailbox_to_enable() {
    let (_dir, store) = common::store();
    let err = store.enable_mailbox("299", "7392").expect_err("unknown");
    assert!(matches!(err, Error::NotFound(_)), "{err}");
}

#[test]
fn messages_are_listed_counted_marked_and_deleted() {
    let (_dir, store) = common::store();
    common::extensions(&store, &["201", "202"]);
    store.enable_mailbox("201", "7392").expect("enable");
    let old = store
        .insert_voicemail(&message("201", 100, "a.wav"))
        .expect("a");
    let new = store
        .insert_voicemail(&message("201", 200, "b.wav"))
        .expect("b");
    store
        .insert_voicemail(&message("202", 150, "c.wav"))
        .expect("c");

    let mine = store.voicemail_messages(Some("201")).expect("list");
    assert_eq!(mine.iter().map(|m| m.id).collect::<Vec<_>>(), [new, old]);
    assert_eq!(mine[0].duration_ms, 4_200);
    assert_eq!(mine[0].caller_name.as_deref(), Some("Ann"));
    assert_eq!(store.voicemail_messages(None).expect("all").len(), 3);

    store.mark_voicemail_heard(old, true).expect("heard");
    let b = store.mailbox("201").expect("read").expect("enabled");
    assert_eq!((b.new_count, b.saved_count), (1, 1));

    assert_eq!(
        store.voicemail_file(new).expect("file").as_deref(),
        Some("b.wav")
    );
    store.delete_voicemail(new).expect("delete");
    assert_eq!(store.voicemail_file(new).expect("file"), None);
    assert!(matches!(
        store.delete_voicemail(new),
        Err(Error::NotFound(_))
    ));
    assert!(matches!(
        store.mark_voicemail_heard(new, true),
        Err(Error::NotFound(_))
    ));
    let mut files = store.voicemail_files().expect("files");
    files.sort();
    assert_eq!(files, ["a.wav", "c.wav"]);
}
