//! Hold with music: when either phone holds the call (RFC 3264 §8.4 sendonly or inactive,
//! or an RFC 2543 style 0.0.0.0 address), the PBX asks the runtime to play music on hold
//! to the other phone in the codec it agreed to, and to stop when the call is resumed.

mod support;

use std::time::Duration;

use media::sdp::Direction;
use pbx::{Action, MediaSource, RelayId, Side};
use sip::transaction::Peer;
use sip::{Message, Method, Transport};
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

/// What the PBX asked of the media plane: (play or stop, relay, side).
#[derive(Debug, PartialEq, Eq)]
enum Media {
    Play(RelayId, Side, String, u8),
    Stop(RelayId, Side),
}

fn media_actions(w: &World) -> Vec<Media> {
    w.actions
        .iter()
        .filter_map(|a| match a {
            Action::MediaPlay {
                id,
                to,
                source,
                format,
            } => {
                assert_eq!(*source, MediaSource::MusicOnHold);
                Some(Media::Play(
                    *id,
                    *to,
                    format.encoding.clone(),
                    format.payload_type,
                ))
            }
            Action::MediaStop { id, to } => Some(Media::Stop(*id, *to)),
            _ => None,
        })
        .collect()
}

#[test]
fn sendonly_from_the_caller_plays_music_to_the_callee_until_resumed() {
    let (mut w, call, _) = answered_call(60);
    let relay = w.relays_allocated()[0].id;
    let media = w.phones[ALICE].media;
    assert!(media_actions(&w).is_empty(), "no music in a plain call");

    w.with(ALICE, |p, now| {
        p.reinvite(now, call, Direction::SendOnly, media)
    });
    w.run_for(Duration::from_secs(2));
    assert_eq!(
        media_actions(&w),
        vec![Media::Play(relay, Side::B, "PCMU".into(), 0)],
        "Bob hears music in the codec of his answer"
    );

    w.with(ALICE, |p, now| {
        p.reinvite(now, call, Direction::SendRecv, media)
    });
    w.run_for(Duration::from_secs(2));
    assert_eq!(
        media_actions(&w),
        vec![
            Media::Play(relay, Side::B, "PCMU".into(), 0),
            Media::Stop(relay, Side::B)
        ],
        "resume stops the music"
    );
}

#[test]
fn inactive_from_the_callee_plays_music_to_the_caller_until_resumed() {
    let (mut w, _, incoming) = answered_call(61);
    let relay = w.relays_allocated()[0].id;
    let media = w.phones[BOB].media;
    w.with(BOB, |p, now| {
        p.reinvite(now, incoming, Direction::Inactive, media)
    });
    w.run_for(Duration::from_secs(2));
    assert_eq!(
        media_actions(&w),
        vec![Media::Play(relay, Side::A, "PCMU".into(), 0)]
    );

    w.with(BOB, |p, now| {
        p.reinvite(now, incoming, Direction::SendRecv, media)
    });
    w.run_for(Duration::from_secs(2));
    assert_eq!(media_actions(&w).last(), Some(&Media::Stop(relay, Side::A)));
}

#[test]
fn a_zero_address_hold_plays_music_and_a_real_address_resumes() {
    let (mut w, call, _) = answered_call(62);
    let relay = w.relays_allocated()[0].id;
    let media = w.phones[ALICE].media;
    let nowhere = support::addr("0.0.0.0:4000");
    w.with(ALICE, |p, now| {
        p.reinvite(now, call, Direction::SendRecv, nowhere)
    });
    w.run_for(Duration::from_secs(2));
    assert_eq!(
        media_actions(&w),
        vec![Media::Play(relay, Side::B, "PCMU".into(), 0)],
        "RFC 2543 hold: c=0.0.0.0"
    );
    assert!(
        !w.relay_peers(Side::A).contains(&nowhere),
        "the relay is never pointed at 0.0.0.0"
    );

    w.with(ALICE, |p, now| {
        p.reinvite(now, call, Direction::SendRecv, media)
    });
    w.run_for(Duration::from_secs(2));
    assert_eq!(media_actions(&w).last(), Some(&Media::Stop(relay, Side::B)));
}

