//! A file written by version 2 (extensions, registrations, call records, settings) opens
//! at the current version with every row kept, and the new columns take their defaults:
//! no extension may call out, old calls are internal and found no busy lines.

use rusqlite::Connection;
use store::{CdrFilter, Direction, Store, DB_FILE_NAME, DEFAULT_EMERGENCY_NUMBERS, SCHEMA_VERSION};

mod common;

fn version_2_file(dir: &std::path::Path) {
    let conn = Connection::open(dir.join(DB_FILE_NAME)).expect("raw open");
    conn.execute_batch(common::SCHEMA_V1).expect("version 1");
    conn.execute_batch(common::SCHEMA_V2_ADDS)
        .expect("version 2");
    conn.execute_batch(
        "INSERT INTO extensions (number, name, realm, ha1_md5, ha1_sha256, created_at)
         VALUES ('201', 'Alice', 'switchboard', 'aa', 'bb', 1700000000);
         INSERT INTO bindings (extension, binding_key, contact, instance, transport, source,
                               user_agent, expires_at, call_id, cseq, updated_at)
         VALUES ('201', 'k1', 'sip:201@192.0.2.10:5060', NULL, 'udp', '192.0.2.10:5060',
                 'Phone/1', 4000000000, 'reg-1', 7, 1700000000);
         INSERT INTO cdr (call_id, caller_number, caller_name, callee, answered_by, started_at,
                          answered_at, ended_at, duration_s, outcome, hangup_by, reason)
         VALUES ('old-call', '201', 'Alice', '202', '202', 1700000000, 1700000005,
                 1700000065, 60, 'answered', 'callee', NULL);
         INSERT INTO settings (key, value, updated_at) VALUES ('log_level', 'debug', 1);",
    )
    .expect("version 2 rows");
}

#[test]
fn every_row_is_kept_and_new_columns_take_their_defaults() {
    let dir = tempfile::tempdir().expect("temp dir");
    version_2_file(dir.path());
    let store = Store::open(dir.path()).expect("open migrates");
    assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);

    let alice = store.extension("201").expect("query").expect("kept");
    assert_eq!(alice.name, "Alice");
    assert_eq!(alice.ha1_md5, "aa");
    assert!(!alice.outbound_allowed);

    let bindings = store.load_live_bindings(1_700_000_000).expect("bindings");
    assert_eq!(bindings.len(), 1);
    assert_eq!(bindings[0].cseq, 7);

    let calls = store.list_cdrs(&CdrFilter::default()).expect("calls");
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].call_id, "old-call");
    assert_eq!(calls[0].duration_s, 60);
    assert_eq!(calls[0].direction, Direction::Internal);
    assert!(!calls[0].lines_busy);
    assert_eq!(calls[0].trunk, None);
    assert_eq!(calls[0].business_name, None);

    assert_eq!(
        store.settings().expect("settings").log_level,
        store::LogLevel::Debug
    );
    assert!(!store.setup_complete().expect("setup flag"));
}

#[test]
fn the_migrated_file_has_an_empty_dial_plan_with_default_emergency_numbers() {
    let dir = tempfile::tempdir().expect("temp dir");
    version_2_file(dir.path());
    let store = Store::open(dir.path()).expect("open migrates");
    let plan = store.load_dial_plan().expect("plan");
    assert!(plan.trunks.is_empty());
    assert!(plan.names.is_empty());
    assert!(plan.ring_groups.is_empty());
    assert!(plan.schedules.is_empty());
    assert!(plan.outbound_routes.is_empty());
    assert!(plan.outbound_allowed.is_empty());
    assert_eq!(plan.emergency_numbers, DEFAULT_EMERGENCY_NUMBERS);
}

#[test]
fn a_migrated_extension_can_be_given_outbound_permission_and_reopened() {
    let dir = tempfile::tempdir().expect("temp dir");
    version_2_file(dir.path());
    {
        let store = Store::open(dir.path()).expect("open migrates");
        store.set_outbound_allowed("201", true).expect("allow");
    }
    let store = Store::open(dir.path()).expect("reopen");
    assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);
    assert!(
        store
            .extension("201")
            .expect("query")
            .expect("kept")
            .outbound_allowed
    );
}
