//! An Opus-only phone calls a PCMU-only phone: the callee is offered the caller's codec
//! first and then the codecs the PBX transcodes to, picks PCMU, and the caller is answered
//! with its own Opus while the runtime is told to transcode between the two. Phones that
//! share a codec are relayed without transcoding.

mod support;

use std::time::Duration;

use pbx::Action;
use support::{alice, bob, sdp, CallState, World};

fn opus_only() -> Vec<(u8, String)> {
    vec![
        (111, "opus/48000/2".into()),
        (101, "telephone-event/48000".into()),
    ]
}

fn pcmu_only() -> Vec<(u8, String)> {
    vec![
        (0, "PCMU/8000".into()),
        (101, "telephone-event/8000".into()),
    ]
}

/// Alice (with `alice_formats`) calls Bob (with `bob_formats`), who answers. Returns the
/// world and the call's index on each phone.
fn call(
    seed: u64,
    alice_formats: Vec<(u8, String)>,
    bob_formats: Vec<(u8, String)>,
) -> (World, usize, usize) {
    let mut w = World::lan(seed);
    let mut a = alice(seed + 1);
    a.audio_formats = alice_formats;
    let mut b = bob(seed + 2);
    b.audio_formats = bob_formats;
    let a = w.add(a);
    let b = w.add(b);
    w.register_all();
    let call = w.with(a, |p, now| p.call(now, "101"));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[1]
            .incoming(0)
            .is_some()),
        "Bob's phone rings"
    );
    let incoming = w.phones[b].incoming(0).expect("incoming call");
    w.with(b, |p, now| p.answer(now, incoming));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[0].calls[call].state
            == CallState::Confirmed),
        "Alice is connected"
    );
    (w, call, incoming)
}

fn transcodes(w: &World) -> Vec<&Action> {
    w.actions
        .iter()
        .filter(|a| matches!(a, Action::Transcode { .. } | Action::TranscodeStop { .. }))
        .collect()
}

#[test]
fn the_pcmu_phone_is_offered_opus_first_then_the_codecs_the_pbx_transcodes_to() {
    let (w, _, incoming) = call(10, opus_only(), pcmu_only());
    let offer = &w.phones[1].calls[incoming].sdp_received[0];
    assert_eq!(
        sdp::encodings(offer),
        [
            "opus",
            "PCMU",
            "PCMA",
            "G722",
            "telephone-event",
            "telephone-event"
        ]
    );
    let audio = offer.audio().expect("audio");
    let formats = offer.media[audio.index].payload_formats();
    let opus = formats.iter().find(|f| f.encoding == "opus").expect("opus");
    assert_eq!(opus.payload_type, 111, "the caller's own number is kept");
    let pcmu = formats.iter().find(|f| f.encoding == "PCMU").expect("PCMU");
    assert_eq!(pcmu.payload_type, 0, "PCMU keeps its static number");
    assert!(
        formats
            .iter()
            .any(|f| f.encoding == "telephone-event" && f.clock_rate == 8000),
        "events are offered at the 8 kHz clock of the added codecs"
    );
}

#[test]
fn the_opus_phone_is_answered_with_opus_and_the_relay_transcodes_to_pcmu() {
    let (w, call, _) = call(20, opus_only(), pcmu_only());
    let answer = w.phones[0].calls[call]
        .sdp_received
        .last()
        .expect("Alice got an answer");
    assert_eq!(sdp::encodings(answer), ["opus", "telephone-event"]);
    let audio = answer.audio().expect("audio");
    let formats = answer.media[audio.index].payload_formats();
    assert_eq!(formats[0].payload_type, 111);
    assert_eq!(formats[1].clock_rate, 48_000);

    let relay = w.relays_allocated()[0];
    let actions = transcodes(&w);
    assert_eq!(actions.len(), 1, "one Transcode: {actions:?}");
    match actions[0] {
        Action::Transcode {
            id,
            a,
            b,
            a_events,
            b_events,
        } => {
            assert_eq!(*id, relay.id);
            assert_eq!((a.encoding.as_str(), a.payload_type), ("opus", 111));
            assert_eq!((b.encoding.as_str(), b.payload_type), ("PCMU", 0));
            assert_eq!((*a_events, *b_events), (Some(101), Some(101)));
        }
        other => panic!("expected Transcode, got {other:?}"),
    }
}

