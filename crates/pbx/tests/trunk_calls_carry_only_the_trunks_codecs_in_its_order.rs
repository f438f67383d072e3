//! The provider's side of a trunk call sees only the trunk's codecs, in the trunk's order
//! of preference (our offer out, our answer in); the phones see them first too (the
//! provider's offer, then the codecs the PBX transcodes to; the provider's answer).

mod support;

use pbx::dialplan::DtmfMode;
use support::sdp::encodings;
use support::trunk_calls::{call_in, call_out, office, ALICE, PROVIDER};

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn an_inbound_call_rings_the_phone_in_the_trunks_order_and_answers_the_provider_alike() {
    let mut w = office(300, |t| {
        t.codecs = strings(&["PCMA", "PCMU"]);
        t.dtmf = DtmfMode::Rfc4733;
    });
    // The provider offers G.722 first, which the trunk does not list.
    w.phones[PROVIDER].audio_formats = vec![
        (9, "G722/8000".into()),
        (0, "PCMU/8000".into()),
        (8, "PCMA/8000".into()),
        (101, "telephone-event/8000".into()),
    ];
    let (call, ringing) = call_in(&mut w);
    let offer = &w.phones[ALICE].calls[ringing].sdp_received[0];
    let offered = encodings(offer);
    assert_eq!(
        offered[..2],
        ["PCMA", "PCMU"],
        "the phone sees the trunk's codecs first, in the trunk's order"
    );
    assert_eq!(
        offered[2..],
        ["G722", "opus", "telephone-event", "telephone-event"],
        "then those the PBX transcodes to"
    );
    let answer = w.phones[PROVIDER].calls[call]
        .sdp_received
        .last()
        .expect("the 200 carries an answer");
    assert_eq!(
        encodings(answer),
        ["PCMA", "PCMU", "telephone-event"],
        "the provider's answer lists only the trunk's codecs, preferred first"
    );
}

#[test]
fn an_outbound_offer_lists_only_the_trunks_codecs() {
    let mut w = office(301, |t| {
        t.codecs = strings(&["PCMA"]);
        t.dtmf = DtmfMode::Rfc4733;
    });
    let (call, incoming) = call_out(&mut w);
    let offer = &w.phones[PROVIDER].calls[incoming].sdp_received[0];
    assert_eq!(encodings(offer), ["PCMA", "telephone-event"]);
    // The provider's UA answers with everything it has; Alice gets the trunk's part.
    let answer = w.phones[ALICE].calls[call]
        .sdp_received
        .last()
        .expect("the 200 carries an answer");
    assert_eq!(encodings(answer), ["PCMA", "telephone-event"]);
}

#[test]
fn a_re_invite_across_the_trunk_is_narrowed_too() {
    let mut w = office(302, |t| {
        t.codecs = strings(&["PCMU"]);
        t.dtmf = DtmfMode::Rfc4733;
    });
    let (call, ringing) = call_in(&mut w);
    let media = w.phones[ALICE].media;
    w.with(ALICE, |p, now| {
        p.reinvite(now, ringing, media::sdp::Direction::SendOnly, media)
    });
    w.run_for(std::time::Duration::from_secs(2));
    let provider = &w.phones[PROVIDER].calls[call];
    let hold = provider.sdp_received.last().expect("the re-INVITE's offer");
    assert_eq!(
        support::sdp::direction(hold),
        Some(media::sdp::Direction::SendOnly)
    );
    assert_eq!(encodings(hold), ["PCMU", "telephone-event"]);
    let back = w.phones[ALICE].calls[ringing]
        .responses
        .iter()
        .rev()
        .find(|r| r.status == 200)
        .expect("the re-INVITE is answered");
    assert_eq!(
        encodings(&support::sdp::parse(&back.body)),
        ["PCMU", "telephone-event"]
    );
}

#[test]
fn calls_between_extensions_keep_every_codec() {
    let mut w = office(303, |t| t.codecs = strings(&["PCMA"]));
    w.add(support::bob(304));
    let bob = w.phones.len() - 1;
    w.with(bob, |p, now| p.register(now));
    assert!(
        w.run_until(std::time::Duration::from_secs(5), |w| w.phones[bob]
            .registered)
    );
    w.with(bob, |p, now| p.call(now, "100"));
    assert!(
        w.run_until(std::time::Duration::from_secs(5), |w| w.phones[ALICE]
            .incoming(0)
            .is_some())
    );
    let ringing = w.phones[ALICE].incoming(0).expect("ringing");
    let offer = &w.phones[ALICE].calls[ringing].sdp_received[0];
    // The caller's codecs, in its order, ahead of those the PBX can transcode to.
    let encodings = encodings(offer);
    assert_eq!(encodings[..2], ["PCMU", "PCMA"]);
    assert!(encodings.contains(&"telephone-event".to_owned()));
}
