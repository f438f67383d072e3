//! When the PBX calls a phone that must encrypt (its extension says so, or the office
//! rule), or one registered over TLS, it offers RTP/SAVP with a key of its own (RFC 4568
//! §5.1) and the relay is given the phone's key from the answer. A phone over TLS that
//! refuses SRTP with 488 is called again with plain RTP; one that must encrypt is not.
//! A phone on plain UDP is offered plain RTP, and never sent keys. A phone that must
//! encrypt and answers plain RTP anyway is hung up.

mod support;

use std::time::Duration;

use media::sdp::{CryptoAttribute, SessionDescription};
use media::srtp::SrtpKey;
use pbx::{Action, Side, SrtpPolicy, SrtpRequirement};
use sip::transaction::Peer;
use sip::Transport;
use support::{addr, alice, bob, directory, CallState, World};

/// Bob's phone's SRTP key (RFC 4568 §8.1's example).
const BOB_KEY: &str = "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR";
/// Where the PBX takes TLS.
const PBX_TLS: &str = "192.168.1.1:5061";

/// Alice (UDP) and Bob, Bob over TLS when `tls`; Bob's extension always encrypts when
/// `bob_requires`.
fn office(seed: u64, tls: bool, bob_requires: bool, policy: SrtpPolicy) -> World {
    let mut w = World::lan(seed);
    let now = w.now;
    w.pbx.set_local_addresses(
        now,
        vec![
            (Transport::Udp, addr(support::PBX_ADDR)),
            (Transport::Tls, addr(PBX_TLS)),
        ],
    );
    w.pbx_also_at.push(addr(PBX_TLS));
    let mut dir = directory();
    if let Some(entry) = dir.get("101").cloned() {
        let mut entry = entry;
        entry.srtp_required = bob_requires;
        dir.insert(entry);
    }
    w.pbx.set_directory(dir);
    w.pbx.set_srtp_policy(policy);
    w.add(alice(seed + 1));
    let mut b = bob(seed + 2);
    if tls {
        b.pbx = Peer {
            transport: Transport::Tls,
            addr: addr(PBX_TLS),
        };
    }
    w.add(b);
    w.register_all();
    w
}

/// Alice calls Bob; returns Alice's call once Bob's phone rang (or nothing more happens).
fn alice_calls_bob(w: &mut World) -> usize {
    let call = w.with(0, |p, now| p.call(now, "101"));
    w.run_until(Duration::from_secs(5), |w| {
        w.phones[1]
            .incoming(0)
            .is_some_and(|i| w.phones[1].calls[i].state == CallState::Ringing)
    });
    call
}

fn audio_proto(sdp: &SessionDescription) -> String {
    sdp.media[sdp.audio().expect("audio").index].proto.clone()
}

fn audio_crypto(sdp: &SessionDescription) -> Vec<CryptoAttribute> {
    sdp.media[sdp.audio().expect("audio").index].crypto()
}