#[test]
fn phones_sharing_a_codec_are_relayed_without_transcoding() {
    let (w, call, incoming) = call(30, sdp::g711_formats(), pcmu_only());
    let offer = &w.phones[1].calls[incoming].sdp_received[0];
    let encodings = sdp::encodings(offer);
    assert_eq!(
        encodings[..2],
        ["PCMU", "PCMA"],
        "the caller's codecs come first"
    );
    let answer = w.phones[0].calls[call]
        .sdp_received
        .last()
        .expect("Alice got an answer");
    assert_eq!(sdp::encodings(answer), ["PCMU", "telephone-event"]);
    assert!(transcodes(&w).is_empty(), "nothing to transcode");
}

#[test]
fn a_pcmu_phone_picking_up_an_opus_call_is_transcoded_too() {
    let mut w = World::lan(40);
    let mut a = alice(41);
    a.audio_formats = opus_only();
    let mut c = support::transfer_office::carol(43);
    c.audio_formats = pcmu_only();
    let a = w.add(a);
    w.add(bob(42));
    let c = w.add(c);
    w.register_all();
    let call = w.with(a, |p, now| p.call(now, "101"));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[1]
            .incoming(0)
            .is_some()),
        "Bob's phone rings"
    );
    let pick = w.with(c, |p, now| p.call(now, "*8101"));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[c].calls[pick].state
            == CallState::Confirmed
            && w.phones[a].calls[call].state == CallState::Confirmed),
        "Carol has the call"
    );
    let answer = w.phones[a].calls[call]
        .sdp_received
        .last()
        .expect("Alice got an answer");
    assert_eq!(sdp::encodings(answer)[0], "opus");
    let actions = transcodes(&w);
    assert!(
        matches!(
            actions.last(),
            Some(Action::Transcode { a, b, .. }) if a.encoding == "opus" && b.encoding == "PCMU"
        ),
        "the relay transcodes Opus to PCMU: {actions:?}"
    );
}

#[test]
fn a_hold_on_a_transcoded_call_offers_each_phone_its_own_codec_and_plays_music_in_it() {
    let (mut w, call, incoming) = call(50, opus_only(), pcmu_only());
    let media = w.phones[0].media;
    w.with(0, |p, now| {
        p.reinvite(now, call, media::sdp::Direction::SendOnly, media)
    });
    w.run_for(Duration::from_secs(2));
    let offer = w.phones[1].calls[incoming]
        .sdp_received
        .last()
        .expect("Bob got the re-offer");
    assert_eq!(sdp::encodings(offer), ["PCMU", "telephone-event"]);
    assert_eq!(sdp::direction(offer), Some(media::sdp::Direction::SendOnly));
    let answer = w.phones[0].calls[call]
        .sdp_received
        .last()
        .expect("Alice got the answer");
    assert_eq!(sdp::encodings(answer), ["opus", "telephone-event"]);
    assert_eq!(transcodes(&w).len(), 1, "transcoding goes on unchanged");
    let music = w.actions.iter().find_map(|a| match a {
        Action::MediaPlay { format, .. } => Some(format.encoding.clone()),
        _ => None,
    });
    assert_eq!(
        music.as_deref(),
        Some("PCMU"),
        "Bob hears music in his codec"
    );

    let media = w.phones[1].media;
    w.with(1, |p, now| {
        p.reinvite(now, incoming, media::sdp::Direction::SendRecv, media)
    });
    w.run_for(Duration::from_secs(2));
    let offer = w.phones[0].calls[call]
        .sdp_received
        .last()
        .expect("Alice got Bob's re-offer");
    assert_eq!(sdp::encodings(offer), ["opus", "telephone-event"]);
}
