//! Do-not-disturb and forwarding are saved per extension and refused per field; the
//! feature-code list is the PBX's own table; music on hold is uploaded as a raw file,
//! converted and served back, a bad file refused on the `file` field.

mod common;

use common::Harness;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forwarding_is_saved_listed_and_checked_per_field() {
    let h = Harness::start().await;
    h.add_extension("201", "Alice").await;
    h.add_extension("202", "Bob").await;
    let list = h.ok("list_call_forwarding", json!({})).await;
    assert_eq!(list["extensions"][0]["number"], "201");
    assert_eq!(list["extensions"][0]["dnd"], false);
    assert_eq!(list["extensions"][0]["no_answer_seconds"], 20);

    let error = h
        .refused(
            "save_call_forwarding",
            json!({"forwarding": {"number": "201", "dnd": false, "forward_always": "201",
                   "forward_busy": "abc", "forward_no_answer": null, "no_answer_seconds": 2}}),
            422,
        )
        .await;
    let fields = &error["fields"];
    assert!(fields["forward_always"].as_str().is_some(), "{error}");
    assert!(fields["forward_busy"].as_str().is_some(), "{error}");
    assert!(fields["no_answer_seconds"].as_str().is_some(), "{error}");

    let saved = h
        .ok(
            "save_call_forwarding",
            json!({"forwarding": {"number": "201", "dnd": true, "forward_always": " ",
                   "forward_busy": "202", "forward_no_answer": "+4420", "no_answer_seconds": 15}}),
        )
        .await;
    assert_eq!(saved["forwarding"]["dnd"], true);
    assert_eq!(
        saved["forwarding"]["forward_always"],
        Value::Null,
        "blank is off"
    );
    let stored = h.store().call_forwarding("201").expect("stored");
    assert!(stored.dnd);
    assert_eq!(stored.busy.as_deref(), Some("202"));
    assert_eq!(stored.no_answer.as_deref(), Some("+4420"));
    assert_eq!(stored.no_answer_seconds, 15);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_feature_code_list_is_the_pbxs_table() {
    let h = Harness::start().await;
    let list = h.ok("list_feature_codes", json!({})).await;
    let codes = list["codes"].as_array().expect("codes");
    assert_eq!(codes.len(), pbx::feature_codes::FEATURE_CODES.len());
    let dnd = codes
        .iter()
        .find(|c| c["code"] == "*78")
        .expect("*78 listed");
    assert_eq!(dnd["available"], true);
    assert_eq!(dnd["usage"], "dial");
    let pickup = codes.iter().find(|c| c["code"] == "*8").expect("*8");
    assert_eq!(pickup["argument"], "optional_extension");
    h.stop().await;
}

/// POSTs raw bytes (the test harness speaks text only) and returns status and body.
async fn post_bytes(h: &Harness, path: &str, body: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(h.addr).await.expect("connect");
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/octet-stream\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        h.addr,
        body.len()
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    stream.write_all(body).await.expect("body");
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.expect("response");
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

/// A 16-bit mono PCM WAV (RIFF header written here) of `seconds` of a 500 Hz tone.
fn tone_wav(seconds: usize) -> Vec<u8> {
    let rate: u32 = 22_050;
    let data: Vec<u8> = (0..rate as usize * seconds)
        .map(|i| {
            (f64::sin(i as f64 * 500.0 * std::f64::consts::TAU / f64::from(rate)) * 6000.0) as i16
        })
        .flat_map(i16::to_le_bytes)
        .collect();
    let data_len = u32::try_from(data.len()).expect("small");
    let mut wav = Vec::with_capacity(44 + data.len());
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data_len).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&rate.to_le_bytes());
    wav.extend_from_slice(&(rate * 2).to_le_bytes());
    wav.extend_from_slice(&2u16.to_le_bytes());
    wav.extend_from_slice(&16u16.to_le_bytes());
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data_len.to_le_bytes());
    wav.extend_from_slice(&data);
    wav
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn music_on_hold_is_uploaded_served_refused_and_removed() {
    let h = Harness::start().await;
    let before = h.ok("get_music_on_hold", json!({})).await;
    assert_eq!(before["music"]["custom"], false);
    let (status, _, _) = h.get("/api/music-on-hold").await;
    assert_eq!(status, 404);

    let (status, body) = post_bytes(&h, "/api/music-on-hold?name=song.wav", &tone_wav(3)).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"custom\":true"), "{body}");
    let (status, content_type, _) = h.get("/api/music-on-hold").await;
    assert_eq!((status, content_type.as_str()), (200, "audio/wav"));

    let (status, body) = post_bytes(&h, "/api/music-on-hold?name=x.mp3", b"no music here").await;
    assert_eq!(status, 422, "{body}");
    let error: Value = serde_json::from_str(&body).expect("json");
    assert!(
        error["error"]["fields"]["file"].as_str().is_some(),
        "{body}"
    );
    assert_eq!(
        h.ok("get_music_on_hold", json!({})).await["music"]["custom"],
        true,
        "the music in use stays"
    );

    let removed = h.ok("remove_music_on_hold", json!({})).await;
    assert_eq!(removed["music"]["custom"], false);
    h.stop().await;
}
