//! `cdr list` shows the calls the PBX recorded, newest first, honouring `--limit`.

mod common;

use common::{json, ok, run};
use store::{HangupBy, NewCdr, Outcome, Store};

fn record(store: &Store, call_id: &str, started_at: i64, outcome: Outcome) {
    store
        .insert_cdr(&NewCdr {
            call_id: call_id.into(),
            caller_number: "201".into(),
            caller_name: Some("Alice Smith".into()),
            callee: "202".into(),
            answered_by: (outcome == Outcome::Answered).then(|| "202".into()),
            started_at,
            answered_at: (outcome == Outcome::Answered).then_some(started_at + 3),
            ended_at: started_at + 63,
            outcome,
            hangup_by: HangupBy::Caller,
            reason: None,
        })
        .expect("insert");
}

#[test]
fn lists_newest_first_with_limit_and_filters() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let store = Store::open(dir.path()).expect("open");
        record(&store, "first", 1_700_000_000, Outcome::Answered);
        record(&store, "second", 1_700_000_100, Outcome::Busy);
        record(&store, "third", 1_700_000_200, Outcome::Answered);
    }
    let all = json(dir.path(), &["cdr", "list", "--json"]);
    let ids: Vec<&str> = all
        .as_array()
        .expect("array")
        .iter()
        .map(|c| c["call_id"].as_str().expect("call_id"))
        .collect();
    assert_eq!(ids, ["third", "second", "first"]);
    assert_eq!(all[0]["duration_s"], 60);
    assert_eq!(all[0]["outcome"], "answered");
    assert_eq!(all[0]["hangup_by"], "caller");

    let one = json(dir.path(), &["cdr", "list", "--json", "--limit", "1"]);
    assert_eq!(one.as_array().map(Vec::len), Some(1));
    assert_eq!(one[0]["call_id"], "third");

    let busy = json(dir.path(), &["cdr", "list", "--json", "--outcome", "busy"]);
    assert_eq!(busy.as_array().map(Vec::len), Some(1));
    assert_eq!(busy[0]["call_id"], "second");

    let human = ok(dir.path(), &["cdr", "list"]);
    assert!(human.contains("Alice Smith <201>"), "{human}");
    assert!(human.contains("2023-11-14 22:13:20"), "{human}");

    let bad = run(dir.path(), &["cdr", "list", "--outcome", "ringing"]);
    assert_eq!(bad.status.code(), Some(2));
}
