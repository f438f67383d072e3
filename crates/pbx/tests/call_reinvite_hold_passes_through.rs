//! Hold and resume in an answered call: a re-INVITE from either phone reaches the other
//! with its SDP anchored at the relay, the answer comes back the same way, and the ACKs
//! flow on both legs so nobody retransmits or tears the call down.

mod support;

use std::net::SocketAddr;
use std::time::Duration;

use media::sdp::Direction;
use pbx::Side;
use sip::{Message, Method};
use support::{alice, bob, sdp, CallState, World};

const ALICE: usize = 0;
const BOB: usize = 1;

fn answered_call(seed: u64) -> (World, usize, usize) {
    let mut w = World::lan(seed);
    w.add(alice(seed + 1));
    w.add(bob(seed + 2));
    w.register_all();
    let call = w.with(ALICE, |p, now| p.call(now, "101"));
    assert!(w.run_until(Duration::from_secs(5), |w| w.phones[BOB]
        .incoming(0)
        .is_some()));
    let incoming = w.phones[BOB].incoming(0).expect("Bob rings");
    w.with(BOB, |p, now| p.answer(now, incoming));
    assert!(w.run_until(Duration::from_secs(5), |w| {
        w.phones[ALICE].calls[call].state == CallState::Confirmed
            && w.phones[BOB].calls[incoming].acks_received == 1
    }));
    (w, call, incoming)
}

/// 2xx responses to an INVITE with CSeq `seq` the PBX put on the wire towards `to`.
fn invite_oks_sent(w: &World, to: SocketAddr, seq: u32) -> usize {
    w.net
        .sent
        .iter()
        .filter(|p| p.from == w.pbx_addr && p.to == to)
        .filter_map(|p| match p.parse() {
            Some(Message::Response(r)) => Some(r),
            _ => None,
        })
        .filter(|r| {
            r.class() == 2
                && r.cseq()
                    .is_some_and(|c| c.method == Method::Invite && c.seq == seq)
        })
        .count()
}

#[test]
fn hold_from_the_caller_reaches_the_callee_anchored_and_is_answered() {
    let (mut w, call, incoming) = answered_call(40);
    let relay = w.relays_allocated()[0];
    let new_media = support::addr("192.168.1.20:4002");
    w.with(ALICE, |p, now| {
        p.reinvite(now, call, Direction::SendOnly, new_media)
    });
    w.run_for(Duration::from_secs(2));

    let b = &w.phones[BOB].calls[incoming];
    assert_eq!(b.got_request(Method::Invite), 1, "Bob got the re-INVITE");
    let offer = b.sdp_received.last().expect("an offer");
    assert_eq!(sdp::audio_addr(offer), Some(relay.b), "anchored for Bob");
    assert_eq!(sdp::direction(offer), Some(Direction::SendOnly));
    assert_eq!(b.acks_received, 2, "Bob's 200 to the re-INVITE was ACKed");

    let a = &w.phones[ALICE].calls[call];
    let reinvite_ok = a
        .responses
        .iter()
        .find(|r| r.status == 200)
        .expect("Alice got 200 for the re-INVITE");
    let answer = sdp::parse(&reinvite_ok.body);
    assert_eq!(
        sdp::audio_addr(&answer),
        Some(relay.a),
        "anchored for Alice"
    );
    assert_eq!(sdp::direction(&answer), Some(Direction::RecvOnly));
    assert_eq!(
        invite_oks_sent(&w, w.phones[ALICE].addr, 2),
        1,
        "Alice's ACK stopped the 200 retransmissions"
    );
    assert_eq!(
        w.relay_peers(Side::A).last(),
        Some(&new_media),
        "the relay follows Alice's new address"
    );

    w.settle();
    assert_eq!(w.pbx.call_count(), 1, "the held call goes on");
    assert_eq!(w.phones[ALICE].calls[call].state, CallState::Confirmed);
    assert_eq!(w.phones[BOB].calls[incoming].state, CallState::Confirmed);
    assert!(!w.phones[BOB].calls[incoming].ack_timeout);
}

