//! A phone may send its INVITE without SDP (RFC 3261 §13.2.1 delayed offer): the callee's
//! 200 then carries the offer and the caller's ACK the answer. Both must still be anchored
//! at the relay, and the answer must reach the callee in the ACK the PBX sends it.

mod support;

use std::time::Duration;

use pbx::Side;
use support::{alice, bob, sdp, CallState, World};

const ALICE: usize = 0;
const BOB: usize = 1;

#[test]
fn answer_in_the_ack_reaches_the_callee_anchored() {
    let mut w = World::lan(60);
    w.add(alice(61));
    w.add(bob(62));
    w.register_all();
    w.phones[ALICE].delayed_offer = true;
    let call = w.with(ALICE, |p, now| p.call(now, "101"));
    assert!(w.run_until(Duration::from_secs(5), |w| w.phones[BOB]
        .incoming(0)
        .is_some()));
    let incoming = w.phones[BOB].incoming(0).expect("Bob rings");
    assert!(
        w.phones[BOB].calls[incoming].invite.body.is_empty(),
        "no offer to pass on"
    );
    w.with(BOB, |p, now| p.answer(now, incoming));
    w.run_for(Duration::from_secs(2));

    let relays = w.relays_allocated();
    assert_eq!(relays.len(), 1, "the call is relayed even without an offer");
    let relay = relays[0];
    let a = &w.phones[ALICE].calls[call];
    assert_eq!(a.state, CallState::Confirmed);
    let offer = a.sdp_received.last().expect("the offer in the 200");
    assert_eq!(
        sdp::audio_addr(offer),
        Some(relay.a),
        "offer anchored for Alice"
    );

    let b = &w.phones[BOB].calls[incoming];
    assert_eq!(b.acks_received, 1);
    let answer = b.sdp_received.last().expect("the answer in the ACK");
    assert_eq!(
        sdp::audio_addr(answer),
        Some(relay.b),
        "answer anchored for Bob"
    );
    assert_eq!(w.relay_peers(Side::A), vec![w.phones[ALICE].media]);
    assert_eq!(w.relay_peers(Side::B), vec![w.phones[BOB].media]);

    w.with(ALICE, |p, now| p.hang_up(now, call));
    w.settle();
    assert_eq!(w.pbx.call_count(), 0);
    assert!(w.relays_all_closed());
}
