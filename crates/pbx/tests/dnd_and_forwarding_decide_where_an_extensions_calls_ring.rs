//! Do-not-disturb and call forwarding: `*78` from a phone is confirmed by a tone and
//! hung up, and turns calls to that extension into busy; a ring group skips a member in
//! do-not-disturb; forward always, on busy and on no answer send the call on.

mod support;

use std::time::Duration;

use pbx::dialplan::{DialPlan, RingStrategy};
use pbx::{Action, Forwarding, MediaSource, PbxEvent, Side};
use support::transfer_office::office;
use support::trunk_office::group;
use support::{CallState, World};

const ALICE: usize = 0;
const BOB: usize = 1;
const CAROL: usize = 2;

fn rings(w: &World, phone: usize) -> bool {
    w.phones[phone]
        .calls
        .iter()
        .any(|c| !c.outgoing && c.state == CallState::Ringing)
}

fn forwarding(f: impl FnOnce(&mut Forwarding)) -> Forwarding {
    let mut settings = Forwarding::default();
    f(&mut settings);
    settings
}

#[test]
fn star_78_is_confirmed_by_a_tone_then_calls_to_the_extension_are_busy() {
    let mut w = office(500);
    let code = w.with(BOB, |p, now| p.call(now, "*78"));
    assert!(
        w.run_until(Duration::from_secs(1), |w| w.phones[BOB].calls[code].state
            == CallState::Confirmed)
    );
    let relay = w.relays_allocated()[0];
    assert!(
        w.actions.iter().any(|a| matches!(
            a,
            Action::MediaPlay { id, to: Side::A, source: MediaSource::Confirmation, .. }
                if *id == relay.id
        )),
        "the confirmation tone plays to the phone"
    );
    assert!(w.actions.iter().any(|a| matches!(
        a,
        Action::Event(PbxEvent::ForwardingChanged { number, forwarding })
            if number == "101" && forwarding.dnd
    )));
    assert!(w.pbx.forwarding("101").dnd);
    w.run_for(Duration::from_secs(3));
    assert_eq!(
        w.phones[BOB].calls[code].state,
        CallState::RemoteHungUp,
        "the PBX hangs up after the tone"
    );
    assert!(w.relays_all_closed());

    let call = w.with(ALICE, |p, now| p.call(now, "101"));
    w.run_for(Duration::from_secs(3));
    assert_eq!(w.phones[ALICE].calls[call].state, CallState::Failed(486));
    assert!(
        !w.phones[BOB].calls.iter().any(|c| !c.outgoing),
        "Bob's phone never rang"
    );

    let off = w.with(BOB, |p, now| p.call(now, "*79"));
    w.run_for(Duration::from_secs(3));
    assert_eq!(w.phones[BOB].calls[off].state, CallState::RemoteHungUp);
    assert!(!w.pbx.forwarding("101").dnd);
    w.with(ALICE, |p, now| p.call(now, "101"));
    assert!(w.run_until(Duration::from_secs(3), |w| rings(w, BOB)));
}

#[test]
fn a_forward_code_without_a_number_is_refused_and_changes_nothing() {
    let mut w = office(510);
    let code = w.with(BOB, |p, now| p.call(now, "*90+"));
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.phones[BOB].calls[code].state, CallState::Failed(484));
    assert_eq!(w.pbx.forwarding("101"), Forwarding::default());
}

#[test]
fn a_ring_group_skips_a_member_in_do_not_disturb() {
    let mut w = office(520);
    w.install(DialPlan {
        ring_groups: vec![group(
            "601",
            RingStrategy::All,
            &[("101", 20), ("102", 20)],
            None,
        )],
        ..DialPlan::default()
    });
    w.pbx
        .set_forwarding([("101".to_owned(), forwarding(|f| f.dnd = true))]);
    w.with(ALICE, |p, now| p.call(now, "601"));
    assert!(w.run_until(Duration::from_secs(3), |w| rings(w, CAROL)));
    assert!(!rings(&w, BOB), "Bob is in do-not-disturb");
}

#[test]
fn forward_always_rings_the_target_instead() {
    let mut w = office(530);
    w.pbx.set_forwarding([(
        "101".to_owned(),
        forwarding(|f| f.always = Some("102".to_owned())),
    )]);
    w.with(ALICE, |p, now| p.call(now, "101"));
    assert!(w.run_until(Duration::from_secs(3), |w| rings(w, CAROL)));
    assert!(!rings(&w, BOB));
}

#[test]
fn forward_on_busy_applies_only_while_the_extension_talks() {
    let mut w = office(540);
    w.pbx.set_forwarding([(
        "101".to_owned(),
        forwarding(|f| f.busy = Some("102".to_owned())),
    )]);
    // Not busy: Bob's phone rings.
    let first = w.with(ALICE, |p, now| p.call(now, "101"));
    assert!(w.run_until(Duration::from_secs(3), |w| rings(w, BOB)));
    assert!(!rings(&w, CAROL));
    let bob_leg = w.phones[BOB].incoming(0).expect("incoming");
    w.with(BOB, |p, now| p.answer(now, bob_leg));
    assert!(
        w.run_until(Duration::from_secs(3), |w| w.phones[ALICE].calls[first]
            .state
            == CallState::Confirmed)
    );
    // Busy now: Alice's second call goes to Carol.
    let second = w.with(ALICE, |p, now| p.call(now, "101"));
    assert!(w.run_until(Duration::from_secs(3), |w| rings(w, CAROL)));
    assert_eq!(
        w.phones[BOB].calls.iter().filter(|c| !c.outgoing).count(),
        1,
        "Bob's phone rang only for the first call"
    );
    assert!(
        w.run_until(Duration::from_secs(1), |w| w.phones[ALICE].calls[second]
            .state
            == CallState::Ringing)
    );
}

