//! The audio shipped in assets/audio: every prompt decodes, at 16 kHz as made and at
//! 8 kHz for G.711 calls, and the number words compose.

use media::tone::detect_tone;
use media::wav_prompts::{Prompt, PROMPTS};

fn rms(samples: &[i16]) -> f64 {
    let sum: f64 = samples.iter().map(|&s| f64::from(s) * f64::from(s)).sum();
    (sum / samples.len().max(1) as f64).sqrt()
}

#[test]
fn every_prompt_decodes_at_both_rates_with_sound_in_it() {
    let numbers = (0..=20)
        .chain((30..=90).step_by(10))
        .flat_map(Prompt::number);
    for prompt in PROMPTS.iter().copied().chain(numbers) {
        let wide = prompt.load(16_000).unwrap();
        let narrow = prompt.load(8000).unwrap();
        assert!(
            wide.duration_ms() >= 200,
            "{} is {} ms",
            prompt.name(),
            wide.duration_ms()
        );
        assert!(wide.duration_ms() <= 30_000, "{}", prompt.name());
        assert!(narrow.duration_ms().abs_diff(wide.duration_ms()) <= 1);
        // Speech and music sit between about -30 and -10 dBFS RMS.
        let level = rms(wide.samples());
        assert!(
            (1000.0..11_000.0).contains(&level),
            "{}: rms {level}",
            prompt.name()
        );
    }
}

#[test]
fn prompt_names_are_unique_file_names() {
    let mut names: Vec<&str> = PROMPTS.iter().map(|p| p.name()).collect();
    names.extend((0..=99).flat_map(Prompt::number).map(|p| p.name()));
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), PROMPTS.len() + 28);
    assert!(names.iter().all(|n| !n.is_empty() && !n.contains('/')));
}

#[test]
fn music_on_hold_is_thirty_seconds_and_loops_without_a_jump() {
    let music = Prompt::MusicOnHold.load(16_000).unwrap();
    assert_eq!(music.duration_ms(), 30_000);
    let samples = music.samples();
    let (first, last) = (samples[0], samples[samples.len() - 1]);
    // The seam is no bigger a step than the music makes anyway.
    let biggest_step = samples
        .windows(2)
        .map(|w| (i32::from(w[1]) - i32::from(w[0])).abs())
        .max()
        .unwrap();
    assert!((i32::from(first) - i32::from(last)).abs() <= biggest_step);
}

#[test]
fn join_and_leave_tones_are_two_notes_in_opposite_order() {
    let join = Prompt::ConferenceJoin.load(16_000).unwrap();
    let leave = Prompt::ConferenceLeave.load(16_000).unwrap();
    let half = join.samples().len() / 2;
    assert!(detect_tone(&join.samples()[..half], 16_000, 660.0) > 0.5);
    assert!(detect_tone(&join.samples()[half..], 16_000, 990.0) > 0.5);
    assert!(detect_tone(&leave.samples()[..half], 16_000, 990.0) > 0.5);
    assert!(detect_tone(&leave.samples()[half..], 16_000, 660.0) > 0.5);
}

#[test]
fn numbers_are_said_in_words() {
    let names = |n: u32| {
        Prompt::number(n)
            .iter()
            .map(|p| p.name())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(0), ["num-0"]);
    assert_eq!(names(7), ["num-7"]);
    assert_eq!(names(17), ["num-17"]);
    assert_eq!(names(40), ["num-40"]);
    assert_eq!(names(42), ["num-40", "num-2"]);
    assert_eq!(names(99), ["num-90", "num-9"]);
    assert_eq!(names(105), ["num-1", "num-0", "num-5"]);
}

#[test]
fn the_message_count_is_announced_in_a_sentence() {
    let names = |n: u32| {
        Prompt::new_messages(n)
            .iter()
            .map(|p| p.name())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(0), ["vm-no-messages"]);
    assert_eq!(names(1), ["vm-you-have", "num-1", "vm-new-message"]);
    assert_eq!(
        names(23),
        ["vm-you-have", "num-20", "num-3", "vm-new-messages"]
    );
}
