//! A phone sharing no codec with a trunk still reaches it: the provider only ever sees
//! the trunk's codecs (and its DTMF mode), the phone keeps its own, and the runtime is
//! told to transcode between the two. A phone that shares a codec with the trunk is
//! relayed without transcoding, and a call no codec of which can reach the trunk, even
//! transcoded, is still refused with 488.

mod support;

use std::time::Duration;

use media::sdp::Direction as MediaDirection;
use pbx::dialplan::DtmfMode;
use pbx::{Action, Outcome};
use support::sdp::encodings;
use support::trunk_calls::{call_in, call_out, office, ALICE, DIALLED, PROVIDER};
use support::trunk_office::SALES_NUMBER;
use support::{CallState, World};

fn formats(list: &[(u8, &str)]) -> Vec<(u8, String)> {
    list.iter().map(|(pt, e)| (*pt, (*e).to_owned())).collect()
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

fn opus_only() -> Vec<(u8, String)> {
    formats(&[(111, "opus/48000/2"), (101, "telephone-event/48000")])
}

/// The Transcode and TranscodeStop actions so far, as (a's codec, b's codec) or `None`.
fn transcodes(w: &World) -> Vec<Option<(String, String)>> {
    w.actions
        .iter()
        .filter_map(|a| match a {
            Action::Transcode { a, b, .. } => Some(Some((a.encoding.clone(), b.encoding.clone()))),
            Action::TranscodeStop { .. } => Some(None),
            _ => None,
        })
        .collect()
}

fn pair(a: &str, b: &str) -> Option<(String, String)> {
    Some((a.to_owned(), b.to_owned()))
}

#[test]
fn an_opus_phone_calling_out_through_a_g711_trunk_is_transcoded() {
    let mut w = office(500, |t| {
        t.codecs = strings(&["PCMU", "PCMA"]);
        t.dtmf = DtmfMode::Rfc4733;
    });
    w.phones[ALICE].audio_formats = opus_only();
    let (call, incoming) = call_out(&mut w);
    let offer = &w.phones[PROVIDER].calls[incoming].sdp_received[0];
    assert_eq!(
        encodings(offer),
        ["PCMU", "PCMA", "telephone-event"],
        "the provider is offered the trunk's codecs only, in its order"
    );
    let answer = w.phones[ALICE].calls[call]
        .sdp_received
        .last()
        .expect("the 200 carries an answer");
    assert_eq!(
        encodings(answer),
        ["opus", "telephone-event"],
        "Alice is answered in her own codec"
    );
    assert_eq!(transcodes(&w), [pair("opus", "PCMU")]);
    assert_eq!(w.records().len(), 0, "the call is still up");
}

#[test]
fn a_pcmu_provider_reaches_an_opus_only_phone() {
    let mut w = office(510, |t| {
        t.codecs = strings(&["PCMU"]);
        t.dtmf = DtmfMode::Rfc4733;
    });
    w.phones[PROVIDER].audio_formats = formats(&[(0, "PCMU/8000"), (101, "telephone-event/8000")]);
    w.phones[ALICE].audio_formats = opus_only();
    let (call, ringing) = call_in(&mut w);
    let offer = &w.phones[ALICE].calls[ringing].sdp_received[0];
    let offered = encodings(offer);
    assert_eq!(offered[0], "PCMU", "the provider's codec comes first");
    assert!(
        offered.contains(&"opus".to_owned()),
        "the phone is offered Opus to transcode to: {offered:?}"
    );
    let answer = w.phones[PROVIDER].calls[call]
        .sdp_received
        .last()
        .expect("the 200 carries an answer");
    assert_eq!(
        encodings(answer),
        ["PCMU", "telephone-event"],
        "the provider is answered in the trunk's codec"
    );
    assert_eq!(transcodes(&w), [pair("PCMU", "opus")]);
}

#[test]
fn a_pcmu_provider_reaches_a_g722_only_phone_without_events_in_info_mode() {
    let mut w = office(520, |t| {
        t.codecs = strings(&["PCMU"]);
        t.dtmf = DtmfMode::Info;
    });
    w.phones[PROVIDER].audio_formats = formats(&[(0, "PCMU/8000"), (101, "telephone-event/8000")]);
    w.phones[ALICE].audio_formats = formats(&[(9, "G722/8000")]);
    let (call, ringing) = call_in(&mut w);
    let offer = &w.phones[ALICE].calls[ringing].sdp_received[0];
    let offered = encodings(offer);
    assert!(offered.contains(&"G722".to_owned()), "{offered:?}");
    assert!(
        !offered.contains(&"telephone-event".to_owned()),
        "no events on an INFO trunk: {offered:?}"
    );
    let answer = w.phones[PROVIDER].calls[call]
        .sdp_received
        .last()
        .expect("the 200 carries an answer");
    assert_eq!(encodings(answer), ["PCMU"]);
    assert_eq!(transcodes(&w), [pair("PCMU", "G722")]);
}

#[test]
fn a_phone_sharing_a_codec_with_the_trunk_is_relayed_unchanged() {
    let mut w = office(530, |t| {
        t.codecs = strings(&["PCMU", "PCMA"]);
        t.dtmf = DtmfMode::Rfc4733;
    });
    w.phones[ALICE].audio_formats = formats(&[
        (111, "opus/48000/2"),
        (8, "PCMA/8000"),
        (101, "telephone-event/8000"),
    ]);
    w.phones[PROVIDER].audio_formats = formats(&[(8, "PCMA/8000"), (101, "telephone-event/8000")]);
    let (call, incoming) = call_out(&mut w);
    let offer = &w.phones[PROVIDER].calls[incoming].sdp_received[0];
    assert_eq!(
        encodings(offer),
        ["PCMA", "telephone-event"],
        "only the codec the phone sends itself is offered"
    );
    let answer = w.phones[ALICE].calls[call]
        .sdp_received
        .last()
        .expect("the 200 carries an answer");
    assert_eq!(encodings(answer), ["PCMA", "telephone-event"]);
    assert!(transcodes(&w).is_empty(), "nothing is decoded");
}

#[test]
fn an_inbound_call_to_a_g711_phone_is_relayed_unchanged() {
    let mut w = office(540, |t| t.codecs = strings(&["PCMU"]));
    let (call, _) = call_in(&mut w);
    let answer = w.phones[PROVIDER].calls[call]
        .sdp_received
        .last()
        .expect("the 200 carries an answer");
    assert_eq!(encodings(answer)[0], "PCMU");
    assert!(transcodes(&w).is_empty(), "nothing is decoded");
}

#[test]
fn a_call_out_that_even_transcoding_cannot_carry_is_answered_488() {
    let mut w = office(550, |t| t.codecs = strings(&["G729"]));
    w.phones[ALICE].audio_formats = opus_only();
    let call = w.with(ALICE, |p, now| p.call(now, DIALLED));
    w.run_for(Duration::from_secs(5));
    assert_eq!(w.phones[ALICE].calls[call].state, CallState::Failed(488));
    assert!(w.phones[PROVIDER].incoming(0).is_none());
    let records = w.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, Outcome::Failed);
    assert!(
        records[0].reason.contains("(G729)"),
        "{}",
        records[0].reason
    );
}

