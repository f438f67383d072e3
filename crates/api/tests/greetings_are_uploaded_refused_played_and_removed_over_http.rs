//! A mailbox's own greeting is uploaded as a file to `POST /api/greetings/<number>`
//! (converted to 8 kHz WAV in the data folder), served back by `GET` on the same path,
//! listed by `list_greetings`, and removed with `remove_greeting`. A file that is not
//! audio, one too short, or a number without a mailbox is refused and changes nothing.

mod common;

use common::{Harness, PATIENCE};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpStream;

/// A mono 16-bit WAV of a 1 kHz sine at `rate`, `millis` long.
fn sine_wav(rate: u32, millis: u32) -> Vec<u8> {
    let samples = rate * millis / 1000;
    let data_len = samples * 2;
    let mut out = Vec::new();
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for i in 0..samples {
        let t = f64::from(i) / f64::from(rate);
        let s = (t * 1000.0 * std::f64::consts::TAU).sin() * 12_000.0;
        out.extend_from_slice(&(s as i16).to_le_bytes());
    }
    out
}

/// Sends `body` as it is; the status, content type and body.
async fn send(h: &Harness, method: &str, path: &str, body: Vec<u8>) -> (u16, String, Vec<u8>) {
    let stream = TcpStream::connect(h.addr).await.expect("connect");
    let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(conn);
    let request = hyper::Request::builder()
        .method(method)
        .uri(path)
        .header("host", h.addr.to_string())
        .header("content-type", "application/octet-stream")
        .body(Full::new(Bytes::from(body)))
        .expect("request");
    let response = tokio::time::timeout(PATIENCE, sender.send_request(request))
        .await
        .expect("answered in time")
        .expect("response");
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let body = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec();
    (status, content_type, body)
}

fn json_of(body: &[u8]) -> Value {
    serde_json::from_slice(body).expect("a JSON body")
}

fn greeting_of(list: &Value, number: &str) -> Value {
    list["greetings"]
        .as_array()
        .expect("greetings")
        .iter()
        .find(|g| g["number"] == number)
        .cloned()
        .unwrap_or_else(|| panic!("no greeting line for {number} in {list}"))
}

#[tokio::test]
async fn an_uploaded_greeting_is_stored_served_listed_and_removed() {
    let h = Harness::start().await;
    h.add_extension("201", "Ann").await;
    h.ok("enable_mailbox", json!({"number": "201", "pin": "7392"}))
        .await;
    let list = h.ok("list_greetings", json!({})).await;
    assert_eq!(greeting_of(&list, "201")["custom"], false);

    let (status, _, body) = send(
        &h,
        "POST",
        "/api/greetings/201?name=hello.wav",
        sine_wav(44_100, 2000),
    )
    .await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let state = json_of(&body);
    assert_eq!(state["custom"], true);
    assert_eq!(state["audio_path"], "/api/greetings/201");
    let stored = h.dir.path().join("greetings").join("201.wav");
    let wav = std::fs::read(&stored).expect("the greeting file");
    // Converted: 8 kHz mono 16-bit, two seconds.
    assert_eq!(
        u32::from_le_bytes(wav[24..28].try_into().expect("rate")),
        8000
    );
    assert_eq!(
        u16::from_le_bytes(wav[22..24].try_into().expect("channels")),
        1
    );
    assert!(
        (wav.len() as i64 - 44 - 32_000).abs() < 400,
        "{} bytes",
        wav.len()
    );
    assert_eq!(
        greeting_of(&h.ok("list_greetings", json!({})).await, "201")["custom"],
        true
    );

    let (status, content_type, served) = send(&h, "GET", "/api/greetings/201", Vec::new()).await;
    assert_eq!(status, 200);
    assert_eq!(content_type, "audio/wav");
    assert_eq!(served, wav);

    let removed = h.ok("remove_greeting", json!({"number": "201"})).await;
    assert_eq!(removed["greeting"]["custom"], false);
    assert!(!stored.exists());
    let (status, _, _) = send(&h, "GET", "/api/greetings/201", Vec::new()).await;
    assert_eq!(status, 404);
    h.stop().await;
}

#[tokio::test]
async fn bad_files_and_unknown_numbers_are_refused_and_keep_the_greeting() {
    let h = Harness::start().await;
    h.add_extension("201", "Ann").await;
    let good = sine_wav(8000, 1500);
    let (status, _, _) = send(&h, "POST", "/api/greetings/201?name=a.wav", good.clone()).await;
    assert_eq!(status, 200);
    let stored = h.dir.path().join("greetings").join("201.wav");
    let before = std::fs::read(&stored).expect("greeting");

    let (status, _, body) = send(
        &h,
        "POST",
        "/api/greetings/201?name=a.mp3",
        b"this is not audio at all, just words".to_vec(),
    )
    .await;
    assert_eq!(status, 422, "{}", String::from_utf8_lossy(&body));
    let refused = json_of(&body);
    assert!(refused["error"]["fields"]["file"].is_string(), "{refused}");

    let (status, _, body) = send(&h, "POST", "/api/greetings/201", sine_wav(8000, 300)).await;
    assert_eq!(status, 422);
    assert_eq!(
        json_of(&body)["error"]["fields"]["file"],
        "is shorter than one second"
    );

    let (status, _, body) = send(&h, "POST", "/api/greetings/201", Vec::new()).await;
    assert_eq!(status, 422);
    assert!(json_of(&body)["error"]["fields"]["file"].is_string());

    let (status, _, _) = send(&h, "POST", "/api/greetings/999", good.clone()).await;
    assert_eq!(status, 404);
    let (status, _, _) = send(&h, "POST", "/api/greetings/..%2Fx", good).await;
    assert!(status == 404 || status == 400, "{status}");
    assert!(!h.dir.path().join("greetings").join("999.wav").exists());

    assert_eq!(std::fs::read(&stored).expect("greeting"), before);
    h.stop().await;
}
