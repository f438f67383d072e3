//! The conference mixer: each participant hears the others but never itself; muted
//! participants are not heard; joining and leaving take effect at the next tick; loud
//! rooms are limited instead of clipping or wrapping around.

use media::mixer::{Mixer, ParticipantId, LIMIT};
use media::tone::{detect_tone, Tone, ToneGenerator};

const RATE: u32 = 8000;
const FRAME: usize = 160;

/// A participant "speaking" a continuous tone of its own frequency.
struct Talker {
    id: ParticipantId,
    frequency: f64,
    generator: ToneGenerator,
}

fn talker(mixer: &mut Mixer, frequency: f64) -> Talker {
    Talker {
        id: mixer.join(),
        frequency,
        generator: ToneGenerator::new(Tone::continuous(frequency), RATE),
    }
}

/// Runs `ticks` ticks and returns what each talker heard, concatenated.
fn run(mixer: &mut Mixer, talkers: &mut [Talker], ticks: usize) -> Vec<Vec<i16>> {
    let mut heard = vec![Vec::new(); talkers.len()];
    let mut frame = [0i16; FRAME];
    for _ in 0..ticks {
        for t in talkers.iter_mut() {
            t.generator.fill(&mut frame);
            assert!(mixer.push(t.id, &frame));
        }
        mixer.mix();
        for (t, h) in talkers.iter().zip(heard.iter_mut()) {
            h.extend_from_slice(mixer.output(t.id).unwrap_or_default());
        }
    }
    heard
}

/// Share of `audio`'s energy at `frequency`; distinct talkers' frequencies are far
/// enough apart over 100 ms for each to be measured separately.
fn level(audio: &[i16], frequency: f64) -> f64 {
    detect_tone(audio, RATE, frequency)
}

#[test]
fn three_participants_each_hear_the_other_two_only() {
    let mut mixer = Mixer::new(RATE, FRAME);
    let mut talkers = vec![
        talker(&mut mixer, 500.0),
        talker(&mut mixer, 1000.0),
        talker(&mut mixer, 1500.0),
    ];
    let heard = run(&mut mixer, &mut talkers, 10);
    for (i, h) in heard.iter().enumerate() {
        for (j, t) in talkers.iter().enumerate() {
            let share = level(h, t.frequency);
            if i == j {
                assert!(share < 0.001, "talker {i} hears itself: {share}");
            } else {
                assert!(share > 0.4, "talker {i} misses talker {j}: {share}");
            }
        }
    }
}

#[test]
fn two_participants_hear_each_other_unchanged() {
    let mut mixer = Mixer::new(RATE, FRAME);
    let a = mixer.join();
    let b = mixer.join();
    let mut tone = vec![0i16; FRAME];
    ToneGenerator::new(Tone::continuous(700.0), RATE).fill(&mut tone);
    mixer.push(a, &tone);
    mixer.mix();
    assert_eq!(mixer.output(b), Some(tone.as_slice()));
    assert!(mixer.output(a).unwrap_or_default().iter().all(|s| *s == 0));
}

#[test]
fn a_muted_participant_hears_the_room_but_is_not_heard() {
    let mut mixer = Mixer::new(RATE, FRAME);
    let mut talkers = vec![talker(&mut mixer, 600.0), talker(&mut mixer, 1400.0)];
    assert!(mixer.set_muted(talkers[0].id, true));
    assert_eq!(mixer.is_muted(talkers[0].id), Some(true));
    let heard = run(&mut mixer, &mut talkers, 10);
    assert!(heard[1].iter().all(|s| *s == 0), "the muted talker leaks");
    assert!(level(&heard[0], 1400.0) > 0.9);

    assert!(mixer.set_muted(talkers[0].id, false));
    let heard = run(&mut mixer, &mut talkers, 10);
    assert!(level(&heard[1], 600.0) > 0.9);
}

#[test]
fn joining_and_leaving_take_effect_at_the_next_tick() {
    let mut mixer = Mixer::new(RATE, FRAME);
    let mut talkers = vec![talker(&mut mixer, 500.0), talker(&mut mixer, 1000.0)];
    run(&mut mixer, &mut talkers, 5);

    talkers.push(talker(&mut mixer, 1500.0));
    let heard = run(&mut mixer, &mut talkers, 10);
    assert!(level(&heard[0], 1500.0) > 0.4, "the newcomer is not heard");
    assert!(level(&heard[2], 500.0) > 0.4 && level(&heard[2], 1000.0) > 0.4);

    let gone = talkers.remove(1);
    assert!(mixer.leave(gone.id));
    assert!(!mixer.leave(gone.id), "leaving twice");
    assert_eq!(mixer.output(gone.id), None);
    assert!(
        !mixer.push(gone.id, &[1; FRAME]),
        "a departed id still accepted"
    );
    let heard = run(&mut mixer, &mut talkers, 10);
    assert!(level(&heard[0], 1000.0) < 0.001);
    assert!(level(&heard[0], 1500.0) > 0.9);
    assert_eq!(mixer.len(), 2);

    // A later participant never receives a departed one's id.
    let newcomer = mixer.join();
    assert_ne!(newcomer, gone.id);
}

