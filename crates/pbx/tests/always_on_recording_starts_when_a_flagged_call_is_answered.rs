//! Always-on recording: a call touching an extension or ring group whose flag is on is
//! recorded from the moment it is answered, and the recording says who is on each side
//! and what triggered it; a call touching nothing flagged is not recorded.

mod support;

use std::collections::HashSet;
use std::time::Duration;

use pbx::dialplan::{DialPlan, RingStrategy};
use pbx::{Action, AlwaysRecord, RecordingInfo, RecordingTrigger};
use support::transfer_office::carol;
use support::trunk_office::group;
use support::{alice, bob, CallState, World};

const ALICE: usize = 0;
const BOB: usize = 1;

fn started(w: &World) -> Vec<RecordingInfo> {
    w.actions
        .iter()
        .filter_map(|a| match a {
            Action::RecordStart { info, .. } => Some((**info).clone()),
            _ => None,
        })
        .collect()
}

fn set(items: &[&str]) -> HashSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

/// Alice (100) calls `dialled`; Bob (101) answers.
fn answered_call(w: &mut World, dialled: &str) -> String {
    let call = w.with(ALICE, |p, now| p.call(now, dialled));
    assert!(w.run_until(Duration::from_secs(5), |w| w.phones[BOB]
        .incoming(0)
        .is_some()));
    let incoming = w.phones[BOB].incoming(0).expect("Bob rings");
    w.with(BOB, |p, now| p.answer(now, incoming));
    assert!(w.run_until(Duration::from_secs(5), |w| {
        w.phones[ALICE].calls[call].state == CallState::Confirmed
    }));
    w.flush();
    w.phones[ALICE].calls[call].call_id.clone()
}

fn office(seed: u64) -> World {
    let mut w = World::lan(seed);
    w.add(alice(seed + 1));
    w.add(bob(seed + 2));
    w.register_all();
    w
}

#[test]
fn an_answering_extension_with_the_flag_is_recorded_without_anyone_asking() {
    let mut w = office(300);
    w.pbx.set_always_record(AlwaysRecord {
        extensions: set(&["101"]),
        ..AlwaysRecord::default()
    });
    let call_id = answered_call(&mut w, "101");
    let infos = started(&w);
    assert_eq!(infos.len(), 1, "recorded once: {infos:?}");
    assert_eq!(infos[0].call_id, call_id);
    assert_eq!(infos[0].caller, "100");
    assert_eq!(infos[0].callee, "101");
    assert_eq!(infos[0].trigger, RecordingTrigger::Extension("101".into()));
    // Asking for it as well names the running recording rather than a second one.
    let now = w.now;
    assert!(w.pbx.start_recording(now, &call_id).is_some());
    w.flush();
    assert_eq!(started(&w).len(), 1);
}

#[test]
fn a_calling_extension_with_the_flag_is_recorded_too() {
    let mut w = office(310);
    w.pbx.set_always_record(AlwaysRecord {
        extensions: set(&["100"]),
        ..AlwaysRecord::default()
    });
    answered_call(&mut w, "101");
    let infos = started(&w);
    assert_eq!(infos.len(), 1);
    assert_eq!(infos[0].trigger, RecordingTrigger::Extension("100".into()));
}

#[test]
fn a_call_to_a_flagged_ring_group_names_the_group() {
    let mut w = office(320);
    w.install(DialPlan {
        ring_groups: vec![group("601", RingStrategy::All, &[("101", 20)], None)],
        ..DialPlan::default()
    });
    w.pbx.set_always_record(AlwaysRecord {
        ring_groups: set(&["601"]),
        extensions: set(&["999"]),
        ..AlwaysRecord::default()
    });
    answered_call(&mut w, "601");
    let infos = started(&w);
    assert_eq!(infos.len(), 1);
    assert_eq!(infos[0].trigger, RecordingTrigger::RingGroup("601".into()));
    assert_eq!(infos[0].callee, "101", "the right channel is who answered");
}

#[test]
fn a_call_touching_nothing_flagged_is_not_recorded() {
    let mut w = office(330);
    w.pbx.set_always_record(AlwaysRecord {
        extensions: set(&["102"]),
        ring_groups: set(&["601"]),
        business_names: set(&["sales.acme"]),
    });
    answered_call(&mut w, "101");
    assert!(started(&w).is_empty());
}

#[test]
fn a_call_picked_up_by_a_flagged_extension_is_recorded() {
    const CAROL: usize = 2;
    let mut w = office(340);
    w.add(carol(343));
    w.register_all();
    w.pbx.set_always_record(AlwaysRecord {
        extensions: set(&["102"]),
        ..AlwaysRecord::default()
    });
    w.with(ALICE, |p, now| p.call(now, "101"));
    assert!(w.run_until(Duration::from_secs(3), |w| w.phones[BOB]
        .incoming(0)
        .is_some()));
    let pick = w.with(CAROL, |p, now| p.call(now, "*8101"));
    assert!(w.run_until(Duration::from_secs(3), |w| {
        w.phones[CAROL].calls[pick].state == CallState::Confirmed
    }));
    w.flush();
    let infos = started(&w);
    assert_eq!(infos.len(), 1, "{infos:?}");
    assert_eq!(infos[0].trigger, RecordingTrigger::Extension("102".into()));
    assert_eq!(infos[0].callee, "102", "the picker is the right channel");
}