#[test]
fn hold_from_the_callee_reaches_the_caller_anchored_and_is_answered() {
    let (mut w, call, incoming) = answered_call(41);
    let relay = w.relays_allocated()[0];
    let bob_media = w.phones[BOB].media;
    w.with(BOB, |p, now| {
        p.reinvite(now, incoming, Direction::SendOnly, bob_media)
    });
    w.run_for(Duration::from_secs(2));

    let a = &w.phones[ALICE].calls[call];
    assert_eq!(a.got_request(Method::Invite), 1, "Alice got the re-INVITE");
    let offer = a.sdp_received.last().expect("an offer");
    assert_eq!(sdp::audio_addr(offer), Some(relay.a), "anchored for Alice");
    assert_eq!(sdp::direction(offer), Some(Direction::SendOnly));
    assert_eq!(a.acks_received, 1, "Alice's 200 was ACKed");

    let b = &w.phones[BOB].calls[incoming];
    let ok = b
        .responses
        .iter()
        .find(|r| r.status == 200)
        .expect("Bob got 200 for the re-INVITE");
    let answer = sdp::parse(&ok.body);
    assert_eq!(sdp::audio_addr(&answer), Some(relay.b), "anchored for Bob");
    assert_eq!(sdp::direction(&answer), Some(Direction::RecvOnly));
    // Bob's first request in the dialog: a UAS starts its own CSeq space (§12.2.1.1).
    let seq = ok.cseq().expect("CSeq").seq;
    assert_eq!(
        invite_oks_sent(&w, w.phones[BOB].addr, seq),
        1,
        "Bob's ACK stopped the 200 retransmissions"
    );
    assert_eq!(w.relay_peers(Side::B), vec![bob_media, bob_media]);

    w.settle();
    assert_eq!(w.pbx.call_count(), 1);
    assert!(!w.phones[ALICE].calls[call].ack_timeout);
}

#[test]
fn hold_then_resume_then_hang_up_leaves_nothing_behind() {
    let (mut w, call, incoming) = answered_call(42);
    let media = w.phones[ALICE].media;
    for direction in [Direction::SendOnly, Direction::SendRecv] {
        w.with(ALICE, |p, now| p.reinvite(now, call, direction, media));
        w.run_for(Duration::from_secs(2));
        let offer = w.phones[BOB].calls[incoming]
            .sdp_received
            .last()
            .cloned()
            .expect("an offer");
        assert_eq!(sdp::direction(&offer), Some(direction));
    }
    assert_eq!(w.phones[BOB].calls[incoming].acks_received, 3);
    let oks = w.phones[ALICE].calls[call]
        .responses
        .iter()
        .filter(|r| r.status == 200)
        .count();
    assert_eq!(oks, 2, "both re-INVITEs answered");

    w.with(BOB, |p, now| p.hang_up(now, incoming));
    w.settle();
    assert_eq!(w.phones[ALICE].calls[call].state, CallState::RemoteHungUp);
    assert_eq!(w.pbx.call_count(), 0);
    assert!(w.relays_all_closed());
    assert_eq!(w.records().len(), 1);
}

#[test]
fn hang_up_while_a_reinvite_is_pending_answers_it_487() {
    let (mut w, call, incoming) = answered_call(43);
    w.phones[BOB].auto_answer_reinvite = false;
    let media = w.phones[ALICE].media;
    w.with(ALICE, |p, now| {
        p.reinvite(now, call, Direction::SendOnly, media)
    });
    w.run_for(Duration::from_secs(1));
    assert_eq!(
        w.phones[BOB].pending_reinvites.len(),
        1,
        "Bob holds the re-INVITE"
    );

    w.with(BOB, |p, now| p.hang_up(now, incoming));
    w.run_for(Duration::from_secs(2));
    let a = &w.phones[ALICE].calls[call];
    assert_eq!(a.state, CallState::RemoteHungUp);
    let finals: Vec<u16> = a
        .responses
        .iter()
        .filter(|r| r.status >= 200 && r.cseq().is_some_and(|c| c.method == Method::Invite))
        .map(|r| r.status)
        .collect();
    assert_eq!(
        finals,
        vec![487],
        "RFC 3261 §15.1.2: the pending re-INVITE is answered when the call ends"
    );
    assert_eq!(w.pbx.call_count(), 0);
}
