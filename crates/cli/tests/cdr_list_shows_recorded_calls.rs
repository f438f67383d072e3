//! `cdr list` shows the calls the PBX recorded, newest first, honouring `--limit` and the
//! filters; trunk calls show their business name, trunk and whether every line was busy.

mod common;

use common::{json, ok, run};
use store::{Direction, HangupBy, NewCdr, Outcome, Store};

fn record(store: &Store, call_id: &str, started_at: i64, outcome: Outcome) {
    store
        .insert_cdr(&internal(call_id, started_at, outcome))
        .expect("insert");
}

fn internal(call_id: &str, started_at: i64, outcome: Outcome) -> NewCdr {
    NewCdr {
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
        business_name: None,
        trunk: None,
        direction: Direction::Internal,
        lines_busy: false,
    }
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

#[test]
fn trunk_calls_show_business_name_trunk_and_busy_lines() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let store = Store::open(dir.path()).expect("open");
        record(&store, "internal", 1_700_000_000, Outcome::Answered);
        let mut inbound = internal("inbound", 1_700_000_100, Outcome::Busy);
        inbound.caller_number = "+441632960001".into();
        inbound.caller_name = Some("Jane Doe".into());
        inbound.callee = "+442071234567".into();
        inbound.business_name = Some("sales.acme".into());
        inbound.trunk = Some("Provider".into());
        inbound.direction = Direction::Inbound;
        inbound.lines_busy = true;
        store.insert_cdr(&inbound).expect("insert");
    }
    let busy = json(dir.path(), &["cdr", "list", "--json", "--lines-busy"]);
    assert_eq!(busy.as_array().map(Vec::len), Some(1));
    assert_eq!(busy[0]["call_id"], "inbound");
    assert_eq!(busy[0]["business_name"], "sales.acme");
    assert_eq!(busy[0]["direction"], "inbound");

    let by_trunk = json(
        dir.path(),
        &["cdr", "list", "--json", "--trunk", "Provider"],
    );
    assert_eq!(by_trunk.as_array().map(Vec::len), Some(1));
    let internal = json(
        dir.path(),
        &["cdr", "list", "--json", "--direction", "internal"],
    );
    assert_eq!(internal[0]["call_id"], "internal");
    assert_eq!(internal.as_array().map(Vec::len), Some(1));

    let human = ok(dir.path(), &["cdr", "list"]);
    assert!(human.contains("sales.acme (+442071234567)"), "{human}");
    assert!(human.contains("via Provider, all lines busy"), "{human}");

    let bad = run(dir.path(), &["cdr", "list", "--direction", "sideways"]);
    assert_eq!(bad.status.code(), Some(2));
}