#[test]
fn forward_on_no_answer_rings_the_extension_for_its_time_then_the_target() {
    let mut w = office(550);
    w.pbx.set_forwarding([(
        "101".to_owned(),
        forwarding(|f| {
            f.no_answer = Some("102".to_owned());
            f.no_answer_after = Duration::from_secs(6);
        }),
    )]);
    w.with(ALICE, |p, now| p.call(now, "101"));
    assert!(w.run_until(Duration::from_secs(2), |w| rings(w, BOB)));
    w.run_for(Duration::from_secs(3));
    assert!(!rings(&w, CAROL), "Carol waits for Bob's ring time");
    assert!(w.run_until(Duration::from_secs(5), |w| rings(w, CAROL)));
    let bob_leg = w.phones[BOB].incoming(0).expect("incoming");
    assert!(
        w.run_until(Duration::from_secs(2), |w| w.phones[BOB].calls[bob_leg]
            .state
            == CallState::Cancelled),
        "Bob's phone stops ringing"
    );
    let carol_leg = w.phones[CAROL].incoming(0).expect("incoming");
    w.with(CAROL, |p, now| p.answer(now, carol_leg));
    w.run_for(Duration::from_secs(1));
    assert!(w.records().is_empty(), "the call goes on");
    assert_eq!(w.pbx.live_calls()[0].answered_by.as_deref(), Some("102"));
}

#[test]
fn forward_on_busy_follows_a_phone_that_answers_busy() {
    let mut w = office(560);
    w.pbx.set_forwarding([(
        "101".to_owned(),
        forwarding(|f| f.busy = Some("102".to_owned())),
    )]);
    let call = w.with(ALICE, |p, now| p.call(now, "101"));
    assert!(w.run_until(Duration::from_secs(3), |w| rings(w, BOB)));
    let bob_leg = w.phones[BOB].incoming(0).expect("incoming");
    w.with(BOB, |p, now| p.reject(now, bob_leg, 486));
    assert!(w.run_until(Duration::from_secs(3), |w| rings(w, CAROL)));
    let carol_leg = w.phones[CAROL].incoming(0).expect("incoming");
    w.with(CAROL, |p, now| p.answer(now, carol_leg));
    assert!(
        w.run_until(Duration::from_secs(3), |w| w.phones[ALICE].calls[call]
            .state
            == CallState::Confirmed)
    );
    assert_eq!(w.pbx.live_calls()[0].answered_by.as_deref(), Some("102"));
}

#[test]
fn a_busy_phone_without_a_busy_forward_is_still_busy() {
    let mut w = office(570);
    w.pbx.set_forwarding([(
        "101".to_owned(),
        forwarding(|f| f.always = Some("101".to_owned())),
    )]);
    let call = w.with(ALICE, |p, now| p.call(now, "101"));
    assert!(w.run_until(Duration::from_secs(3), |w| rings(w, BOB)));
    let bob_leg = w.phones[BOB].incoming(0).expect("incoming");
    w.with(BOB, |p, now| p.reject(now, bob_leg, 486));
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.phones[ALICE].calls[call].state, CallState::Failed(486));
    assert!(!rings(&w, CAROL));
}

#[test]
fn a_transfer_to_an_extension_in_dnd_fails_and_the_call_goes_on() {
    let mut w = office(580);
    w.pbx
        .set_forwarding([("102".to_owned(), forwarding(|f| f.dnd = true))]);
    let (a_call, b_call) = support::transfer_office::connect(&mut w, ALICE, "101", BOB);
    w.with(BOB, |p, now| p.refer(now, b_call, "<sip:102@office>", &[]));
    w.run_for(Duration::from_secs(5));
    assert_eq!(
        w.phones[BOB].sipfrags(b_call).last().map(String::as_str),
        Some("SIP/2.0 486 Busy Here")
    );
    assert!(!w.phones[CAROL].calls.iter().any(|c| !c.outgoing));
    assert_eq!(w.phones[ALICE].calls[a_call].state, CallState::Confirmed);
}

#[test]
fn a_transfer_to_an_extension_forwarding_always_rings_the_target() {
    let mut w = office(590);
    w.pbx.set_forwarding([(
        "102".to_owned(),
        forwarding(|f| f.always = Some("100".to_owned())),
    )]);
    // Carol calls Bob; Bob sends her to 102, which forwards to Alice.
    let (_, b_call) = support::transfer_office::connect(&mut w, CAROL, "101", BOB);
    w.with(BOB, |p, now| p.refer(now, b_call, "<sip:102@office>", &[]));
    assert!(w.run_until(Duration::from_secs(3), |w| rings(w, ALICE)));
}
