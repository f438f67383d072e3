//! A device made of files: a WAV file, a tone or silence as the microphone, and a WAV
//! file (or nothing) as the speaker. Tests and headless machines run calls on it.
//!
//! It behaves like a sound card: a thread of its own ticks every 10 ms by the clock and
//! runs the same callbacks as a real device, at its own rate, through the same rings.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::{Duration, Instant};

use media::codec::Resampler;
use media::tone::{Tone, ToneGenerator};
use media::wav::{Channels, WavStreamWriter};

use super::ring::{CaptureFeed, PlaybackFeed};
use super::stream::{capture_ring, check_call_rate, playback_ring, DeviceGuard};
use super::{AudioBackend, AudioError, Capture, DeviceInfo, Playback};
use crate::dsp::{DspSettings, VoiceSwitches};

/// The device's clock tick, like a sound card's period.
const TICK: Duration = Duration::from_millis(10);

const INPUT_NAME: &str = "file input";
const OUTPUT_NAME: &str = "file output";

/// What the file device's microphone hears.
#[derive(Debug, Clone, PartialEq)]
pub enum FileSource {
    /// Digital silence.
    Silence,
    /// A continuous sine at this frequency (Hz), at the level of the PBX's tones.
    Tone(f64),
    /// A 16-bit PCM WAV file (any rate, channels mixed down), played in a loop.
    Wav(PathBuf),
}

/// Audio devices backed by files; see the module documentation.
#[derive(Debug, Clone)]
pub struct FileBackend {
    source: FileSource,
    /// Where what is played is written, as a mono WAV at the device rate.
    sink: Option<PathBuf>,
    device_rate: u32,
    /// Bumped by [`FileBackend::unplug`]: a stream opened under an older count fails.
    plugs: Arc<AtomicU64>,
}

impl FileBackend {
    /// A device running at `device_rate` whose microphone hears `source` and whose
    /// speaker writes to `sink` (or nowhere).
    pub fn new(source: FileSource, sink: Option<PathBuf>, device_rate: u32) -> Self {
        FileBackend {
            source,
            sink,
            device_rate: device_rate.max(1),
            plugs: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Makes every stream opened so far fail the way an unplugged headset does (the
    /// device reports an error and stops); streams opened afterwards work. Clones share
    /// this, so a test keeps one to pull the plug on the one a call uses.
    pub fn unplug(&self) {
        self.plugs.fetch_add(1, Ordering::Relaxed);
    }

    /// A check for the device's thread: has it been unplugged since `opened`?
    fn plugged(&self) -> impl Fn() -> bool + Send + 'static {
        let plugs = Arc::clone(&self.plugs);
        let opened = plugs.load(Ordering::Relaxed);
        move || plugs.load(Ordering::Relaxed) == opened
    }

    /// A silent microphone and a speaker that plays nowhere, at 48 kHz: what a machine
    /// without a sound card runs calls on.
    pub fn null() -> Self {
        FileBackend::new(FileSource::Silence, None, 48_000)
    }

    fn check_name(device: Option<&str>, name: &str) -> Result<(), AudioError> {
        match device {
            Some(asked) if asked != name => Err(AudioError::DeviceNotFound(asked.to_string())),
            _ => Ok(()),
        }
    }
}

impl AudioBackend for FileBackend {
    fn input_devices(&self) -> Result<Vec<DeviceInfo>, AudioError> {
        Ok(vec![DeviceInfo {
            name: INPUT_NAME.to_string(),
            is_default: true,
        }])
    }

    fn output_devices(&self) -> Result<Vec<DeviceInfo>, AudioError> {
        Ok(vec![DeviceInfo {
            name: OUTPUT_NAME.to_string(),
            is_default: true,
        }])
    }

    /// None: a file or a tone has no room to echo in and no background noise, and a
    /// test tone must reach the far end as it is (a noise suppressor would take a steady
    /// tone for noise).
    fn voice_processing(&self) -> VoiceSwitches {
        DspSettings::OFF.into()
    }

    fn open_capture(&self, device: Option<&str>, call_rate: u32) -> Result<Capture, AudioError> {
        FileBackend::check_name(device, INPUT_NAME)?;
        check_call_rate(call_rate)?;
        let rate = self.device_rate;
        let mut source = SourceReader::new(&self.source, rate)?;
        let (mut feed, consumer, stats) = capture_ring(rate);
        let failed = stats.clone();
        let plugged = self.plugged();
        let per_tick = samples_per_tick(rate);
        let guard = spawn_ticker("file-capture", move || {
            let mut buffer = vec![0i16; per_tick];
            move |stop: bool| {
                if !plugged() {
                    failed.failed.store(true, Ordering::Relaxed);
                } else if !stop {
                    source.fill(&mut buffer);
                    CaptureFeed::push_device(&mut feed, &buffer, 1);
                }
            }
        })?;
        Capture::new(consumer, stats, rate, call_rate, guard)
    }

    fn open_playback(&self, device: Option<&str>, call_rate: u32) -> Result<Playback, AudioError> {
        FileBackend::check_name(device, OUTPUT_NAME)?;
        check_call_rate(call_rate)?;
        let rate = self.device_rate;
        let mut writer = match &self.sink {
            Some(path) => Some(create_wav(path, rate)?),
            None => None,
        };
        let (mut feed, producer, stats) = playback_ring(rate);
        let failed = stats.clone();
        let plugged = self.plugged();
        let per_tick = samples_per_tick(rate);
        let guard = spawn_ticker("file-playback", move || {
            let mut buffer = vec![0i16; per_tick];
            move |stop: bool| {
                if !stop && !plugged() {
                    failed.failed.store(true, Ordering::Relaxed);
                    return;
                }
                if stop {
                    if let Some(w) = writer.take() {
                        if w.finalize().is_err() {
                            failed.failed.store(true, Ordering::Relaxed);
                        }
                    }
                    return;
                }
                PlaybackFeed::fill_device(&mut feed, &mut buffer, 1);
                if let Some(w) = writer.as_mut() {
                    if w.write(&buffer).is_err() {
                        failed.failed.store(true, Ordering::Relaxed);
                        writer = None;
                    }
                }
            }
        })?;
        Playback::new(producer, stats, rate, call_rate, guard)
    }
}

fn samples_per_tick(rate: u32) -> usize {
    (rate as usize * TICK.as_millis() as usize / 1000).max(1)
}

fn create_wav(path: &Path, rate: u32) -> Result<WavStreamWriter<BufWriter<File>>, AudioError> {
    let file =
        File::create(path).map_err(|e| AudioError::File(format!("{}: {e}", path.display())))?;
    WavStreamWriter::new(BufWriter::new(file), rate, Channels::Mono)
        .map_err(|e| AudioError::File(e.to_string()))
}

/// Runs the tick closure made by `make` on a thread every [`TICK`], on deadlines taken
/// from the start so the device's clock does not drift; it is called once more with
/// `true` when the guard is dropped.
fn spawn_ticker<M, F>(name: &str, make: M) -> Result<DeviceGuard, AudioError>
where
    M: FnOnce() -> F + Send + 'static,
    F: FnMut(bool),
{
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    let thread = std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            let mut tick = make();
            let start = Instant::now();
            let mut ticks: u32 = 0;
            loop {
                tick(false);
                ticks = ticks.wrapping_add(1);
                let deadline = start + TICK * ticks;
                let wait = deadline.saturating_duration_since(Instant::now());
                match stop_rx.recv_timeout(wait) {
                    Err(RecvTimeoutError::Timeout) => {}
                    Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
                }
            }
            tick(true);
        })
        .map_err(|e| AudioError::Backend(e.to_string()))?;
    Ok(DeviceGuard::new(stop_tx, thread))
}

