//! "Test my microphone and speakers", and the ringing of incoming calls.
//!
//! A test runs until stopped (or until another starts); the screen polls
//! `phone_audio_test_state` for the microphone's live level. The sound settings the
//! ringing follows are changed by `phone_sound.rs`.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use phone::audio::{AudioBackend, AudioError, DeviceInfo, DeviceTest};
use phone::dsp::{DspSettings, SharedDsp};
use phone::runtime::PhoneEvent;
use serde::{Deserialize, Serialize};
use store::RingOn;
use ts_rs::TS;

use tokio::sync::{broadcast, Notify};

use crate::command::{Command, Ctx};
use crate::events::Event;
use crate::ApiError;

/// What the device test does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AudioTestKind {
    /// The microphone's level only.
    Microphone,
    /// The microphone's level, and the microphone played back on the speaker 0.4 s later.
    Loopback,
    /// A 440 Hz tone on the speaker.
    Speaker,
}

/// The device test now.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct AudioTestState {
    /// `null`: no test running.
    pub running: Option<AudioTestKind>,
    /// The microphone's RMS level in dBFS (-96 is silence); `null` without a microphone
    /// test.
    pub level_dbfs: Option<f32>,
    /// Its peak level in dBFS.
    pub peak_dbfs: Option<f32>,
    /// Why the last test could not start ("no audio device", a device's error).
    pub error: Option<String>,
}

/// The device test and the sound settings in force, held by the phone host.
pub(crate) struct AudioTools {
    test: Mutex<Option<(AudioTestKind, DeviceTest)>>,
    error: Mutex<Option<String>>,
    /// The voice processing switches, read by the calls under way at every frame.
    pub(crate) processing: Arc<SharedDsp>,
    /// Where calls ring.
    pub(crate) ring: Mutex<RingOn>,
    /// Told when where calls ring changed (the ring choice, or the speaker it rings on):
    /// a call ringing then moves its ringing there.
    pub(crate) ring_changed: Notify,
}

impl AudioTools {
    /// The tools with the saved sound settings in force.
    pub(crate) fn new(sound: &store::PhoneSound) -> AudioTools {
        AudioTools {
            test: Mutex::default(),
            error: Mutex::default(),
            processing: SharedDsp::new(DspSettings {
                echo_cancellation: sound.echo_cancellation,
                noise_suppression: sound.noise_suppression,
                auto_gain: sound.auto_gain,
            }),
            ring: Mutex::new(sound.ring.clone()),
            ring_changed: Notify::new(),
        }
    }

    fn state(&self) -> AudioTestState {
        let test = self.test.lock().unwrap_or_else(|p| p.into_inner());
        let level = test.as_ref().and_then(|(_, t)| t.level());
        AudioTestState {
            running: test.as_ref().map(|(kind, _)| *kind),
            level_dbfs: level.map(|l| l.rms_dbfs),
            peak_dbfs: level.map(|l| l.peak_dbfs),
            error: self.error.lock().unwrap_or_else(|p| p.into_inner()).clone(),
        }
    }
}

/// Starts a device test (stopping any other), or stops it with `test: null`.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PhoneAudioTestRequest {
    pub test: Option<AudioTestKind>,
}

impl Command for PhoneAudioTestRequest {
    const NAME: &'static str = "phone_audio_test";
    type Response = AudioTestState;

    async fn run(self, ctx: &Ctx) -> Result<AudioTestState, ApiError> {
        let tools = ctx.phone.audio_tools();
        // Close the running test's devices before opening them again.
        tools.test.lock().unwrap_or_else(|p| p.into_inner()).take();
        let mut error = None;
        if let Some(kind) = self.test {
            let started = match ctx.phone.audio_error() {
                Some(e) => Err(e),
                None => {
                    let backend = ctx.phone.chosen_devices();
                    let opened = match kind {
                        AudioTestKind::Microphone => DeviceTest::microphone(&*backend, false),
                        AudioTestKind::Loopback => DeviceTest::microphone(&*backend, true),
                        AudioTestKind::Speaker => DeviceTest::speaker(&*backend),
                    };
                    opened.map_err(|e| e.to_string())
                }
            };
            match started {
                Ok(test) => {
                    *tools.test.lock().unwrap_or_else(|p| p.into_inner()) = Some((kind, test));
                }
                Err(e) => error = Some(e),
            }
        }
        *tools.error.lock().unwrap_or_else(|p| p.into_inner()) = error;
        Ok(tools.state())
    }
}

