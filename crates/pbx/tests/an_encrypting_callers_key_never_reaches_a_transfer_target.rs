//! Alice's phone encrypts (SRTP, keys over UDP allowed on this bench) and calls Bob, who
//! transfers her to Carol, blind or attended (Carol is then re-INVITEd with Alice's media).
//! And when the encrypting party is the callee, the plain target it transfers to gets
//! plain RTP from the relay. Her key is for her leg alone (RFC 4568 §6.1): neither
//! Bob nor Carol ever sees it, both are offered plain RTP, and everything Alice is sent
//! stays RTP/SAVP with the PBX's key for her leg.

mod support;

use std::time::Duration;

use media::sdp::SessionDescription;
use pbx::{SrtpPolicy, SrtpRequirement};
use support::transfer_office::{connect, office};
use support::CallState;

const ALICE: usize = 0;
const BOB: usize = 1;
const CAROL: usize = 2;
const ALICE_KEY: &str = "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR";

fn audio_proto(sdp: &SessionDescription) -> String {
    sdp.media[sdp.audio().expect("audio").index].proto.clone()
}

#[test]
fn a_blind_transfer_passes_no_key_on_and_keeps_the_caller_encrypted() {
    let mut w = office(31);
    w.pbx.set_srtp_policy(SrtpPolicy {
        require: SrtpRequirement::Off,
        keys_over_plain_signalling: true,
    });
    w.phones[ALICE].srtp_key = Some(ALICE_KEY.to_owned());
    let (a_call, b_call) = connect(&mut w, ALICE, "101", BOB);
    w.with(BOB, |p, now| p.refer(now, b_call, "<sip:102@office>", &[]));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[CAROL]
            .incoming(0)
            .is_some_and(
                |i| w.phones[CAROL].calls[i].state == CallState::Ringing
            )),
        "Carol's phone rings"
    );
    let c_call = w.phones[CAROL].incoming(0).expect("Carol's call");
    w.with(CAROL, |p, now| p.answer(now, c_call));
    w.run_for(Duration::from_secs(3));

    for (phone, call) in [(BOB, b_call), (CAROL, c_call)] {
        let received = &w.phones[phone].calls[call].sdp_received;
        assert!(!received.is_empty());
        for sdp in received {
            let text = sdp.to_string();
            assert!(
                !text.contains(ALICE_KEY),
                "Alice's key reached phone {phone}:\n{text}"
            );
            assert_eq!(
                audio_proto(sdp),
                "RTP/AVP",
                "phone {phone} is offered plain RTP"
            );
        }
    }
    let alice = &w.phones[ALICE].calls[a_call].sdp_received;
    assert!(!alice.is_empty());
    for sdp in alice {
        assert_eq!(audio_proto(sdp), "RTP/SAVP", "Alice keeps SRTP:\n{sdp}");
        let crypto = sdp.media[sdp.audio().expect("audio").index].crypto();
        assert_eq!(crypto.len(), 1, "{sdp}");
        assert_ne!(
            crypto[0].to_value(),
            format!("1 AES_CM_128_HMAC_SHA1_80 inline:{ALICE_KEY}"),
            "Alice is sent the PBX's key, never her own back"
        );
    }
}

#[test]
fn an_attended_transfer_re_invites_the_target_without_the_callers_key() {
    let mut w = office(32);
    w.pbx.set_srtp_policy(SrtpPolicy {
        require: SrtpRequirement::Off,
        keys_over_plain_signalling: true,
    });
    w.phones[ALICE].srtp_key = Some(ALICE_KEY.to_owned());
    let (_, bob_call1) = connect(&mut w, ALICE, "101", BOB);
    let (bob_call2, carol_call) = connect(&mut w, BOB, "102", CAROL);
    let refer_to = w.phones[BOB].refer_to_replacing("102", bob_call2);
    w.with(BOB, |p, now| p.refer(now, bob_call1, &refer_to, &[]));
    w.run_for(Duration::from_secs(3));

    let carol = &w.phones[CAROL].calls[carol_call];
    let reinvite = carol
        .requests
        .iter()
        .rfind(|r| r.method == sip::Method::Invite)
        .expect("Carol is re-INVITEd with Alice's media");
    let text = String::from_utf8_lossy(&reinvite.body).into_owned();
    assert!(
        !text.contains(ALICE_KEY),
        "Alice's key reached Carol:\n{text}"
    );
    assert!(
        !text.contains("a=crypto"),
        "Carol, a plain phone, is sent no key:\n{text}"
    );
    assert_eq!(carol.state, CallState::Confirmed);
}

#[test]
fn an_encrypting_callee_transferring_to_a_plain_phone_leaves_its_side_of_the_relay_plain() {
    let mut w = office(33);
    // Bob's extension always encrypts; Carol, the target, is plain.
    w.pbx.set_srtp_policy(SrtpPolicy {
        require: SrtpRequirement::Off,
        keys_over_plain_signalling: true,
    });
    let mut dir = support::directory();
    if let Some(mut bob) = dir.get("101").cloned() {
        bob.srtp_required = true;
        dir.insert(bob);
    }
    w.pbx.set_directory(dir);
    w.phones[BOB].srtp_key = Some(ALICE_KEY.to_owned());
    let (_, b_call) = connect(&mut w, ALICE, "101", BOB);
    let side_b = |w: &support::World| {
        w.actions
            .iter()
            .filter_map(|a| match a {
                pbx::Action::RelaySrtp {
                    side: pbx::Side::B, ..
                } => Some(true),
                pbx::Action::RelayPlain {
                    side: pbx::Side::B, ..
                } => Some(false),
                _ => None,
            })
            .next_back()
    };
    assert_eq!(side_b(&w), Some(true), "Bob's leg runs SRTP");
    w.with(BOB, |p, now| p.refer(now, b_call, "<sip:102@office>", &[]));
    assert!(w.run_until(Duration::from_secs(5), |w| w.phones[CAROL]
        .incoming(0)
        .is_some_and(|i| w.phones[CAROL].calls[i].state == CallState::Ringing)));
    let c_call = w.phones[CAROL].incoming(0).expect("Carol's call");
    w.with(CAROL, |p, now| p.answer(now, c_call));
    w.run_for(Duration::from_secs(3));
    assert_eq!(w.phones[CAROL].calls[c_call].state, CallState::Confirmed);
    assert_eq!(
        side_b(&w),
        Some(false),
        "Carol's side of the relay is plain RTP again"
    );
}
