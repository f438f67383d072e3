//! The sender against a small SMTP server on loopback (plain text: TLS is covered end to
//! end): a queued voicemail message arrives with its WAV attached and the caller in the
//! subject, the server's answer is recorded, "delete after e-mailing" removes the message,
//! a refused login is given up with the server's words, and an unreachable server is
//! retried later. The test e-mail answers with the server's reply.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use store::{MailSecurity, MailSettings, NewVoicemail, OutboxState, Store};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// What the fake server received: one string per accepted message (the DATA).
type Inbox = Arc<Mutex<Vec<String>>>;

/// A minimal SMTP server (RFC 5321 §4.1) that accepts AUTH PLAIN with `password` only.
async fn smtp_server(password: &'static str) -> (u16, Inbox) {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let inbox: Inbox = Arc::default();
    let received = Arc::clone(&inbox);
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            let received = Arc::clone(&received);
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                let _ = write.write_all(b"220 fake ESMTP ready\r\n").await;
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(d) = data.as_mut() {
                        if line == "." {
                            received
                                .lock()
                                .expect("inbox")
                                .push(data.take().unwrap_or_default());
                            let _ = write.write_all(b"250 2.0.0 Ok: queued as FAKE42\r\n").await;
                        } else {
                            d.push_str(&line);
                            d.push('\n');
                        }
                        continue;
                    }
                    let upper = line.to_ascii_uppercase();
                    let reply: &[u8] = if upper.starts_with("EHLO") {
                        b"250-fake\r\n250-AUTH PLAIN\r\n250 8BITMIME\r\n"
                    } else if upper.starts_with("AUTH PLAIN") {
                        let ok = line
                            .split_whitespace()
                            .nth(2)
                            .map(|b64| decode_b64(b64).ends_with(password.as_bytes()))
                            .unwrap_or(false);
                        if ok {
                            b"235 2.7.0 Authentication successful\r\n"
                        } else {
                            b"535 5.7.8 Authentication credentials invalid\r\n"
                        }
                    } else if upper.starts_with("DATA") {
                        data = Some(String::new());
                        b"354 End data with <CR><LF>.<CR><LF>\r\n"
                    } else if upper.starts_with("QUIT") {
                        let _ = write.write_all(b"221 2.0.0 Bye\r\n").await;
                        break;
                    } else {
                        b"250 2.1.0 Ok\r\n"
                    };
                    let _ = write.write_all(reply).await;
                }
            });
        }
    });
    (port, inbox)
}

fn decode_b64(s: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|&c| c != b'=') {
        let Some(v) = ALPHABET.iter().position(|&a| a == c) else {
            continue;
        };
        acc = (acc << 6) | u32::try_from(v).unwrap_or(0);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).unwrap_or(0));
        }
    }
    out
}

fn settings(port: u16, password: &str) -> MailSettings {
    MailSettings {
        enabled: true,
        host: "127.0.0.1".to_owned(),
        port,
        security: MailSecurity::None,
        username: "pbx".to_owned(),
        password: password.to_owned(),
        from: "pbx@example.com".to_owned(),
    }
}

/// A mailbox 201 e-mailed to ann@example.com, and one message with its file.
fn office(dir: &Path, settings: &MailSettings, delete_after: bool) -> (Store, i64) {
    let store = Store::open(dir).expect("open");
    store
        .create_extension("201", "Ann", "office", 0)
        .expect("extension");
    store.save_mail_settings(settings, 0).expect("settings");
    store
        .set_mailbox_email("201", "ann@example.com", delete_after)
        .expect("address");
    std::fs::create_dir_all(dir.join("voicemail")).expect("folder");
    // Bytes that are not text, so the attachment must be base64.
    let wav: Vec<u8> = (0u8..=255).cycle().take(2000).collect();
    std::fs::write(dir.join("voicemail/m1.wav"), wav).expect("file");
    let id = store
        .insert_voicemail(&NewVoicemail {
            mailbox: "201".to_owned(),
            caller_number: "0612345678".to_owned(),
            caller_name: Some("Jane Doe".to_owned()),
            business_name: Some("sales.acme".to_owned()),
            received_at: 1_800_000_000,
            duration_ms: 12_000,
            file: "m1.wav".to_owned(),
        })
        .expect("message");
    (store, id)
}

