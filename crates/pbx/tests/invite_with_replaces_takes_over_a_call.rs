//! An INVITE with Replaces (RFC 3891) for a dialog the PBX holds: the sender takes the
//! replaced party's place — a confirmed dialog's party gets BYE, a ringing fork's early
//! dialog is picked up — and anything else is refused without touching the call.

mod support;

use std::time::Duration;

use pbx::Side;
use sip::Method;
use support::transfer_office::{connect, office};
use support::{sdp, CallState, World};

const ALICE: usize = 0;
const BOB: usize = 1;
const CAROL: usize = 2;

/// Carol calls Bob's extension with `Replaces: value`; returns her call's index.
fn carol_replaces(w: &mut World, value: &str) -> usize {
    w.phones[CAROL]
        .call_headers
        .push(("Replaces".into(), value.to_owned()));
    let call = w.with(CAROL, |p, now| p.call(now, "101"));
    w.run_for(Duration::from_secs(3));
    call
}

#[test]
fn carol_takes_over_bobs_answered_call() {
    let mut w = office(300);
    let (a_call, b_call) = connect(&mut w, ALICE, "101", BOB);
    let value = w.phones[BOB].replaces_value(b_call);
    let c_call = carol_replaces(&mut w, &value);

    assert_eq!(w.phones[CAROL].calls[c_call].state, CallState::Confirmed);
    assert_eq!(w.phones[BOB].calls[b_call].state, CallState::RemoteHungUp);
    let alice = &w.phones[ALICE].calls[a_call];
    assert_eq!(alice.state, CallState::Confirmed);
    assert_eq!(alice.got_request(Method::Invite), 0);
    let relay = w.relays_allocated()[0];
    assert_eq!(
        w.phones[CAROL].calls[c_call]
            .sdp_received
            .last()
            .and_then(sdp::audio_addr),
        Some(relay.b),
        "Carol sends to the socket Bob used"
    );
    assert_eq!(
        w.relay_peers(Side::B).last().copied(),
        Some(w.phones[CAROL].media)
    );

    w.with(ALICE, |p, now| p.hang_up(now, a_call));
    w.settle();
    assert_eq!(w.phones[CAROL].calls[c_call].state, CallState::RemoteHungUp);
    assert_eq!(w.pbx.call_count(), 0);
    assert!(w.relays_all_closed());
    let records = w.records();
    assert_eq!(records.len(), 2, "{records:?}");
    assert!(records[0].reason.contains("transferred"));
    assert_eq!(records[1].answered_by.as_deref(), Some("102"));
}

#[test]
fn replacing_a_ringing_forks_early_dialog_picks_the_call_up() {
    let mut w = office(310);
    let a_call = w.with(ALICE, |p, now| p.call(now, "101"));
    assert!(w.run_until(Duration::from_secs(3), |w| w.phones[BOB]
        .incoming(0)
        .is_some_and(|i| w.phones[BOB].calls[i].state == CallState::Ringing)));
    let ringing = &w.phones[BOB].calls[w.phones[BOB].incoming(0).expect("rang")];
    let pbx_tag = ringing
        .invite
        .from()
        .and_then(|f| f.tag().map(str::to_owned))
        .expect("From tag");
    let value = format!(
        "{};to-tag={pbx_tag};from-tag={}",
        ringing.call_id, ringing.local_tag
    );
    let c_call = carol_replaces(&mut w, &value);
    assert_eq!(w.phones[CAROL].calls[c_call].state, CallState::Confirmed);
    assert_eq!(w.phones[ALICE].calls[a_call].state, CallState::Confirmed);
    let idx = w.phones[BOB].incoming(0).expect("rang");
    assert_eq!(w.phones[BOB].calls[idx].state, CallState::Cancelled);
}

#[test]
fn an_unknown_dialog_is_481_and_early_only_spares_a_confirmed_one() {
    let mut w = office(320);
    let (a_call, b_call) = connect(&mut w, ALICE, "101", BOB);
    let unknown = carol_replaces(&mut w, "nope;to-tag=x;from-tag=y");
    assert_eq!(w.phones[CAROL].calls[unknown].state, CallState::Failed(481));
    w.phones[CAROL].call_headers.clear();
    let value = format!("{};early-only", w.phones[BOB].replaces_value(b_call));
    let early_only = carol_replaces(&mut w, &value);
    assert_eq!(
        w.phones[CAROL].calls[early_only].state,
        CallState::Failed(486)
    );
    assert_eq!(w.phones[ALICE].calls[a_call].state, CallState::Confirmed);
    assert_eq!(w.phones[BOB].calls[b_call].state, CallState::Confirmed);
}
