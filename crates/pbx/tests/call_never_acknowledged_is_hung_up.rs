//! A caller whose phone never ACKs the 200 (it crashed, or its ACKs cannot get through)
//! is not left half-connected: after 64·T1 the PBX hangs up both legs (RFC 3261
//! §13.3.1.4) and records the call as ended by the system.

mod support;

use std::time::Duration;

use pbx::{HangupBy, Outcome};
use sip::Method;
use support::{alice, bob, CallState, World};

const ALICE: usize = 0;
const BOB: usize = 1;

#[test]
fn answered_call_without_ack_is_torn_down_on_both_legs() {
    let mut w = World::lan(50);
    w.add(alice(51));
    w.add(bob(52));
    w.register_all();
    w.phones[ALICE].send_acks = false;
    let call = w.with(ALICE, |p, now| p.call(now, "101"));
    assert!(w.run_until(Duration::from_secs(5), |w| w.phones[BOB]
        .incoming(0)
        .is_some()));
    let incoming = w.phones[BOB].incoming(0).expect("Bob rings");
    w.with(BOB, |p, now| p.answer(now, incoming));
    w.run_for(Duration::from_secs(5));
    assert_eq!(w.phones[ALICE].calls[call].state, CallState::Confirmed);
    assert_eq!(w.pbx.call_count(), 1, "still waiting for the ACK");

    w.run_for(Duration::from_secs(40));
    assert_eq!(w.phones[BOB].calls[incoming].got_request(Method::Bye), 1);
    assert_eq!(w.phones[ALICE].calls[call].got_request(Method::Bye), 1);
    assert_eq!(w.pbx.call_count(), 0);
    assert!(w.relays_all_closed());
    let records = w.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, Outcome::Answered);
    assert_eq!(records[0].hangup_by, Some(HangupBy::System));
}