/// The device test's state and the microphone's live level.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PhoneAudioTestStateRequest {}

impl Command for PhoneAudioTestStateRequest {
    const NAME: &'static str = "phone_audio_test_state";
    type Response = AudioTestState;

    async fn run(self, ctx: &Ctx) -> Result<AudioTestState, ApiError> {
        Ok(ctx.phone.audio_tools().state())
    }
}

/// Rings while a call comes in and nothing has answered, declined or cancelled it yet;
/// runs until the phone stops. A change of where calls ring, made while one rings, moves
/// the ringing there at once.
pub(crate) async fn ring(
    mut events: broadcast::Receiver<PhoneEvent>,
    tools: Arc<AudioTools>,
    backend: Arc<dyn AudioBackend>,
) {
    let mut ringing: BTreeSet<u64> = BTreeSet::new();
    let mut ringer: Option<DeviceTest> = None;
    loop {
        let event = tokio::select! {
            e = events.recv() => e,
            () = tools.ring_changed.notified() => {
                // Closed before the new one opens: one ringing device at a time.
                ringer = None;
                if !ringing.is_empty() {
                    ringer = start_ringing(&tools, &*backend);
                }
                continue;
            }
        };
        let event = match event {
            Ok(e) => e,
            Err(broadcast::error::RecvError::Lagged(_)) => continue,
            Err(broadcast::error::RecvError::Closed) => return,
        };
        match event {
            PhoneEvent::Incoming { call, .. } => {
                ringing.insert(call.id());
            }
            PhoneEvent::Answered { call }
            | PhoneEvent::Ended { call, .. }
            | PhoneEvent::Failed { call, .. } => {
                ringing.remove(&call.id());
            }
            _ => continue,
        }
        if ringing.is_empty() {
            ringer = None;
        } else if ringer.is_none() {
            ringer = start_ringing(&tools, &*backend);
        }
    }
}

/// Rings where the settings say (nowhere: `None`).
fn start_ringing(tools: &AudioTools, backend: &dyn AudioBackend) -> Option<DeviceTest> {
    let device = match &*tools.ring.lock().unwrap_or_else(|p| p.into_inner()) {
        RingOn::Silent => return None,
        RingOn::Speaker => None,
        RingOn::Device(name) => Some(name.clone()),
    };
    // A chosen device that is gone (unplugged) rings the speaker instead.
    DeviceTest::ringer(backend, device.as_deref())
        .or_else(|_| DeviceTest::ringer(backend, None))
        .map_err(|err| tracing::warn!(%err, "cannot ring"))
        .ok()
}

/// How often the device lists are compared for a headset plugged in or pulled out.
const DEVICE_POLL: Duration = Duration::from_secs(3);

/// Tells the screens (`phone_changed`) when the sound system's devices change, so a
/// headset plugged in is offered without reloading. Enumerating devices may block, so it
/// runs on the blocking pool.
pub(crate) async fn watch_devices(
    backend: Arc<dyn AudioBackend>,
    events: broadcast::Sender<Event>,
) {
    let mut last: Option<(Vec<String>, Vec<String>)> = None;
    loop {
        let b = Arc::clone(&backend);
        let names = tokio::task::spawn_blocking(move || {
            let names = |l: Result<Vec<DeviceInfo>, AudioError>| {
                l.map(|l| l.into_iter().map(|d| d.name).collect::<Vec<_>>())
                    .unwrap_or_default()
            };
            (names(b.input_devices()), names(b.output_devices()))
        })
        .await;
        if let Ok(now) = names {
            if last.as_ref().is_some_and(|l| *l != now) {
                let _ = events.send(Event::PhoneChanged {});
            }
            last = Some(now);
        }
        tokio::time::sleep(DEVICE_POLL).await;
    }
}
