//! Do-not-disturb and call forwarding between the store and the PBX: loaded at start and
//! whenever the database changed (the admin pages), and saved when a phone changed them by
//! feature code. Also the confirmation tone those codes are answered with.

use std::time::Duration;

use media::player::Clip;
use media::tone::Tone;

use crate::relay::Music;

/// The confirmation tone's pitch: high and short, unlike ringing or busy tones.
pub const CONFIRMATION_HZ: f64 = 1400.0;
/// The rate the tone is made at (music keeps its own rates from it).
const RATE: u32 = 16_000;

/// Gives the PBX every extension's settings from the store.
pub(crate) fn sync_forwarding(pbx: &mut pbx::Pbx, store: &store::Store) {
    match store.all_call_forwarding() {
        Ok(all) => pbx.set_forwarding(all.into_iter().map(|f| (f.number.clone(), to_pbx(&f)))),
        Err(e) => tracing::warn!(error = %e, "could not read call forwarding"),
    }
}

/// Saves what a phone changed by feature code (the PBX applied it already).
pub(crate) fn save_forwarding(store: &store::Store, number: &str, settings: &pbx::Forwarding) {
    let seconds = u32::try_from(settings.no_answer_after.as_secs()).unwrap_or(u32::MAX);
    let row = store::CallForwarding {
        number: number.to_owned(),
        dnd: settings.dnd,
        always: settings.always.clone(),
        busy: settings.busy.clone(),
        no_answer: settings.no_answer.clone(),
        no_answer_seconds: seconds
            .clamp(store::NO_ANSWER_MIN_SECONDS, store::NO_ANSWER_MAX_SECONDS),
    };
    if let Err(e) = store.set_call_forwarding(&row) {
        tracing::warn!(error = %e, "call forwarding set by phone not saved");
    }
}

fn to_pbx(row: &store::CallForwarding) -> pbx::Forwarding {
    pbx::Forwarding {
        dnd: row.dnd,
        always: row.always.clone(),
        busy: row.busy.clone(),
        no_answer: row.no_answer.clone(),
        no_answer_after: Duration::from_secs(u64::from(row.no_answer_seconds)),
    }
}

/// Three short high beeps, then quiet until the PBX hangs up.
pub(crate) fn confirmation_tone() -> Music {
    let beep = || {
        let mut tone = Tone::continuous(CONFIRMATION_HZ);
        tone.amplitude = 0.3;
        Clip::tone(tone, RATE, 150)
    };
    let gap = vec![0i16; RATE as usize / 10];
    let mut samples: Vec<i16> = Vec::new();
    for _ in 0..3 {
        samples.extend_from_slice(beep().samples());
        samples.extend_from_slice(&gap);
    }
    samples.extend(std::iter::repeat_n(0i16, RATE as usize));
    Music::from_pcm(RATE, &samples).unwrap_or_else(|_| Music::chime())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_read_from_the_store_keep_their_ring_time() {
        let mut row = store::CallForwarding::off("201");
        row.no_answer = Some("202".to_owned());
        row.no_answer_seconds = 12;
        let settings = to_pbx(&row);
        assert_eq!(settings.no_answer.as_deref(), Some("202"));
        assert_eq!(settings.no_answer_after, Duration::from_secs(12));
    }

    #[test]
    fn the_confirmation_tone_is_heard_at_its_pitch() {
        let clip = confirmation_tone().clip_at(8000);
        let beep = clip.samples().get(160..960).expect("a beep at the start");
        assert!(media::tone::detect_tone(beep, 8000, CONFIRMATION_HZ) > 0.8);
        assert!(media::tone::detect_tone(beep, 8000, 425.0) < 0.05);
    }
}
