//! Mailboxes are switched on with a PIN the owner chooses (weak ones refused) and off again;
//! messages left in them are listed, played and downloaded from `/api/voicemail/<id>/audio`
//! (with byte ranges, as browsers seek), marked heard or new, and deleted with their file;
//! every change is pushed to the screens as `voicemail_changed`.

mod common;

use std::path::PathBuf;

use common::{Harness, PATIENCE};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpStream;

/// A mono 8 kHz 16-bit WAV of `samples` samples of a ramp, so any byte range is recognisable.
fn wav(samples: u32) -> Vec<u8> {
    let data_len = samples * 2;
    let mut out = Vec::new();
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&8000u32.to_le_bytes());
    out.extend_from_slice(&16000u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for i in 0..samples {
        out.extend_from_slice(&((i % 30_000) as i16).to_le_bytes());
    }
    out
}

fn folder(h: &Harness) -> PathBuf {
    h.dir.path().join("voicemail")
}

/// Writes a WAV into the data folder and records it as a message, as the PBX does.
fn leave_message(
    h: &Harness,
    mailbox: &str,
    caller: &str,
    name: Option<&str>,
    at: i64,
    file: &str,
) -> (i64, Vec<u8>) {
    std::fs::create_dir_all(folder(h)).expect("voicemail folder");
    let audio = wav(4000);
    std::fs::write(folder(h).join(file), &audio).expect("write wav");
    let id = h
        .store()
        .insert_voicemail(&store::NewVoicemail {
            mailbox: mailbox.to_owned(),
            caller_number: caller.to_owned(),
            caller_name: name.map(str::to_owned),
            business_name: Some("sales.acme".to_owned()),
            received_at: at,
            duration_ms: 500,
            file: file.to_owned(),
        })
        .expect("insert message");
    (id, audio)
}

