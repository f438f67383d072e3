//! Recordings over HTTP: the list names both parties, why the call was recorded and its
//! call record; `/api/recordings/<id>/audio` serves the WAV (inline or as a download) and
//! only for listed ids; deleting removes the row and the file; always-on flags and the
//! retention settings are saved (bad values refused per field); every change is pushed as
//! `recordings_changed`.

mod common;

use common::Harness;
use serde_json::json;

fn leave_recording(h: &Harness, file: &str, at: i64) -> (i64, Vec<u8>) {
    let folder = h.dir.path().join("recordings");
    std::fs::create_dir_all(&folder).expect("folder");
    let audio = b"RIFF\x24\x00\x00\x00WAVEfmt recording".to_vec();
    std::fs::write(folder.join(file), &audio).expect("write");
    let id = h
        .store()
        .insert_recording(&store::NewRecording {
            call_id: format!("call-{at}"),
            caller: "201".to_owned(),
            callee: "202".to_owned(),
            started_at: at,
            duration_ms: 2_000,
            trigger: store::RecordingTrigger::RingGroup,
            trigger_name: Some("600".to_owned()),
            file: format!("recordings/{file}"),
            size_bytes: audio.len() as u64,
        })
        .expect("row");
    (id, audio)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recordings_are_listed_served_and_deleted() {
    let h = Harness::start().await;
    let mut ws = h.ws().await;
    let (id, audio) = leave_recording(&h, "1800000000-call.wav", 1_800_000_000);

    let listed = h.ok("list_recordings", json!({})).await;
    let rec = &listed["recordings"][0];
    assert_eq!(rec["id"], json!(id));
    assert_eq!(rec["caller"], "201");
    assert_eq!(rec["callee"], "202");
    assert_eq!(rec["trigger"], "ring_group");
    assert_eq!(rec["trigger_name"], "600");
    assert_eq!(rec["call"], json!(null), "no call record was written");
    let path = rec["audio_path"].as_str().expect("audio path").to_owned();

    let (status, content_type, body) = h.get(&path).await;
    assert_eq!((status, content_type.as_str()), (200, "audio/wav"));
    assert_eq!(body.as_bytes(), &audio[..]);
    let (_, headers) = h.headers_of("GET", &format!("{path}?download"), &[]).await;
    let disposition = headers
        .iter()
        .find(|(k, _)| k == "content-disposition")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(disposition.contains("201-to-202"), "{disposition}");
    assert_eq!(h.get("/api/recordings/999/audio").await.0, 404);
    assert_eq!(h.get("/api/recordings/x/audio").await.0, 404);

    h.ok("delete_recording", json!({ "id": id })).await;
    ws.event("recordings_changed").await;
    assert_eq!(
        h.ok("list_recordings", json!({})).await["recordings"],
        json!([])
    );
    assert!(!h.dir.path().join("recordings/1800000000-call.wav").exists());
    h.refused("delete_recording", json!({ "id": id }), 404)
        .await;
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn always_on_flags_and_retention_are_saved_and_checked() {
    let h = Harness::start().await;
    let mut ws = h.ws().await;
    h.add_extension("201", "Ann").await;
    let settings = h
        .ok(
            "set_always_record",
            json!({ "kind": "extension", "key": "201", "on": true }),
        )
        .await;
    assert_eq!(settings["always"]["extensions"], json!(["201"]));
    ws.event("recordings_changed").await;
    let refused = h
        .refused(
            "set_always_record",
            json!({ "kind": "ring_group", "key": "600", "on": true }),
            404,
        )
        .await;
    assert!(refused["fields"]["key"].is_string(), "{refused}");

    let saved = h
        .ok(
            "save_recording_settings",
            json!({ "retention_days": 30, "min_free_mb": 800 }),
        )
        .await;
    assert_eq!(saved["retention_days"], 30);
    assert_eq!(saved["min_free_mb"], 800);
    let refused = h
        .refused(
            "save_recording_settings",
            json!({ "retention_days": 99999, "min_free_mb": 800 }),
            422,
        )
        .await;
    assert!(refused["fields"]["retention_days"].is_string());
    let read = h.ok("get_recording_settings", json!({})).await;
    assert_eq!(read["retention_days"], 30);
    assert_eq!(read["always"]["extensions"], json!(["201"]));
    assert!(read["free_mb"].is_u64(), "{read}");
    assert_eq!(read["last_alert"], json!(null));
    h.store()
        .save_recording_alert("only 12 MB free", 1_800_000_000)
        .expect("alert");
    let read = h.ok("get_recording_settings", json!({})).await;
    assert_eq!(
        read["last_alert"],
        json!({ "message": "only 12 MB free", "at": 1_800_000_000 })
    );
    h.stop().await;
}