#[test]
fn a_hold_on_a_transcoded_trunk_call_keeps_each_side_in_its_codec() {
    let mut w = office(560, |t| {
        t.codecs = strings(&["PCMU"]);
        t.dtmf = DtmfMode::Rfc4733;
    });
    w.phones[ALICE].audio_formats = opus_only();
    let (call, incoming) = call_out(&mut w);
    let media = w.phones[ALICE].media;
    w.with(ALICE, |p, now| {
        p.reinvite(now, call, MediaDirection::SendOnly, media)
    });
    w.run_for(Duration::from_secs(2));
    let offer = w.phones[PROVIDER].calls[incoming]
        .sdp_received
        .last()
        .expect("the provider got the re-offer");
    assert_eq!(encodings(offer), ["PCMU", "telephone-event"]);
    assert_eq!(
        support::sdp::direction(offer),
        Some(MediaDirection::SendOnly)
    );
    let answer = w.phones[ALICE].calls[call]
        .sdp_received
        .last()
        .expect("Alice got the answer");
    assert_eq!(encodings(answer), ["opus", "telephone-event"]);
    assert_eq!(
        transcodes(&w),
        [pair("opus", "PCMU")],
        "transcoding goes on"
    );
    let music = w.actions.iter().find_map(|a| match a {
        Action::MediaPlay { format, .. } => Some(format.encoding.clone()),
        _ => None,
    });
    assert_eq!(
        music.as_deref(),
        Some("PCMU"),
        "the provider hears music in the trunk's codec"
    );
    assert_eq!(w.pbx.call_count(), 1);
}

#[test]
fn a_provider_offering_none_of_the_trunks_codecs_is_still_refused() {
    let mut w = office(570, |t| t.codecs = strings(&["PCMA"]));
    w.phones[PROVIDER].audio_formats = formats(&[(0, "PCMU/8000")]);
    let call = w.with(PROVIDER, |p, now| p.call(now, SALES_NUMBER));
    w.run_for(Duration::from_secs(5));
    assert_eq!(w.phones[PROVIDER].calls[call].state, CallState::Failed(488));
    assert!(w.phones[ALICE].incoming(0).is_none());
}
