//! What the store reported as written is there after the process dies without closing the
//! database. A child process (this test binary, re-run) writes and then aborts; the parent
//! reopens the folder and reads everything back.

mod common;

use std::path::Path;
use std::process::Command;

use common::binding;
use store::{CdrFilter, Direction, HangupBy, NewCdr, Outcome, Store};

const CHILD_DIR: &str = "STORE_CRASH_TEST_DIR";
const NOW: i64 = 1_700_000_000;

/// Runs in the child: write through every path, then abort (no destructors, no checkpoint).
fn write_then_abort(dir: &Path) -> ! {
    let store = Store::open(dir).expect("open");
    let created = store
        .create_extension("201", "Alice", "switchboard", NOW)
        .expect("create");
    std::fs::write(dir.join("password"), &created.password).expect("save password");
    store
        .insert_cdr(&NewCdr {
            call_id: "crash-call".into(),
            caller_number: "201".into(),
            caller_name: None,
            callee: "202".into(),
            answered_by: None,
            started_at: NOW,
            answered_at: None,
            ended_at: NOW + 3,
            outcome: Outcome::NoAnswer,
            hangup_by: HangupBy::System,
            reason: None,
            business_name: None,
            trunk: None,
            direction: Direction::Internal,
            lines_busy: false,
        })
        .expect("cdr");
    let writer = store.binding_writer().expect("writer");
    for i in 0..100 {
        writer
            .upsert(binding("201", &format!("sip:201@crash{i}"), NOW + 3600))
            .expect("queue");
    }
    writer.flush().expect("flush");
    std::process::abort();
}

#[test]
fn committed_rows_survive_an_abort() {
    if let Some(dir) = std::env::var_os(CHILD_DIR) {
        write_then_abort(Path::new(&dir));
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let status = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "committed_rows_survive_an_abort",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_DIR, dir.path())
        .status()
        .expect("run child");
    assert!(!status.success(), "the child must have aborted");

    let password = std::fs::read_to_string(dir.path().join("password")).expect("password");
    let store = Store::open(dir.path()).expect("reopen after crash");
    let ext = store
        .extension("201")
        .expect("query")
        .expect("extension survived");
    assert_eq!(ext.ha1_md5, store::ha1_md5("201", "switchboard", &password));
    assert_eq!(store.load_live_bindings(NOW).expect("load").len(), 100);
    let cdrs = store.list_cdrs(&CdrFilter::default()).expect("cdrs");
    assert_eq!(cdrs.len(), 1);
    assert_eq!(cdrs[0].call_id, "crash-call");
}
