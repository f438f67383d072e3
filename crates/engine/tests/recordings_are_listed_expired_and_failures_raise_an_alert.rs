//! The recordings' keeper: a finished recording is listed (with its parties and trigger)
//! and the screens are told; one that cannot be written (no folder, or a full disk in the
//! middle of the call) raises an alert, lists nothing and leaves the call's audio going; new recordings are refused below the free-space threshold; the daily clean-up
//! deletes recordings older than the retention setting, never a file still being written.

mod relay_support;

use std::time::Duration;

use engine::relay::{RecordKeeper, RelayPool};
use pbx::{PbxEvent, RecordingInfo, RecordingTrigger};
use relay_support::*;
use store::{NewRecording, RecordingPolicy, Store};
use tokio::sync::broadcast;

const DAY: u64 = 24 * 3600;

fn info(trigger: RecordingTrigger) -> RecordingInfo {
    RecordingInfo {
        call_id: "abc@host".to_owned(),
        caller: "201".to_owned(),
        callee: "202".to_owned(),
        started_at: 1_800_000_000,
        trigger,
    }
}

async fn next_event(events: &mut broadcast::Receiver<PbxEvent>) -> PbxEvent {
    tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .expect("an event in time")
        .expect("the channel is open")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_recording_is_listed_and_a_failed_one_raises_an_alert() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (tx, mut events) = broadcast::channel(16);
    let keeper = RecordKeeper::start(dir.path(), tx).expect("keeper");
    let pool = RelayPool::new(28500..=28599);
    let phone_a = socket_on(LOOPBACK).await;
    let phone_b = socket_on(LOOPBACK).await;
    let ports = pool.allocate(LOOPBACK).expect("ports");
    let relay = pool
        .start(ports, addr_of(&phone_a), addr_of(&phone_b))
        .expect("start");

    let path = dir.path().join("recordings").join("call.wav");
    let recording = relay.start_recording(path.clone(), &[]).expect("starts");
    keeper.watch(
        recording,
        info(RecordingTrigger::Extension("202".to_owned())),
    );
    relay.stop_recording();
    assert_eq!(next_event(&mut events).await, PbxEvent::RecordingsChanged);
    let store = Store::open(dir.path()).expect("store");
    let listed = store.recordings(10).expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].file, "recordings/call.wav");
    assert_eq!(listed[0].trigger, store::RecordingTrigger::Extension);
    assert_eq!(listed[0].trigger_name.as_deref(), Some("202"));
    assert_eq!(
        (listed[0].caller.as_str(), listed[0].callee.as_str()),
        ("201", "202")
    );
    assert_eq!(
        listed[0].size_bytes,
        std::fs::metadata(&path).expect("file").len()
    );

    // A recording whose folder cannot be made fails like a full disk: an alert, no row,
    // and the earlier recording untouched.
    let blocker = dir.path().join("not-a-folder");
    std::fs::write(&blocker, b"").expect("a file where the folder should be");
    let failing = relay
        .start_recording(blocker.join("call.wav"), &[])
        .expect("the writer starts");
    keeper.watch(failing, info(RecordingTrigger::OnDemand));
    match next_event(&mut events).await {
        PbxEvent::RecordingAlert { message } => {
            assert!(message.contains("could not be written"), "{message}")
        }
        other => panic!("expected an alert, got {other:?}"),
    }
    assert_eq!(store.recordings(10).expect("list").len(), 1);
    assert!(path.is_file(), "the earlier recording is intact");
    relay.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recording_is_refused_below_the_free_space_threshold() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (tx, _events) = broadcast::channel(16);
    let keeper = RecordKeeper::start(dir.path(), tx).expect("keeper");
    let store = Store::open(dir.path()).expect("store");
    store
        .save_recording_policy(&RecordingPolicy {
            retention_days: 0,
            min_free_mb: 0,
        })
        .expect("save");
    assert_eq!(keeper.refusal(), None, "any disk has 0 MB free");
    store
        .save_recording_policy(&RecordingPolicy {
            retention_days: 0,
            min_free_mb: store::MIN_FREE_MAX_MB,
        })
        .expect("save");
    let why = keeper.refusal().expect("no test disk has a terabyte free");
    assert!(why.contains("MB free"), "{why}");
    assert!(engine::relay::free_mb(dir.path()).is_some());
    // An alert is kept for pages opened later.
    keeper.alert(why.clone());
    let kept = store.last_recording_alert().expect("read").expect("kept");
    assert_eq!(kept.0, why);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_clean_up_deletes_only_recordings_older_than_the_retention() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (tx, mut events) = broadcast::channel(16);
    let keeper = RecordKeeper::start(dir.path(), tx).expect("keeper");
    let store = Store::open(dir.path()).expect("store");
    let folder = dir.path().join("recordings");
    std::fs::create_dir_all(&folder).expect("folder");
    let now = 1_800_000_000u64;
    for (name, age_days) in [("old.wav", 40), ("new.wav", 2)] {
        std::fs::write(folder.join(name), b"RIFF").expect("file");
        store
            .insert_recording(&NewRecording {
                call_id: name.to_owned(),
                caller: "201".to_owned(),
                callee: "202".to_owned(),
                started_at: i64::try_from(now - age_days * DAY).expect("fits"),
                duration_ms: 1_000,
                trigger: store::RecordingTrigger::OnDemand,
                trigger_name: None,
                file: format!("recordings/{name}"),
                size_bytes: 4,
            })
            .expect("row");
    }
    // A recording being written has no row, only its hidden temporary file.
    std::fs::write(folder.join(".call.wav.part"), b"RIFF").expect("part file");

    assert_eq!(keeper.clean_up(now), 0, "retention 0 keeps everything");
    store
        .save_recording_policy(&RecordingPolicy {
            retention_days: 30,
            min_free_mb: 0,
        })
        .expect("save");
    assert_eq!(keeper.clean_up(now), 1);
    assert_eq!(next_event(&mut events).await, PbxEvent::RecordingsChanged);
    assert!(!folder.join("old.wav").exists());
    assert!(folder.join("new.wav").exists());
    assert!(folder.join(".call.wav.part").exists());
    let left: Vec<String> = store
        .recordings(10)
        .expect("list")
        .into_iter()
        .map(|r| r.file)
        .collect();
    assert_eq!(left, ["recordings/new.wav"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recordings_a_stop_cut_short_are_listed_with_their_parties_when_salvaged() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("store");
    let folder = dir.path().join("recordings");
    std::fs::create_dir_all(&folder).expect("folder");
    for name in ["salvaged.wav", "lost.wav"] {
        store
            .begin_recording(&NewRecording {
                call_id: name.to_owned(),
                caller: "201".to_owned(),
                callee: "202".to_owned(),
                started_at: 1_800_000_000,
                duration_ms: 0,
                trigger: store::RecordingTrigger::Extension,
                trigger_name: Some("202".to_owned()),
                file: format!("recordings/{name}"),
                size_bytes: 0,
            })
            .expect("begun");
    }
    // Start-up salvaged one file (the writer had made it valid up to the crash); the
    // other call's file held nothing usable and was removed.
    let salvaged = vec![0u8; 44 + 32_000];
    std::fs::write(folder.join("salvaged.wav"), &salvaged).expect("file");
    assert!(store.recordings(10).expect("list").is_empty());

    let (tx, _events) = broadcast::channel(16);
    let _keeper = RecordKeeper::start(dir.path(), tx).expect("keeper");
    let listed = store.recordings(10).expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].file, "recordings/salvaged.wav");
    assert_eq!(
        (listed[0].caller.as_str(), listed[0].callee.as_str()),
        ("201", "202")
    );
    assert_eq!(listed[0].duration_ms, 1_000);
    assert!(store
        .unfinished_recordings()
        .expect("unfinished")
        .is_empty());
}