#[test]
fn a_participant_without_a_frame_this_tick_is_silent() {
    let mut mixer = Mixer::new(RATE, FRAME);
    let a = mixer.join();
    let b = mixer.join();
    mixer.push(a, &[1000; FRAME]);
    mixer.mix();
    assert!(mixer
        .output(b)
        .unwrap_or_default()
        .iter()
        .all(|s| *s == 1000));
    // No push from `a` this time: its last frame must not be repeated.
    mixer.mix();
    assert!(mixer.output(b).unwrap_or_default().iter().all(|s| *s == 0));
}

#[test]
fn twenty_loud_participants_never_clip_or_wrap() {
    let mut mixer = Mixer::new(RATE, FRAME);
    // Every talker at full scale and in phase: the raw sum is 19 times what 16 bits hold.
    let ids: Vec<ParticipantId> = (0..20).map(|_| mixer.join()).collect();
    let mut tone = vec![0i16; FRAME];
    let mut generator = ToneGenerator::new(
        Tone {
            amplitude: 1.0,
            ..Tone::continuous(400.0)
        },
        RATE,
    );
    let mut heard = Vec::new();
    for _ in 0..50 {
        generator.fill(&mut tone);
        for id in &ids {
            mixer.push(*id, &tone);
        }
        mixer.mix();
        let out = mixer.output(ids[0]).unwrap_or_default();
        for (o, t) in out.iter().zip(&tone) {
            // No wrap-around: the output follows the sign of the (in-phase) sum.
            assert!(i32::from(*o) * i32::from(*t) >= 0, "{o} vs {t}");
            assert!(*o > i16::MIN && *o < i16::MAX, "clipped at {o}");
        }
        heard.extend_from_slice(out);
    }
    // After the first frame the limiter has settled: peaks near LIMIT, tone intact.
    let settled = &heard[FRAME..];
    let peak = settled
        .iter()
        .map(|s| i32::from(*s).abs())
        .max()
        .unwrap_or(0);
    assert!(peak <= LIMIT && peak > LIMIT * 9 / 10, "peak {peak}");
    assert!(level(settled, 400.0) > 0.95);
}

#[test]
fn the_limiter_recovers_after_a_loud_burst() {
    let mut mixer = Mixer::new(RATE, FRAME);
    let ids: Vec<ParticipantId> = (0..4).map(|_| mixer.join()).collect();
    for _ in 0..10 {
        for id in &ids {
            mixer.push(*id, &[20_000; FRAME]);
        }
        mixer.mix();
    }
    // One quiet talker afterwards: within a second it is heard at its own level again.
    for _ in 0..50 {
        mixer.push(ids[1], &[1000; FRAME]);
        mixer.mix();
    }
    let out = mixer.output(ids[0]).unwrap_or_default();
    assert!(
        out.iter().all(|s| (990..=1000).contains(s)),
        "{:?}",
        &out[..4]
    );
}

#[test]
fn odd_frame_lengths_are_padded_or_cut() {
    let mut mixer = Mixer::new(RATE, FRAME);
    let a = mixer.join();
    let b = mixer.join();
    mixer.push(a, &[500; 10]);
    mixer.mix();
    let out = mixer.output(b).unwrap_or_default();
    assert_eq!(out.len(), FRAME);
    assert!(out[..10].iter().all(|s| *s == 500) && out[10..].iter().all(|s| *s == 0));
    mixer.push(a, &[700; 1000]);
    mixer.mix();
    assert_eq!(mixer.output(b).map(<[i16]>::len), Some(FRAME));
}

proptest::proptest! {
    /// Any audio, any room size, any mutes: nobody hears their own voice alone, and no
    /// output ever reaches full scale (where clipping or wrap-around would show).
    #[test]
    fn any_audio_is_never_heard_by_its_speaker_and_never_clips(
        frames in proptest::collection::vec(
            proptest::collection::vec(proptest::prelude::any::<i16>(), 0..200),
            1..12,
        ),
        muted in proptest::collection::vec(proptest::prelude::any::<bool>(), 12),
        ticks in 1usize..6,
    ) {
        let mut mixer = Mixer::new(RATE, FRAME);
        let ids: Vec<ParticipantId> = frames.iter().map(|_| mixer.join()).collect();
        for (id, m) in ids.iter().zip(&muted) {
            mixer.set_muted(*id, *m);
        }
        for _ in 0..ticks {
            for (id, frame) in ids.iter().zip(&frames) {
                mixer.push(*id, frame);
            }
            mixer.mix();
            for id in &ids {
                let out = mixer.output(*id).unwrap_or_default();
                proptest::prop_assert_eq!(out.len(), FRAME);
                proptest::prop_assert!(out.iter().all(|s| *s > i16::MIN && *s < i16::MAX));
            }
        }
        // Alone in the room, a speaker hears silence.
        let mut alone = Mixer::new(RATE, FRAME);
        let solo = alone.join();
        alone.push(solo, &frames[0]);
        alone.mix();
        proptest::prop_assert!(alone.output(solo).unwrap_or_default().iter().all(|s| *s == 0));
    }
}
