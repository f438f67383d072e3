//! Call records come back newest first, filtered by number and outcome, with talk time
//! computed from the answer.

use store::{CdrFilter, Direction, HangupBy, NewCdr, Outcome, Store};

fn call(id: &str, caller: &str, callee: &str, started_at: i64, outcome: Outcome) -> NewCdr {
    let answered = outcome == Outcome::Answered;
    NewCdr {
        call_id: id.to_owned(),
        caller_number: caller.to_owned(),
        caller_name: Some(format!("Caller {caller}")),
        callee: callee.to_owned(),
        answered_by: answered.then(|| callee.to_owned()),
        started_at,
        answered_at: answered.then_some(started_at + 5),
        ended_at: started_at + 65,
        outcome,
        hangup_by: if answered {
            HangupBy::Callee
        } else {
            HangupBy::Caller
        },
        reason: (!answered).then(|| "487 Request Terminated".to_owned()),
        business_name: None,
        trunk: None,
        direction: Direction::Internal,
        lines_busy: false,
    }
}

fn store_with_calls() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    let calls = [
        call("a", "201", "202", 100, Outcome::Answered),
        call("b", "203", "201", 300, Outcome::Cancelled),
        call("c", "202", "203", 200, Outcome::Busy),
        call("d", "204", "205", 400, Outcome::NotFound),
    ];
    for c in &calls {
        store.insert_cdr(c).expect("insert");
    }
    (dir, store)
}

fn ids(store: &Store, filter: &CdrFilter) -> Vec<String> {
    store
        .list_cdrs(filter)
        .expect("list")
        .into_iter()
        .map(|c| c.call_id)
        .collect()
}

#[test]
fn newest_first_with_a_limit() {
    let (_dir, store) = store_with_calls();
    assert_eq!(ids(&store, &CdrFilter::default()), ["d", "b", "c", "a"]);
    let two = CdrFilter {
        limit: 2,
        ..CdrFilter::default()
    };
    assert_eq!(ids(&store, &two), ["d", "b"]);
}

#[test]
fn filters_by_number_in_any_role_and_by_outcome() {
    let (_dir, store) = store_with_calls();
    let by_201 = CdrFilter {
        number: Some("201".into()),
        ..CdrFilter::default()
    };
    assert_eq!(ids(&store, &by_201), ["b", "a"]);
    let busy = CdrFilter {
        outcome: Some(Outcome::Busy),
        ..CdrFilter::default()
    };
    assert_eq!(ids(&store, &busy), ["c"]);
    let both = CdrFilter {
        number: Some("202".into()),
        outcome: Some(Outcome::Answered),
        ..CdrFilter::default()
    };
    assert_eq!(ids(&store, &both), ["a"]);
}

#[test]
fn every_field_round_trips_and_duration_is_talk_time() {
    let (_dir, store) = store_with_calls();
    let all = store.list_cdrs(&CdrFilter::default()).expect("list");
    let a = all.iter().find(|c| c.call_id == "a").expect("call a");
    assert_eq!(a.caller_number, "201");
    assert_eq!(a.caller_name.as_deref(), Some("Caller 201"));
    assert_eq!(a.callee, "202");
    assert_eq!(a.answered_by.as_deref(), Some("202"));
    assert_eq!(a.started_at, 100);
    assert_eq!(a.answered_at, Some(105));
    assert_eq!(a.ended_at, 165);
    assert_eq!(a.duration_s, 60);
    assert_eq!(a.outcome, Outcome::Answered);
    assert_eq!(a.hangup_by, HangupBy::Callee);
    assert_eq!(a.reason, None);
    let b = all.iter().find(|c| c.call_id == "b").expect("call b");
    assert_eq!(b.duration_s, 0);
    assert_eq!(b.answered_by, None);
    assert_eq!(b.reason.as_deref(), Some("487 Request Terminated"));
}

#[test]
fn outcome_names_round_trip() {
    for o in Outcome::ALL {
        assert_eq!(o.as_str().parse::<Outcome>(), Ok(o));
    }
    assert_eq!(Outcome::NoAnswer.to_string(), "no_answer");
    assert!("ringing".parse::<Outcome>().is_err());
}