/// A full disk, for real: the recording's temporary file is a link to `/dev/full`, where
/// every write fails with "no space left on device". The writer gives up in the middle of
/// the call, the alert says why, relaying goes on, and the earlier recording is untouched.
#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_disk_filling_up_mid_call_stops_the_recording_alone_with_an_alert() {
    let dir = tempfile::tempdir().expect("temp dir");
    let folder = dir.path().join("recordings");
    std::fs::create_dir_all(&folder).expect("folder");
    std::fs::write(folder.join("earlier.wav"), b"RIFF earlier").expect("earlier recording");
    std::os::unix::fs::symlink("/dev/full", folder.join(".call.wav.part")).expect("link");
    let (tx, mut events) = broadcast::channel(16);
    let keeper = RecordKeeper::start(dir.path(), tx).expect("keeper");
    let pool = RelayPool::new(28600..=28699);
    let phone_a = socket_on(LOOPBACK).await;
    let phone_b = socket_on(LOOPBACK).await;
    let ports = pool.allocate(LOOPBACK).expect("ports");
    let relay_for_a = ports.local_addr(engine::relay::Side::A);
    let relay = pool
        .start(ports, addr_of(&phone_a), addr_of(&phone_b))
        .expect("start");
    let recording = relay
        .start_recording(folder.join("call.wav"), &[])
        .expect("the writer starts");
    keeper.watch(recording.clone(), info(RecordingTrigger::OnDemand));
    assert!(recording.is_running());

    // Two seconds of PCMU: far more than the writer's buffer, so it must reach the disk.
    let mut alert = None;
    for seq in 0..100u16 {
        send(&phone_a, relay_for_a, &rtp(seq, &[0xff; 160])).await;
        assert_eq!(recv_sequence(&phone_b).await.0, seq, "relaying goes on");
        if let Ok(event) = events.try_recv() {
            alert = Some(event);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let alert = match alert {
        Some(event) => event,
        None => next_event(&mut events).await,
    };
    match alert {
        PbxEvent::RecordingAlert { message } => {
            assert!(message.contains("could not be written"), "{message}");
            assert!(message.contains("no storage space"), "{message}");
        }
        other => panic!("expected an alert, got {other:?}"),
    }
    assert!(!recording.is_running(), "a failed recording is not running");
    let store = Store::open(dir.path()).expect("store");
    assert!(store.recordings(10).expect("list").is_empty());
    assert!(store
        .unfinished_recordings()
        .expect("unfinished")
        .is_empty());
    assert!(
        !folder.join("call.wav").exists(),
        "no half file under the recording's name"
    );
    assert_eq!(
        std::fs::read(folder.join("earlier.wav")).expect("earlier"),
        b"RIFF earlier"
    );
    relay.close().await;
}
