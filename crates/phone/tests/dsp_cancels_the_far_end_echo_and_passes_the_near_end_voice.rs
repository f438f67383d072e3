//! The far end's voice, played and picked up again by the microphone 60 ms later and
//! 10 dB quieter, is removed from what is sent once the canceller has converged; the
//! near end's own voice still goes through.

mod dsp_signals;

use dsp_signals::{energy_db, frame_len, mix, EchoPath, Noise, Voice};
use phone::dsp::{DspSettings, VoiceProcessor};

const RATE: u32 = 16_000;
/// Frames per second.
const FPS: usize = 50;

fn echo_only() -> DspSettings {
    DspSettings {
        echo_cancellation: true,
        ..DspSettings::OFF
    }
}

#[test]
fn echo_is_attenuated_after_convergence_and_the_near_voice_passes() {
    let len = frame_len(RATE);
    let mut dsp = VoiceProcessor::new(RATE, echo_only()).expect("processor");
    let mut far = Voice::new(RATE, 180.0, 0.4);
    let mut near = Voice::new(RATE, 260.0, 0.2);
    let mut room = EchoPath::new(RATE, 60, 10.0);
    let mut hiss = Noise::new(7, 0.0005);

    // Far end talks alone for 8 s; the last 2 s are measured.
    let (mut echo_in, mut echo_out) = (Vec::new(), Vec::new());
    for i in 0..8 * FPS {
        let played = far.frame(len);
        dsp.render(&played);
        let mut mic = mix(&room.play(&played), &hiss.frame(len));
        let before = mic.clone();
        dsp.capture(&mut mic);
        if i >= 6 * FPS {
            echo_in.extend(before);
            echo_out.extend(mic);
        }
    }
    let erle = energy_db(&echo_in) - energy_db(&echo_out);
    assert!(erle >= 20.0, "echo attenuated by {erle:.1} dB only");

    // Then the far end is silent and the near end talks: its voice is not cancelled.
    let (mut voice_in, mut voice_out) = (Vec::new(), Vec::new());
    for i in 0..2 * FPS {
        let played = vec![0i16; len];
        dsp.render(&played);
        let mut mic = mix(
            &mix(&room.play(&played), &hiss.frame(len)),
            &near.frame(len),
        );
        let before = mic.clone();
        dsp.capture(&mut mic);
        if i >= FPS {
            voice_in.extend(before);
            voice_out.extend(mic);
        }
    }
    let loss = energy_db(&voice_in) - energy_db(&voice_out);
    assert!(loss <= 6.0, "near-end voice lost {loss:.1} dB");
    assert_eq!(dsp.errors(), 0);
}