#[test]
fn holding_twice_plays_once_and_both_holding_plays_to_both() {
    let (mut w, call, incoming) = answered_call(63);
    let relay = w.relays_allocated()[0].id;
    let (a_media, b_media) = (w.phones[ALICE].media, w.phones[BOB].media);
    for _ in 0..2 {
        w.with(ALICE, |p, now| {
            p.reinvite(now, call, Direction::SendOnly, a_media)
        });
        w.run_for(Duration::from_secs(2));
    }
    assert_eq!(
        media_actions(&w),
        vec![Media::Play(relay, Side::B, "PCMU".into(), 0)],
        "a repeated hold changes nothing"
    );

    // Bob, held, holds too: his offer is inactive, and Alice (still holding) answers
    // inactive as well, which says nothing new about her.
    w.with(BOB, |p, now| {
        p.reinvite(now, incoming, Direction::Inactive, b_media)
    });
    w.run_for(Duration::from_secs(2));
    assert_eq!(
        media_actions(&w),
        vec![
            Media::Play(relay, Side::B, "PCMU".into(), 0),
            Media::Play(relay, Side::A, "PCMU".into(), 0)
        ]
    );
}

#[test]
fn hanging_up_a_held_call_closes_its_relay() {
    let (mut w, call, incoming) = answered_call(64);
    let media = w.phones[ALICE].media;
    w.with(ALICE, |p, now| {
        p.reinvite(now, call, Direction::SendOnly, media)
    });
    w.run_for(Duration::from_secs(2));
    assert_eq!(media_actions(&w).len(), 1);
    w.with(BOB, |p, now| p.hang_up(now, incoming));
    w.settle();
    assert_eq!(w.pbx.call_count(), 0);
    assert!(
        w.relays_all_closed(),
        "closing the relay ends the music too"
    );
}

#[test]
fn a_hold_given_as_the_answer_in_an_ack_plays_music() {
    let (mut w, call, _) = answered_call(65);
    let relay = w.relays_allocated()[0].id;
    let pbx = Peer {
        transport: Transport::Udp,
        addr: w.pbx_addr,
    };
    // Alice re-INVITEs without an offer: Bob's 200 carries one (sendrecv) and Alice
    // answers it in her ACK with sendonly, holding Bob (RFC 3264 §5, RFC 3261 §14.1).
    let key = w.with(ALICE, |p, now| {
        let dialog = p.calls[call].dialog.as_mut().expect("a confirmed call");
        let invite = dialog.create_request(Method::Invite);
        p.ep.send_request(now, invite, pbx).expect("re-INVITE")
    });
    w.run_for(Duration::from_millis(500));
    let alice_addr = w.phones[ALICE].addr;
    let ok = w
        .net
        .sent
        .iter()
        .filter(|p| p.from == w.pbx_addr && p.to == alice_addr)
        .filter_map(|p| match p.parse() {
            Some(Message::Response(r)) => Some(r),
            _ => None,
        })
        .find(|r| r.class() == 2 && !r.body.is_empty())
        .expect("the 200 with Bob's offer");
    assert!(media_actions(&w).is_empty(), "nothing before the answer");

    w.with(ALICE, |p, now| {
        let media = p.media;
        let dialog = p.calls[call].dialog.as_mut().expect("a confirmed call");
        dialog.on_response(&ok);
        let mut ack = dialog.create_request(Method::Ack);
        ack.headers.push("Content-Type", "application/sdp");
        ack.body = sdp::body(media, 99, media::sdp::Direction::SendOnly).into_bytes();
        p.ep.send_ack(now, &key, ack, pbx).expect("ACK");
    });
    w.run_for(Duration::from_secs(2));
    assert_eq!(
        media_actions(&w),
        vec![Media::Play(relay, Side::B, "PCMU".into(), 0)],
        "the answerer holds the offerer"
    );
}