/// Waits (bounded) until the outbox row of `id` is no longer in its first queued state.
async fn settled(store: &Store, id: i64) -> store::OutboxEntry {
    for _ in 0..200 {
        let entry = store
            .mail_outbox(10)
            .expect("outbox")
            .into_iter()
            .find(|e| e.message_id == id)
            .expect("queued");
        if entry.state != OutboxState::Queued || entry.attempts > 0 {
            return entry;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the outbox never moved");
}

#[tokio::test]
async fn a_message_arrives_with_its_wav_and_the_caller_in_the_subject() {
    let (port, inbox) = smtp_server("right").await;
    let dir = tempfile::tempdir().expect("dir");
    let (store, id) = office(dir.path(), &settings(port, "right"), false);
    let outbox = mail::Outbox::spawn(dir.path().to_owned());
    outbox.wake();
    let entry = settled(&store, id).await;
    assert_eq!(entry.state, OutboxState::Sent, "{entry:?}");
    assert_eq!(
        entry.server_reply.as_deref(),
        Some("250 2.0.0 Ok: queued as FAKE42")
    );
    let mails = inbox.lock().expect("inbox").clone();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert!(
        mail.contains("Subject: Voicemail from Jane Doe (0612345678) for 201"),
        "{mail}"
    );
    assert!(mail.contains("To: ann@example.com"), "{mail}");
    assert!(mail.contains("Content-Type: audio/wav"), "{mail}");
    assert!(mail.contains("Content-Transfer-Encoding: base64"), "{mail}");
    // The first bytes of the file (0, 1, 2, …) in base64.
    assert!(
        mail.contains("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g"),
        "{mail}"
    );
    // Kept in the inbox.
    assert_eq!(store.voicemail_messages(None).expect("list").len(), 1);
}

#[tokio::test]
async fn delete_after_e_mailing_removes_the_message_and_its_file() {
    let (port, inbox) = smtp_server("right").await;
    let dir = tempfile::tempdir().expect("dir");
    let (store, id) = office(dir.path(), &settings(port, "right"), true);
    let outbox = mail::Outbox::spawn(dir.path().to_owned());
    outbox.wake();
    assert_eq!(settled(&store, id).await.state, OutboxState::Sent);
    assert_eq!(inbox.lock().expect("inbox").len(), 1);
    assert!(store.voicemail_messages(None).expect("list").is_empty());
    for _ in 0..100 {
        if !dir.path().join("voicemail/m1.wav").exists() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the e-mailed message's file was kept");
}

#[tokio::test]
async fn a_refused_password_is_given_up_with_the_servers_words() {
    let (port, inbox) = smtp_server("right").await;
    let dir = tempfile::tempdir().expect("dir");
    let (store, id) = office(dir.path(), &settings(port, "wrong"), false);
    let outbox = mail::Outbox::spawn(dir.path().to_owned());
    outbox.wake();
    let entry = settled(&store, id).await;
    assert_eq!(entry.state, OutboxState::Failed, "{entry:?}");
    let error = entry.last_error.unwrap_or_default();
    assert!(error.contains("user name or password"), "{error}");
    assert!(error.contains("535"), "{error}");
    assert!(inbox.lock().expect("inbox").is_empty());
}

#[tokio::test]
async fn an_unreachable_server_is_retried_later() {
    // A port nothing listens on: bind one, then let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("port")
        .port();
    let dir = tempfile::tempdir().expect("dir");
    let (store, id) = office(dir.path(), &settings(port, "right"), false);
    let outbox = mail::Outbox::spawn(dir.path().to_owned());
    outbox.wake();
    let entry = settled(&store, id).await;
    assert_eq!(entry.state, OutboxState::Queued, "{entry:?}");
    assert_eq!(entry.attempts, 1);
    let error = entry.last_error.unwrap_or_default();
    assert!(error.contains(&format!("127.0.0.1:{port}")), "{error}");
    assert!(entry.next_attempt_at > 1_000_000_000, "a retry time is set");
}

#[tokio::test]
async fn the_test_e_mail_answers_with_the_servers_reply() {
    let (port, inbox) = smtp_server("right").await;
    let reply = mail::send_test(&settings(port, "right"), "ann@example.com")
        .await
        .expect("sent");
    assert_eq!(reply.0, "250 2.0.0 Ok: queued as FAKE42");
    assert!(inbox.lock().expect("inbox")[0].contains("Subject: Switchboard test e-mail"));

    let err = mail::send_test(&settings(port, "wrong"), "ann@example.com")
        .await
        .expect_err("refused");
    assert!(err.permanent);
    assert!(err.detail.contains("5.7.8"), "{err}");
}