#[test]
fn an_extension_that_must_encrypt_is_offered_srtp_and_the_relay_gets_its_key() {
    let policy = SrtpPolicy {
        require: SrtpRequirement::Off,
        keys_over_plain_signalling: true,
    };
    let mut w = office(1, false, true, policy);
    w.phones[1].srtp_key = Some(BOB_KEY.to_owned());
    let call = alice_calls_bob(&mut w);
    let incoming = w.phones[1].incoming(0).expect("Bob's phone rings");
    let offer = w.phones[1].calls[incoming].sdp_received[0].clone();
    assert_eq!(audio_proto(&offer), "RTP/SAVP");
    let offered = audio_crypto(&offer);
    assert!(!offered.is_empty(), "the offer carries the PBX's key");
    assert!(offered.iter().all(|c| c.key == offered[0].key));

    w.with(1, |p, now| p.answer(now, incoming));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[0].calls[call].state
            == CallState::Confirmed)
    );
    let bob_key = CryptoAttribute::parse(&format!("1 AES_CM_128_HMAC_SHA1_80 inline:{BOB_KEY}"))
        .expect("key")
        .key;
    let srtp: Vec<(Side, SrtpKey, SrtpKey)> = w
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::RelaySrtp {
                side,
                inbound,
                outbound,
                ..
            } => Some((*side, inbound.clone(), outbound.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(srtp.len(), 1, "SRTP on Bob's leg only");
    assert_eq!(srtp[0].0, Side::B);
    assert!(
        srtp[0].1 == bob_key,
        "Bob's packets are opened with his key"
    );
    assert!(
        srtp[0].2 == offered[0].key,
        "Bob is sent packets sealed with the key the PBX offered him"
    );
    // Alice, a plain phone, hears a plain answer with no key in it.
    let answer = w.phones[0].calls[call].sdp_received.last().expect("answer");
    assert_eq!(audio_proto(answer), "RTP/AVP");
    assert!(audio_crypto(answer).is_empty());
}

#[test]
fn a_phone_on_udp_is_offered_plain_rtp_without_keys() {
    let mut w = office(2, false, false, SrtpPolicy::default());
    alice_calls_bob(&mut w);
    let incoming = w.phones[1].incoming(0).expect("Bob's phone rings");
    let offer = &w.phones[1].calls[incoming].sdp_received[0];
    assert_eq!(audio_proto(offer), "RTP/AVP");
    assert!(audio_crypto(offer).is_empty());
    let text = String::from_utf8_lossy(&w.phones[1].calls[incoming].invite.body).into_owned();
    assert!(!text.contains("crypto"), "no key over UDP:\n{text}");
}

#[test]
fn a_phone_over_tls_refusing_optional_srtp_is_called_again_plain() {
    let mut w = office(3, true, false, SrtpPolicy::default());
    let call = alice_calls_bob(&mut w);
    let first = w.phones[1].incoming(0).expect("Bob's phone rings");
    assert_eq!(
        audio_proto(&w.phones[1].calls[first].sdp_received[0]),
        "RTP/SAVP",
        "a phone over TLS is offered SRTP"
    );
    w.with(1, |p, now| p.reject(now, first, 488));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[1]
            .incoming(1)
            .is_some_and(|i| w.phones[1].calls[i].state == CallState::Ringing)),
        "Bob's phone rings again"
    );
    let second = w.phones[1].incoming(1).expect("second INVITE");
    let offer = &w.phones[1].calls[second].sdp_received[0];
    assert_eq!(audio_proto(offer), "RTP/AVP");
    assert!(audio_crypto(offer).is_empty());
    let cseq = |i: usize| w.phones[1].calls[i].invite.cseq().map(|c| c.seq);
    assert!(cseq(second) > cseq(first), "the retry takes the next CSeq");
    w.with(1, |p, now| p.answer(now, second));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[0].calls[call].state
            == CallState::Confirmed)
    );
    assert!(
        !w.actions
            .iter()
            .any(|a| matches!(a, Action::RelaySrtp { .. })),
        "the call runs plain"
    );
}

#[test]
fn a_phone_that_must_encrypt_refusing_srtp_is_not_called_again() {
    let mut w = office(4, true, true, SrtpPolicy::default());
    let call = alice_calls_bob(&mut w);
    let first = w.phones[1].incoming(0).expect("Bob's phone rings");
    w.with(1, |p, now| p.reject(now, first, 488));
    assert!(w.run_until(Duration::from_secs(10), |w| matches!(
        w.phones[0].calls[call].state,
        CallState::Failed(_)
    )));
    assert!(w.phones[1].incoming(1).is_none(), "no plain retry");
}

#[test]
fn a_phone_that_must_encrypt_on_udp_is_never_sent_keys() {
    let mut w = office(5, false, true, SrtpPolicy::default());
    let call = w.with(0, |p, now| p.call(now, "101"));
    w.run_for(Duration::from_secs(5));
    assert!(w.phones[1].incoming(0).is_none(), "Bob's phone never rings");
    assert!(
        matches!(w.phones[0].calls[call].state, CallState::Failed(_)),
        "{:?}",
        w.phones[0].calls[call].state
    );
}

#[test]
fn a_phone_that_must_encrypt_answering_plain_rtp_is_hung_up() {
    let policy = SrtpPolicy {
        require: SrtpRequirement::Off,
        keys_over_plain_signalling: true,
    };
    // Bob must encrypt but his phone (no SRTP key) answers the SRTP offer with plain RTP.
    let mut w = office(6, false, true, policy);
    let call = alice_calls_bob(&mut w);
    let incoming = w.phones[1].incoming(0).expect("Bob's phone rings");
    assert_eq!(
        audio_proto(&w.phones[1].calls[incoming].sdp_received[0]),
        "RTP/SAVP"
    );
    w.with(1, |p, now| p.answer(now, incoming));
    w.run_for(Duration::from_secs(5));
    assert!(
        w.phones[1].calls[incoming].got_request(sip::Method::Bye) > 0,
        "Bob's phone is hung up"
    );
    assert!(
        matches!(w.phones[0].calls[call].state, CallState::Failed(_)),
        "Alice is never connected to plain audio: {:?}",
        w.phones[0].calls[call].state
    );
    assert!(
        !w.actions
            .iter()
            .any(|a| matches!(a, Action::RelaySrtp { .. })),
        "nothing was set up encrypted"
    );
    w.settle();
    assert_eq!(w.pbx.call_count(), 0, "nothing is left behind");
    assert!(w.relays_all_closed());
}
