//! Pickup (`*8101`), parking the held call (`*70`) and retrieving a parked call (`*71`)
//! join the phone dialling the code to a call through the relay. An encrypting phone doing so is answered SRTP with the
//! PBX's key for its leg (RFC 4568 §7.1.2) and the relay is given its key; the party
//! already in the call never sees that key, nor does a plain phone retrieving an
//! encrypting caller see the caller's.

mod support;

use std::time::Duration;

use media::sdp::{CryptoAttribute, SessionDescription};
use pbx::{Action, Side, SrtpPolicy, SrtpRequirement};
use support::transfer_office::{connect, office};
use support::{CallState, World};

const ALICE: usize = 0;
const BOB: usize = 1;
const CAROL: usize = 2;
const KEY: &str = "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR";

fn keys_over_udp_allowed(w: &mut World) {
    w.pbx.set_srtp_policy(SrtpPolicy {
        require: SrtpRequirement::Off,
        keys_over_plain_signalling: true,
    });
}

/// The SDP of the 2xx phone `phone`'s call `call` was answered with.
fn answer(w: &World, phone: usize, call: usize) -> SessionDescription {
    let ok = w.phones[phone].calls[call]
        .invite_responses
        .iter()
        .rfind(|r| r.class() == 2)
        .expect("answered");
    SessionDescription::parse(std::str::from_utf8(&ok.body).expect("text")).expect("SDP")
}

fn audio(sdp: &SessionDescription) -> &media::sdp::MediaDescription {
    &sdp.media[sdp.audio().expect("audio").index]
}

fn phone_key() -> media::srtp::SrtpKey {
    CryptoAttribute::parse(&format!("1 AES_CM_128_HMAC_SHA1_80 inline:{KEY}"))
        .expect("key")
        .key
}

#[test]
fn an_encrypting_phone_picking_up_is_answered_srtp_and_the_caller_sees_no_key() {
    let mut w = office(41);
    keys_over_udp_allowed(&mut w);
    w.phones[CAROL].srtp_key = Some(KEY.to_owned());
    let call = w.with(ALICE, |p, now| p.call(now, "101"));
    assert!(w.run_until(Duration::from_secs(3), |w| w.phones[BOB]
        .incoming(0)
        .is_some_and(|i| w.phones[BOB].calls[i].state == CallState::Ringing)));
    let pick = w.with(CAROL, |p, now| p.call(now, "*8101"));
    w.run_for(Duration::from_secs(3));
    assert_eq!(w.phones[CAROL].calls[pick].state, CallState::Confirmed);

    let to_carol = answer(&w, CAROL, pick);
    assert_eq!(audio(&to_carol).proto, "RTP/SAVP", "{to_carol}");
    let crypto = audio(&to_carol).crypto();
    assert_eq!(crypto.len(), 1, "{to_carol}");
    assert!(
        crypto[0].key != phone_key(),
        "Carol gets the PBX's key, not hers"
    );
    let relay_keys: Vec<_> = w
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::RelaySrtp {
                side: Side::B,
                inbound,
                outbound,
                ..
            } => Some((inbound.clone(), outbound.clone())),
            _ => None,
        })
        .collect();
    assert!(
        relay_keys
            .iter()
            .any(|(inbound, outbound)| *inbound == phone_key() && *outbound == crypto[0].key),
        "the relay opens Carol's packets with her key and seals hers with the one she was sent"
    );
    let to_alice = answer(&w, ALICE, call);
    assert!(!to_alice.to_string().contains(KEY));
    assert!(audio(&to_alice).crypto().is_empty());
}

#[test]
fn a_plain_phone_retrieving_a_parked_encrypting_caller_gets_no_key() {
    let mut w = office(42);
    keys_over_udp_allowed(&mut w);
    w.phones[ALICE].srtp_key = Some(KEY.to_owned());
    let (a_call, b_call) = connect(&mut w, ALICE, "101", BOB);
    w.with(BOB, |p, now| p.refer(now, b_call, "<sip:*70@office>", &[]));
    assert!(
        w.run_until(Duration::from_secs(10), |w| w.phones[BOB].calls[b_call]
            .state
            == CallState::RemoteHungUp),
        "Bob parked Alice"
    );
    let c_call = w.with(CAROL, |p, now| p.call(now, "*71"));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[CAROL].calls[c_call]
            .state
            == CallState::Confirmed)
    );
    assert_eq!(w.phones[ALICE].calls[a_call].state, CallState::Confirmed);
    let to_carol = answer(&w, CAROL, c_call);
    assert!(!to_carol.to_string().contains(KEY), "{to_carol}");
    assert_eq!(audio(&to_carol).proto, "RTP/AVP");
    assert!(audio(&to_carol).crypto().is_empty());
}

/// Bob holds the call with Alice and dials `*70` alone to park it; returns the `*70` call.
fn bob_parks_with_star_seventy(w: &mut World) -> usize {
    let (_, b_call) = connect(w, ALICE, "101", BOB);
    let bob_media = w.phones[BOB].media;
    w.with(BOB, |p, now| {
        p.reinvite(now, b_call, media::sdp::Direction::SendOnly, bob_media)
    });
    w.run_for(Duration::from_secs(1));
    let park = w.with(BOB, |p, now| p.call(now, "*70"));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[BOB].calls[park].state
            == CallState::Confirmed),
        "the *70 call is answered"
    );
    park
}

#[test]
fn parking_an_encrypting_caller_with_star_seventy_passes_no_key_to_the_parker() {
    let mut w = office(43);
    keys_over_udp_allowed(&mut w);
    w.phones[ALICE].srtp_key = Some(KEY.to_owned());
    let park = bob_parks_with_star_seventy(&mut w);
    let to_bob = answer(&w, BOB, park);
    assert!(!to_bob.to_string().contains(KEY), "{to_bob}");
    assert_eq!(audio(&to_bob).proto, "RTP/AVP");
    assert!(audio(&to_bob).crypto().is_empty());
}

#[test]
fn an_encrypting_phone_dialling_star_seventy_is_answered_srtp() {
    let mut w = office(44);
    keys_over_udp_allowed(&mut w);
    w.phones[BOB].srtp_key = Some(KEY.to_owned());
    let park = bob_parks_with_star_seventy(&mut w);
    let to_bob = answer(&w, BOB, park);
    assert_eq!(audio(&to_bob).proto, "RTP/SAVP", "{to_bob}");
    let crypto = audio(&to_bob).crypto();
    assert_eq!(crypto.len(), 1, "{to_bob}");
    assert!(
        crypto[0].key != phone_key(),
        "Bob gets the PBX's key, not his own"
    );
}
