//! Call records keep the business name, trunk, direction and "every line busy" of a call,
//! and the history can be narrowed by each.

use store::{CdrFilter, Direction, HangupBy, NewCdr, Outcome};

mod common;

fn call(
    id: &str,
    started_at: i64,
    direction: Direction,
    trunk: Option<&str>,
    lines_busy: bool,
) -> NewCdr {
    NewCdr {
        call_id: id.to_owned(),
        caller_number: "+447700900123".to_owned(),
        caller_name: Some("Jane Doe".to_owned()),
        callee: "+442071234567".to_owned(),
        answered_by: None,
        started_at,
        answered_at: None,
        ended_at: started_at + 10,
        outcome: if lines_busy {
            Outcome::Busy
        } else {
            Outcome::NoAnswer
        },
        hangup_by: HangupBy::System,
        reason: lines_busy.then(|| "486 Busy Here".to_owned()),
        business_name: (direction == Direction::Inbound).then(|| "sales.acme".to_owned()),
        trunk: trunk.map(str::to_owned),
        direction,
        lines_busy,
    }
}

fn ids(store: &store::Store, filter: &CdrFilter) -> Vec<String> {
    store
        .list_cdrs(filter)
        .expect("list")
        .into_iter()
        .map(|c| c.call_id)
        .collect()
}

fn store_with_calls() -> (tempfile::TempDir, store::Store) {
    let (dir, mut store) = common::store();
    store
        .insert_cdrs(&[
            call("internal", 100, Direction::Internal, None, false),
            call("in", 200, Direction::Inbound, Some("Provider"), false),
            call("in-busy", 300, Direction::Inbound, Some("Provider"), true),
            call("out", 400, Direction::Outbound, Some("Backup"), false),
        ])
        .expect("insert");
    (dir, store)
}

#[test]
fn the_new_fields_round_trip() {
    let (_dir, store) = store_with_calls();
    let all = store.list_cdrs(&CdrFilter::default()).expect("list");
    let busy = all
        .iter()
        .find(|c| c.call_id == "in-busy")
        .expect("in-busy");
    assert_eq!(busy.business_name.as_deref(), Some("sales.acme"));
    assert_eq!(busy.trunk.as_deref(), Some("Provider"));
    assert_eq!(busy.direction, Direction::Inbound);
    assert!(busy.lines_busy);
    let internal = all
        .iter()
        .find(|c| c.call_id == "internal")
        .expect("internal");
    assert_eq!(internal.direction, Direction::Internal);
    assert_eq!(internal.trunk, None);
    assert!(!internal.lines_busy);
}

#[test]
fn the_history_filters_by_lines_busy_direction_trunk_and_business_name() {
    let (_dir, store) = store_with_calls();
    let busy = CdrFilter {
        lines_busy: Some(true),
        ..CdrFilter::default()
    };
    assert_eq!(ids(&store, &busy), ["in-busy"]);
    let not_busy = CdrFilter {
        lines_busy: Some(false),
        ..CdrFilter::default()
    };
    assert_eq!(ids(&store, &not_busy), ["out", "in", "internal"]);
    let inbound = CdrFilter {
        direction: Some(Direction::Inbound),
        ..CdrFilter::default()
    };
    assert_eq!(ids(&store, &inbound), ["in-busy", "in"]);
    let backup = CdrFilter {
        trunk: Some("Backup".to_owned()),
        ..CdrFilter::default()
    };
    assert_eq!(ids(&store, &backup), ["out"]);
    let sales_not_busy = CdrFilter {
        business_name: Some("sales.acme".to_owned()),
        lines_busy: Some(false),
        ..CdrFilter::default()
    };
    assert_eq!(ids(&store, &sales_not_busy), ["in"]);
}

#[test]
fn directions_have_stable_names() {
    let names: Vec<&str> = Direction::ALL.iter().map(|d| d.as_str()).collect();
    assert_eq!(names, ["internal", "inbound", "outbound"]);
    assert_eq!("outbound".parse::<Direction>(), Ok(Direction::Outbound));
    assert!("sideways".parse::<Direction>().is_err());
}