/// The microphone's samples at the device rate.
enum SourceReader {
    Silence,
    Tone(ToneGenerator),
    /// A whole file at the device rate, looped.
    Samples {
        samples: Vec<i16>,
        position: usize,
    },
}

impl SourceReader {
    fn new(source: &FileSource, rate: u32) -> Result<Self, AudioError> {
        Ok(match source {
            FileSource::Silence => SourceReader::Silence,
            FileSource::Tone(frequency) => {
                SourceReader::Tone(ToneGenerator::new(Tone::continuous(*frequency), rate))
            }
            FileSource::Wav(path) => {
                let samples = read_wav(path, rate)?;
                if samples.is_empty() {
                    return Err(AudioError::File(format!("{}: no audio", path.display())));
                }
                SourceReader::Samples {
                    samples,
                    position: 0,
                }
            }
        })
    }

    fn fill(&mut self, out: &mut [i16]) {
        match self {
            SourceReader::Silence => out.fill(0),
            SourceReader::Tone(generator) => generator.fill(out),
            SourceReader::Samples { samples, position } => {
                for s in out {
                    *s = samples.get(*position).copied().unwrap_or(0);
                    *position = (*position + 1) % samples.len().max(1);
                }
            }
        }
    }
}

/// Reads a 16-bit PCM WAV file, mixed to mono and resampled to `rate`.
fn read_wav(path: &Path, rate: u32) -> Result<Vec<i16>, AudioError> {
    let bad = |e: &dyn std::fmt::Display| AudioError::File(format!("{}: {e}", path.display()));
    let mut reader = hound::WavReader::open(path).map_err(|e| bad(&e))?;
    let spec = reader.spec();
    if spec.sample_format != hound::SampleFormat::Int || spec.bits_per_sample != 16 {
        return Err(bad(&"not 16-bit PCM"));
    }
    let channels = usize::from(spec.channels.max(1));
    let interleaved: Vec<i16> = reader
        .samples::<i16>()
        .collect::<Result<_, _>>()
        .map_err(|e| bad(&e))?;
    let mono: Vec<i16> = interleaved
        .chunks(channels)
        .map(|f| (f.iter().map(|&s| i32::from(s)).sum::<i32>() / f.len().max(1) as i32) as i16)
        .collect();
    let mut resampler =
        Resampler::new(spec.sample_rate, rate, super::FRAME_MS).map_err(|e| bad(&e))?;
    let mut out = Vec::with_capacity(mono.len() * rate as usize / spec.sample_rate.max(1) as usize);
    resampler.process(&mono, &mut out);
    // Flush the resampler's last partial chunk and its delay with silence.
    let tail = vec![0i16; resampler.input_chunk() * 2];
    resampler.process(&tail, &mut out);
    Ok(out)
}
