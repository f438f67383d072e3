//! The prompt player: 20 ms frames of queued clips, once or looping, with beeps.

use media::player::{Clip, PromptPlayer, FRAME_MS};
use media::tone::{detect_tone, Tone};

fn ramp(rate: u32, len: usize) -> Clip {
    Clip::new(rate, (0..len).map(|i| i as i16 + 1).collect::<Vec<_>>())
}

fn play_all(player: &mut PromptPlayer, frames: usize) -> Vec<i16> {
    let mut out = Vec::new();
    let mut frame = vec![0; player.frame_len()];
    for _ in 0..frames {
        player.next_frame(&mut frame);
        out.extend_from_slice(&frame);
    }
    out
}

#[test]
fn frames_are_twenty_milliseconds() {
    assert_eq!(FRAME_MS, 20);
    assert_eq!(PromptPlayer::new(8000).frame_len(), 160);
    assert_eq!(PromptPlayer::new(16_000).frame_len(), 320);
}

#[test]
fn a_prompt_plays_once_then_silence() {
    let mut player = PromptPlayer::new(8000);
    player.enqueue(ramp(8000, 400));
    let mut frame = vec![0; 160];
    assert_eq!(player.next_frame(&mut frame), 160);
    assert_eq!(frame[0], 1);
    assert_eq!(player.next_frame(&mut frame), 160);
    assert_eq!(player.next_frame(&mut frame), 80);
    assert_eq!(frame[79], 400);
    assert!(frame[80..].iter().all(|&s| s == 0));
    assert!(player.is_finished());
    assert_eq!(player.next_frame(&mut frame), 0);
    assert!(frame.iter().all(|&s| s == 0));
}

#[test]
fn queued_prompts_follow_each_other_without_a_gap() {
    let mut player = PromptPlayer::new(8000);
    player.enqueue(Clip::new(8000, vec![1i16; 100]));
    player.enqueue_silence(10);
    player.enqueue(Clip::new(8000, vec![2i16; 100]));
    let out = play_all(&mut player, 2);
    assert!(out[..100].iter().all(|&s| s == 1));
    assert!(out[100..180].iter().all(|&s| s == 0));
    assert!(out[180..280].iter().all(|&s| s == 2));
    assert!(out[280..].iter().all(|&s| s == 0));
    assert!(player.is_finished());
}

#[test]
fn music_on_hold_loops_seamlessly() {
    let music = ramp(8000, 250);
    let mut player = PromptPlayer::looping(music, 8000);
    let out = play_all(&mut player, 10);
    let expected: Vec<i16> = (0..1600).map(|i| (i % 250) as i16 + 1).collect();
    assert_eq!(out, expected);
    assert!(!player.is_finished());
}

#[test]
fn clearing_stops_a_prompt_at_once() {
    let mut player = PromptPlayer::new(8000);
    player.enqueue(ramp(8000, 8000));
    let mut frame = vec![0; 160];
    player.next_frame(&mut frame);
    player.clear();
    assert!(player.is_finished());
    assert_eq!(player.next_frame(&mut frame), 0);
}

#[test]
fn a_wideband_clip_plays_on_a_narrowband_call_at_the_same_pitch() {
    let clip = Clip::tone(Tone::continuous(800.0), 16_000, 1000);
    let mut player = PromptPlayer::new(8000);
    player.enqueue(clip);
    let mut out = Vec::new();
    let mut frame = vec![0; 160];
    let mut played = 0;
    for _ in 0..60 {
        played += player.next_frame(&mut frame);
        out.extend_from_slice(&frame);
    }
    // One second at 8 kHz, then silence.
    assert_eq!(played, 8000);
    assert!(detect_tone(&out[800..7200], 8000, 800.0) > 0.9);
}

#[test]
fn the_beep_is_a_short_one_kilohertz_tone_without_clicks() {
    let beep = Clip::beep(8000);
    assert_eq!(beep.duration_ms(), 400);
    assert!(detect_tone(beep.samples(), 8000, 1000.0) > 0.9);
    // Faded in and out: the first and last samples are near zero.
    let samples = beep.samples();
    assert!(samples[0].abs() < 100 && samples[samples.len() - 1].abs() < 100);
    let peak = samples.iter().map(|s| s.unsigned_abs()).max().unwrap();
    assert!(peak > 5000);
}

#[test]
fn any_frame_length_is_served() {
    let mut player = PromptPlayer::new(8000);
    player.enqueue(ramp(8000, 10));
    let mut odd = vec![0; 7];
    assert_eq!(player.next_frame(&mut odd), 7);
    assert_eq!(player.next_frame(&mut odd), 3);
    assert_eq!(odd, vec![8, 9, 10, 0, 0, 0, 0]);
    let mut empty: Vec<i16> = Vec::new();
    assert_eq!(player.next_frame(&mut empty), 0);
}

#[test]
fn empty_clips_and_zero_pauses_are_ignored() {
    let mut player = PromptPlayer::looping(Clip::new(8000, Vec::<i16>::new()), 8000);
    player.enqueue_silence(0);
    assert!(player.is_finished());
    let mut frame = vec![1; 160];
    assert_eq!(player.next_frame(&mut frame), 0);
    assert!(frame.iter().all(|&s| s == 0));
}
