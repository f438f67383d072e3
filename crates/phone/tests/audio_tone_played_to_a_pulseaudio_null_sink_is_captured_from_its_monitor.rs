//! The real device path: a tone played through cpal's ALSA host into PulseAudio's null
//! sink comes back through the sink's monitor source as captured audio.
//!
//! The test runs its own PulseAudio (as whatever user runs the tests, root included)
//! with a private socket, and points the ALSA `pulse` device at it through the
//! environment. This file holds one test so nothing else in its process races the
//! environment it sets.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use media::tone::{detect_tone, Tone, ToneGenerator};
use phone::audio::{AudioBackend, CpalBackend};

const SINK: &str = "switchboard_test";
const TONE_HZ: f64 = 1_000.0;
const CALL_RATE: u32 = 16_000;

/// The PulseAudio daemon, stopped when dropped.
struct PulseAudio {
    child: Child,
}

impl Drop for PulseAudio {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_pulseaudio(dir: &Path) -> PulseAudio {
    let socket: PathBuf = dir.join("native");
    let child = Command::new("pulseaudio")
        .args([
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--system=false",
            "--disallow-exit",
            "--use-pid-file=false",
            "-n",
            &format!("--load=module-null-sink sink_name={SINK} rate=48000 channels=2"),
            &format!(
                "--load=module-native-protocol-unix auth-anonymous=1 socket={}",
                socket.display()
            ),
        ])
        // Its state, cookie and runtime files stay in the test's own directory, so a
        // daemon of the user's (or another test run's) is never touched.
        .env("HOME", dir)
        .env("XDG_RUNTIME_DIR", dir)
        .env("PULSE_RUNTIME_PATH", dir)
        .env("PULSE_STATE_PATH", dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("pulseaudio is installed (scripts/deps --test)");
    let daemon = PulseAudio { child };
    let deadline = Instant::now() + Duration::from_secs(20);
    while !socket.exists() {
        assert!(
            Instant::now() < deadline,
            "pulseaudio did not open its socket"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // The ALSA `pulse` device (libasound2-plugins) reaches this daemon, plays to its null
    // sink and records that sink's monitor.
    std::env::set_var("PULSE_SERVER", format!("unix:{}", socket.display()));
    std::env::set_var("PULSE_SINK", SINK);
    std::env::set_var("PULSE_SOURCE", format!("{SINK}.monitor"));
    daemon
}

#[test]
fn a_tone_played_to_the_null_sink_is_detected_in_its_monitor() {
    let dir = tempfile::tempdir().expect("tempdir");
    let _daemon = start_pulseaudio(dir.path());

    let backend = CpalBackend::new();
    let outputs = backend.output_devices().expect("output devices");
    assert!(
        outputs.iter().any(|d| d.name == "pulse"),
        "the ALSA pulse device is offered: {outputs:?}"
    );
    let inputs = backend.input_devices().expect("input devices");
    assert!(inputs.iter().any(|d| d.name == "pulse"), "{inputs:?}");

    let mut playback = backend
        .open_playback(Some("pulse"), CALL_RATE)
        .expect("playback on pulse");
    let mut capture = backend
        .open_capture(Some("pulse"), CALL_RATE)
        .expect("capture on pulse");
    let meter = capture.meter();

    let mut tone = ToneGenerator::new(Tone::continuous(TONE_HZ), CALL_RATE);
    let mut out = vec![0i16; (CALL_RATE / 50) as usize];
    let mut frame = Vec::new();
    let mut heard_in_a_row = 0;
    let mut best_level = f32::MIN;
    let deadline = Instant::now() + Duration::from_secs(15);
    while heard_in_a_row < 10 {
        assert!(
            Instant::now() < deadline,
            "the tone was not heard in the monitor (loudest frame {best_level} dBFS, \
             playback failed: {}, capture failed: {})",
            playback.device_failed(),
            capture.device_failed()
        );
        // Keep the device's queue short, as a call does.
        while playback.queued_ms() < 80 {
            tone.fill(&mut out);
            playback.write_frame(&out);
        }
        if capture.read_frame(&mut frame) {
            best_level = best_level.max(meter.level().peak_dbfs);
            if detect_tone(&frame, CALL_RATE, TONE_HZ) > 0.8 {
                heard_in_a_row += 1;
            } else {
                heard_in_a_row = 0;
            }
        } else {
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    // The tone's peak is 0.2 of full scale (about -14 dBFS); the null sink passes it
    // through unchanged at full volume.
    let level = meter.level();
    assert!(
        level.peak_dbfs > -20.0 && level.peak_dbfs < -8.0,
        "{level:?}"
    );
    assert!(!playback.device_failed() && !capture.device_failed());
}
