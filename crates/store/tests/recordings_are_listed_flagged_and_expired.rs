//! Recordings are listed newest first and deleted by id or by age (returning their files);
//! "always record" is a flag of extensions, ring groups and business names that survives
//! editing them; the retention settings are checked and kept.

use pbx::dialplan::{Destination, RingGroup, RingMember, RingStrategy};
use store::{
    AlwaysRecordKind, Direction, Error, HangupBy, NewCdr, NewRecording, Outcome, RecordingPolicy,
    RecordingTrigger,
};

mod common;

fn recording(at: i64, file: &str) -> NewRecording {
    NewRecording {
        call_id: format!("call-{at}"),
        caller: "201".to_owned(),
        callee: "202".to_owned(),
        started_at: at,
        duration_ms: 3_500,
        trigger: RecordingTrigger::Extension,
        trigger_name: Some("201".to_owned()),
        file: file.to_owned(),
        size_bytes: 56_044,
    }
}

#[test]
fn recordings_list_newest_first_and_delete_by_id_and_age() {
    let (_dir, store) = common::store();
    let old = store
        .insert_recording(&recording(1_000, "recordings/a.wav"))
        .expect("insert");
    let new = store
        .insert_recording(&recording(2_000, "recordings/b.wav"))
        .expect("insert");
    // The call record of the newer one is written after it: the list finds it by Call-ID.
    let cdr = store
        .insert_cdr(&NewCdr {
            call_id: "call-2000".to_owned(),
            caller_number: "201".to_owned(),
            caller_name: Some("Ann".to_owned()),
            callee: "202".to_owned(),
            answered_by: Some("202".to_owned()),
            started_at: 1_995,
            answered_at: Some(2_000),
            ended_at: 2_004,
            outcome: Outcome::Answered,
            hangup_by: HangupBy::Caller,
            reason: None,
            business_name: Some("sales.acme".to_owned()),
            trunk: None,
            direction: Direction::Internal,
            lines_busy: false,
        })
        .expect("cdr");
    let list = store.recordings(10).expect("list");
    assert_eq!(list.iter().map(|r| r.id).collect::<Vec<_>>(), [new, old]);
    let call = list[0].call.as_ref().expect("linked to its call record");
    assert_eq!(call.cdr_id, cdr);
    assert_eq!(call.caller_name.as_deref(), Some("Ann"));
    assert_eq!(call.business_name.as_deref(), Some("sales.acme"));
    assert_eq!(call.duration_s, 4);
    assert_eq!(list[1].call, None, "no record yet for the older one");
    assert_eq!(list[1].trigger, RecordingTrigger::Extension);
    assert_eq!(list[1].trigger_name.as_deref(), Some("201"));
    assert_eq!(list[1].duration_ms, 3_500);
    assert_eq!(store.recordings(1).expect("list").len(), 1);

    assert_eq!(
        store.delete_recordings_before(1_500).expect("expire"),
        ["recordings/a.wav"]
    );
    assert_eq!(store.recording(old).expect("read"), None);
    assert_eq!(
        store.delete_recording(new).expect("delete"),
        "recordings/b.wav"
    );
    assert!(matches!(
        store.delete_recording(new),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn always_record_flags_are_set_and_survive_editing() {
    let (_dir, store) = common::store();
    common::extensions(&store, &["201", "202"]);
    let group = RingGroup {
        number: "600".to_owned(),
        name: "Sales".to_owned(),
        strategy: RingStrategy::All,
        members: vec![RingMember {
            number: "201".to_owned(),
            ring_seconds: 20,
        }],
        final_destination: None,
    };
    store.save_ring_group(None, &group).expect("group");
    store
        .save_business_name(&common::business_name(
            "sales.acme",
            "+15550100",
            None,
            Destination::RingGroup("600".to_owned()),
        ))
        .expect("name");

    store
        .set_always_record(AlwaysRecordKind::Extension, "202", true)
        .expect("flag");
    store
        .set_always_record(AlwaysRecordKind::RingGroup, "600", true)
        .expect("flag");
    store
        .set_always_record(AlwaysRecordKind::BusinessName, "sales.acme", true)
        .expect("flag");
    // Renaming the group keeps its flag.
    let renamed = RingGroup {
        name: "Sales team".to_owned(),
        ..group
    };
    store.save_ring_group(Some("600"), &renamed).expect("edit");
    let always = store.always_record().expect("read");
    assert_eq!(always.extensions, ["202"]);
    assert_eq!(always.ring_groups, ["600"]);
    assert_eq!(always.business_names, ["sales.acme"]);

    store
        .set_always_record(AlwaysRecordKind::Extension, "202", false)
        .expect("flag off");
    assert!(store.always_record().expect("read").extensions.is_empty());
    assert!(matches!(
        store.set_always_record(AlwaysRecordKind::Extension, "999", true),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn retention_settings_default_are_checked_and_kept() {
    let (_dir, store) = common::store();
    assert_eq!(
        store.recording_policy().expect("read"),
        RecordingPolicy::default()
    );
    let policy = RecordingPolicy {
        retention_days: 30,
        min_free_mb: 2_000,
    };
    store.save_recording_policy(&policy).expect("save");
    assert_eq!(store.recording_policy().expect("read"), policy);

    let err = store
        .save_recording_policy(&RecordingPolicy {
            retention_days: 100_000,
            min_free_mb: 1,
        })
        .expect_err("too long");
    assert!(err
        .validation()
        .and_then(|v| v.get("retention_days"))
        .is_some());
    assert_eq!(store.recording_policy().expect("read"), policy);
}

#[test]
fn the_latest_recording_problem_is_kept() {
    let (_dir, store) = common::store();
    assert_eq!(store.last_recording_alert().expect("read"), None);
    store
        .save_recording_alert("disk full", 1_000)
        .expect("save");
    store
        .save_recording_alert("only 12 MB free", 2_000)
        .expect("save");
    assert_eq!(
        store.last_recording_alert().expect("read"),
        Some(("only 12 MB free".to_owned(), 2_000))
    );
}

#[test]
fn a_begun_recording_is_listed_once_finished_and_never_expired_before() {
    let (_dir, store) = common::store();
    store
        .begin_recording(&recording(1_000, "recordings/now.wav"))
        .expect("begin");
    store
        .begin_recording(&recording(1_000, "recordings/failed.wav"))
        .expect("begin");
    assert!(
        store.recordings(10).expect("list").is_empty(),
        "not listed while written"
    );
    assert!(
        store
            .delete_recordings_before(5_000)
            .expect("expire")
            .is_empty(),
        "the clean-up never takes a recording being written"
    );
    assert_eq!(
        store.unfinished_recordings().expect("unfinished"),
        ["recordings/now.wav", "recordings/failed.wav"]
    );
    assert!(store
        .finish_recording("recordings/now.wav", 2_500, 80_044)
        .expect("finish"));
    assert!(!store
        .finish_recording("recordings/other.wav", 1, 1)
        .expect("finish"));
    store
        .abandon_recording("recordings/failed.wav")
        .expect("abandon");
    let listed = store.recordings(10).expect("list");
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].file, "recordings/now.wav");
    assert_eq!(
        (listed[0].duration_ms, listed[0].size_bytes),
        (2_500, 80_044)
    );
    assert!(store
        .unfinished_recordings()
        .expect("unfinished")
        .is_empty());
}