struct Got {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Got {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `GET path` with extra headers; the raw bytes of the answer.
async fn get(h: &Harness, path: &str, headers: &[(&str, &str)]) -> Got {
    let stream = TcpStream::connect(h.addr).await.expect("connect");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let mut request = hyper::Request::builder()
        .method("GET")
        .uri(path)
        .header("host", h.addr.to_string());
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let request = request.body(Empty::<Bytes>::new()).expect("request");
    let response = tokio::time::timeout(PATIENCE, sender.send_request(request))
        .await
        .expect("answered in time")
        .expect("response");
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    Got {
        status,
        headers,
        body,
    }
}

fn ids(list: &Value) -> Vec<i64> {
    list["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| m["id"].as_i64().expect("id"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mailboxes_are_enabled_with_a_chosen_pin_and_disabled() {
    let h = Harness::start().await;
    h.add_extension("201", "Alice").await;
    h.add_extension("202", "Bob").await;
    let mut ws = h.ws().await;

    // No default PIN: a new extension's mailbox is off.
    let list = h.ok("list_mailboxes", json!({})).await;
    assert_eq!(
        list["mailboxes"],
        json!([
            {"number": "201", "enabled": false, "new_count": 0, "saved_count": 0},
            {"number": "202", "enabled": false, "new_count": 0, "saved_count": 0},
        ])
    );

    let enabled = h
        .ok("enable_mailbox", json!({"number": "201", "pin": "4719"}))
        .await;
    assert_eq!(enabled["mailbox"]["number"], "201");
    assert_eq!(enabled["mailbox"]["enabled"], true);
    let event = ws.event("voicemail_changed").await;
    assert_eq!(event["mailbox"], "201");
    assert!(h.store().verify_mailbox_pin("201", "4719").expect("verify"));
    assert!(!h.store().verify_mailbox_pin("201", "4718").expect("verify"));
    let list = h.ok("list_mailboxes", json!({})).await;
    assert_eq!(list["mailboxes"][0]["enabled"], true);
    assert_eq!(list["mailboxes"][1]["enabled"], false);

    let disabled = h.ok("disable_mailbox", json!({"number": "201"})).await;
    assert_eq!(disabled["mailbox"]["enabled"], false);
    assert_eq!(ws.event("voicemail_changed").await["mailbox"], "201");
    assert!(!h.store().verify_mailbox_pin("201", "4719").expect("verify"));
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weak_pins_and_unknown_mailboxes_are_refused_on_their_field() {
    let h = Harness::start().await;
    h.add_extension("2580", "Alice").await;
    for pin in [
        "1234",
        "0000",
        "9876",
        "2580",
        "0852",
        "12",
        "12345678901",
        "12a4",
        "",
    ] {
        let error = h
            .refused("enable_mailbox", json!({"number": "2580", "pin": pin}), 422)
            .await;
        let message = error["fields"]["pin"].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "pin {pin:?}: {error}");
    }
    let error = h
        .refused("enable_mailbox", json!({"number": "2580"}), 422)
        .await;
    assert_eq!(error["fields"]["pin"], "is required");
    assert_eq!(
        h.ok("list_mailboxes", json!({})).await["mailboxes"][0]["enabled"],
        false,
        "a refused PIN switches nothing on"
    );

    let error = h
        .refused(
            "enable_mailbox",
            json!({"number": "999", "pin": "4719"}),
            404,
        )
        .await;
    assert!(error["fields"]["number"].is_string(), "{error}");
    let error = h
        .refused("disable_mailbox", json!({"number": "999"}), 404)
        .await;
    assert!(error["fields"]["number"].is_string(), "{error}");
    let error = h
        .refused("list_voicemail", json!({"mailbox": "999"}), 404)
        .await;
    assert!(error["fields"]["mailbox"].is_string(), "{error}");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_are_listed_newest_first_and_marked_heard_or_new() {
    let h = Harness::start().await;
    h.add_extension("201", "Alice").await;
    h.add_extension("202", "Bob").await;
    let (old, _) = leave_message(&h, "201", "5551000", None, 1_700_000_000, "a.wav");
    let (new, _) = leave_message(&h, "201", "5552000", Some("Carol"), 1_700_000_100, "b.wav");
    let (bobs, _) = leave_message(&h, "202", "5553000", None, 1_700_000_050, "c.wav");

    let all = h.ok("list_voicemail", json!({})).await;
    assert_eq!(ids(&all), vec![new, bobs, old]);
    let first = &all["messages"][0];
    assert_eq!(first["mailbox"], "201");
    assert_eq!(first["caller_number"], "5552000");
    assert_eq!(first["caller_name"], "Carol");
    assert_eq!(first["business_name"], "sales.acme");
    assert_eq!(first["received_at"], 1_700_000_100);
    assert_eq!(first["duration_ms"], 500);
    assert_eq!(first["heard"], false);
    assert_eq!(first["audio_path"], format!("/api/voicemail/{new}/audio"));
    assert_eq!(all["messages"][2]["caller_name"], Value::Null);

    let alices = h.ok("list_voicemail", json!({"mailbox": "201"})).await;
    assert_eq!(ids(&alices), vec![new, old]);

    let mut ws = h.ws().await;
    let marked = h
        .ok("mark_voicemail_heard", json!({"id": old, "heard": true}))
        .await;
    assert_eq!(marked["message"]["id"], old);
    assert_eq!(marked["message"]["heard"], true);
    assert_eq!(ws.event("voicemail_changed").await["mailbox"], "201");
    let boxes = h.ok("list_mailboxes", json!({})).await;
    assert_eq!(boxes["mailboxes"][0]["new_count"], 1);
    assert_eq!(boxes["mailboxes"][0]["saved_count"], 1);

    h.ok("mark_voicemail_heard", json!({"id": old, "heard": false}))
        .await;
    let boxes = h.ok("list_mailboxes", json!({})).await;
    assert_eq!(boxes["mailboxes"][0]["new_count"], 2);

    let error = h
        .refused(
            "mark_voicemail_heard",
            json!({"id": 9999, "heard": true}),
            404,
        )
        .await;
    assert!(error["fields"]["id"].is_string(), "{error}");
    let error = h
        .refused(
            "mark_voicemail_heard",
            json!({"id": "x", "heard": true}),
            422,
        )
        .await;
    assert!(error["fields"]["id"].is_string(), "{error}");
    let error = h
        .refused("mark_voicemail_heard", json!({"id": old}), 422)
        .await;
    assert_eq!(error["fields"]["heard"], "is required");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_message_loses_its_row_and_its_file_and_a_missing_file_is_no_error() {
    let h = Harness::start().await;
    h.add_extension("201", "Alice").await;
    let (first, _) = leave_message(&h, "201", "5551000", None, 1_700_000_000, "a.wav");
    let (second, _) = leave_message(&h, "201", "5552000", None, 1_700_000_100, "b.wav");
    let mut ws = h.ws().await;

    h.ok("delete_voicemail", json!({"id": first})).await;
    assert_eq!(ws.event("voicemail_changed").await["mailbox"], "201");
    assert!(!folder(&h).join("a.wav").exists(), "the file is removed");
    assert!(folder(&h).join("b.wav").exists(), "other files stay");
    assert_eq!(ids(&h.ok("list_voicemail", json!({})).await), vec![second]);

    std::fs::remove_file(folder(&h).join("b.wav")).expect("remove");
    h.ok("delete_voicemail", json!({"id": second})).await;
    assert_eq!(
        ids(&h.ok("list_voicemail", json!({})).await),
        Vec::<i64>::new()
    );

    let error = h
        .refused("delete_voicemail", json!({"id": second}), 404)
        .await;
    assert!(error["fields"]["id"].is_string(), "{error}");
    let error = h.refused("delete_voicemail", json!({}), 422).await;
    assert_eq!(error["fields"]["id"], "is required");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audio_route_serves_the_wav_whole_in_ranges_and_for_download() {
    let h = Harness::start().await;
    h.add_extension("201", "Alice").await;
    let (id, audio) = leave_message(&h, "201", "5551000", None, 1_700_000_000, "a.wav");
    let path = format!("/api/voicemail/{id}/audio");

    let whole = get(&h, &path, &[]).await;
    assert_eq!(whole.status, 200);
    assert_eq!(whole.header("content-type"), Some("audio/wav"));
    assert_eq!(whole.header("accept-ranges"), Some("bytes"));
    assert_eq!(whole.body, audio);
    let inline = whole.header("content-disposition").unwrap_or_default();
    assert!(inline.starts_with("inline;"), "{inline}");
    assert!(
        inline.contains("voicemail-201-20231114-2213-from-5551000.wav"),
        "{inline}"
    );

    let download = get(&h, &format!("{path}?download"), &[]).await;
    assert_eq!(download.status, 200);
    let attachment = download.header("content-disposition").unwrap_or_default();
    assert!(attachment.starts_with("attachment;"), "{attachment}");
    assert_eq!(download.body, audio);

    let part = get(&h, &path, &[("range", "bytes=100-199")]).await;
    assert_eq!(part.status, 206);
    assert_eq!(
        part.header("content-range"),
        Some(format!("bytes 100-199/{}", audio.len()).as_str())
    );
    assert_eq!(part.body, audio[100..200].to_vec());

    let tail = get(&h, &path, &[("range", "bytes=8000-")]).await;
    assert_eq!(tail.status, 206);
    assert_eq!(tail.body, audio[8000..].to_vec());

    let beyond = get(
        &h,
        &path,
        &[("range", format!("bytes={}-", audio.len()).as_str())],
    )
    .await;
    assert_eq!(beyond.status, 416);
    assert_eq!(
        beyond.header("content-range"),
        Some(format!("bytes */{}", audio.len()).as_str())
    );

    // Only ids the database knows; nothing else is reachable through the route.
    for missing in ["9999", "abc", "..%2Fswitchboard.db", "-1"] {
        let got = get(&h, &format!("/api/voicemail/{missing}/audio"), &[]).await;
        assert_eq!(got.status, 404, "{missing}");
        assert_eq!(got.header("content-type"), Some("application/json"));
    }

    // Pages of other sites cannot fetch it.
    let foreign = get(&h, &path, &[("origin", "https://evil.example")]).await;
    assert_eq!(foreign.status, 403);
    assert_ne!(foreign.body, audio);

    // A file gone from disk is a clear 404, not a crash.
    std::fs::remove_file(folder(&h).join("a.wav")).expect("remove");
    let gone = get(&h, &path, &[]).await;
    assert_eq!(gone.status, 404);
    let body: Value = serde_json::from_slice(&gone.body).expect("json error");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("missing")),
        "{body}"
    );
    h.stop().await;
}
