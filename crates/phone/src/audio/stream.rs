//! The call side of a stream: 20 ms mono frames at the call's rate in and out, resampled
//! to and from the device's rate here (on the call's thread, never in the callback).

use std::sync::atomic::Ordering;
use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use media::codec::Resampler;
use rtrb::{Consumer, Producer, RingBuffer};

use super::level::{Level, LevelMeter};
use super::ring::{CaptureFeed, PlaybackFeed, Stats};
use super::AudioError;

mod fir;

/// Every frame exchanged with a call lasts 20 ms, the usual RTP packet time.
pub const FRAME_MS: u32 = 20;

/// How much each ring holds: enough to ride out a call thread that is late by a few
/// frames, small enough that a stalled one does not build up audible delay.
const RING_MS: u32 = 300;

/// Captured frames kept at the call's rate when the call reads late; older ones are
/// dropped (and counted) so the delay stays bounded.
const MAX_PENDING_FRAMES: usize = 10;

/// The rates a call may run at (G.711 8 kHz, G.722 16 kHz, Opus 48 kHz).
pub(crate) fn check_call_rate(rate: u32) -> Result<(), AudioError> {
    match rate {
        8_000 | 16_000 | 48_000 => Ok(()),
        other => Err(AudioError::UnsupportedCallRate(other)),
    }
}

fn samples_to_duration(samples: usize, rate: u32) -> Duration {
    Duration::from_micros(samples as u64 * 1_000_000 / u64::from(rate.max(1)))
}

fn ring_len(device_rate: u32) -> usize {
    (device_rate as usize * RING_MS as usize / 1000).max(1)
}

/// Rates that are not whole multiples of each other (a 44.1 kHz device) go through the
/// FFT resampler on 10 ms chunks: it delays by half its block, so 20 ms chunks cost
/// 10 ms each way and 10 ms chunks 5 ms, while its anti-aliasing filter still passes
/// the voice band (up to 3.3 kHz at 8 kHz, 7.3 kHz at 16 kHz). Shorter chunks would
/// cut into it (5 ms: 2.6 kHz at 8 kHz).
const RESAMPLE_MS: u32 = 10;

/// Rate conversion between the device and the call: the low-delay FIR of `fir.rs` for
/// whole-number ratios (a 48 kHz device and an 8 or 16 kHz call: 1–2.5 ms), the FFT
/// resampler otherwise.
#[derive(Debug)]
enum Converter {
    Fir(fir::Fir),
    Fft(Box<Resampler>),
}

impl Converter {
    fn process(&mut self, pcm: &[i16], out: &mut Vec<i16>) {
        match self {
            Converter::Fir(f) => f.process(pcm, out),
            Converter::Fft(r) => r.process(pcm, out),
        }
    }

    /// Output samples by which the converted signal lags the input.
    fn delay(&self) -> usize {
        match self {
            Converter::Fir(f) => f.delay(),
            Converter::Fft(r) => r.delay(),
        }
    }
}

fn resampler(from: u32, to: u32) -> Result<Converter, AudioError> {
    if let Some(fir) = fir::Fir::new(from, to) {
        return Ok(Converter::Fir(fir));
    }
    Resampler::new(from, to, RESAMPLE_MS)
        .map(|r| Converter::Fft(Box::new(r)))
        .map_err(|e| AudioError::Backend(e.to_string()))
}

/// Keeps a device's stream alive: the thread that owns it runs until this is dropped.
///
/// Streams live on a thread of their own because some audio systems' stream handles may
/// not move between threads; this way [`Capture`] and [`Playback`] can.
#[derive(Debug, Default)]
pub(crate) struct DeviceGuard {
    /// Dropping the sender tells the thread to stop.
    stop: Option<Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl DeviceGuard {
    pub fn new(stop: Sender<()>, thread: JoinHandle<()>) -> Self {
        DeviceGuard {
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for DeviceGuard {
    fn drop(&mut self) {
        self.stop.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A ring for a capture stream at `device_rate`: the callback's end and the call's end.
pub(crate) fn capture_ring(device_rate: u32) -> (CaptureFeed, Consumer<i16>, Arc<Stats>) {
    let (producer, consumer) = RingBuffer::new(ring_len(device_rate));
    let stats = Arc::new(Stats::default());
    let feed = CaptureFeed {
        producer,
        stats: stats.clone(),
    };
    (feed, consumer, stats)
}

/// A ring for a playback stream at `device_rate`: the callback's end and the call's end.
pub(crate) fn playback_ring(device_rate: u32) -> (PlaybackFeed, Producer<i16>, Arc<Stats>) {
    let (producer, consumer) = RingBuffer::new(ring_len(device_rate));
    let stats = Arc::new(Stats::default());
    let feed = PlaybackFeed {
        consumer,
        stats: stats.clone(),
        started: false,
    };
    (feed, producer, stats)
}

/// A microphone as the call sees it: 20 ms frames at the call's rate.
pub struct Capture {
    consumer: Consumer<i16>,
    stats: Arc<Stats>,
    resampler: Converter,
    device_rate: u32,
    call_rate: u32,
    frame_len: usize,
    /// Device-rate samples taken from the ring, reused to avoid allocating per frame.
    scratch: Vec<i16>,
    /// Call-rate samples not yet handed out as a frame.
    pending: Vec<i16>,
    meter: LevelMeter,
    /// Stops the device's stream when the capture is dropped.
    _device: DeviceGuard,
}

impl std::fmt::Debug for Capture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Capture")
            .field("device_rate", &self.device_rate)
            .field("call_rate", &self.call_rate)
            .finish_non_exhaustive()
    }
}

impl Capture {
    pub(crate) fn new(
        consumer: Consumer<i16>,
        stats: Arc<Stats>,
        device_rate: u32,
        call_rate: u32,
        device: DeviceGuard,
    ) -> Result<Self, AudioError> {
        check_call_rate(call_rate)?;
        let frame_len = (call_rate * FRAME_MS / 1000) as usize;
        Ok(Capture {
            consumer,
            stats,
            resampler: resampler(device_rate, call_rate)?,
            device_rate,
            call_rate,
            frame_len,
            scratch: Vec::with_capacity(ring_len(device_rate)),
            pending: Vec::with_capacity(frame_len * (MAX_PENDING_FRAMES + 2)),
            meter: LevelMeter::default(),
            _device: device,
        })
    }

    /// Puts the next 20 ms frame (call rate, mono) in `out` and returns true, or returns
    /// false when the device has not captured a whole frame yet. Never blocks.
    pub fn read_frame(&mut self, out: &mut Vec<i16>) -> bool {
        let available = self.consumer.slots();
        if available > 0 {
            if let Ok(chunk) = self.consumer.read_chunk(available) {
                let (first, second) = chunk.as_slices();
                self.scratch.clear();
                self.scratch.extend_from_slice(first);
                self.scratch.extend_from_slice(second);
                chunk.commit_all();
                self.resampler.process(&self.scratch, &mut self.pending);
            }
        }
        let limit = self.frame_len * MAX_PENDING_FRAMES;
        if self.pending.len() > limit {
            let excess = self.pending.len() - limit;
            self.pending.drain(..excess);
            self.stats
                .overruns
                .fetch_add(excess as u64, Ordering::Relaxed);
        }
        if self.pending.len() < self.frame_len {
            return false;
        }
        out.clear();
        out.extend(self.pending.drain(..self.frame_len));
        self.meter.store(Level::of(out));
        true
    }

    /// Audio captured and not yet handed out as a frame (in the ring and waiting for a
    /// whole frame): how long the newest sample waits, at least, before it is sent.
    pub fn backlog_ms(&self) -> u32 {
        let ring = self.consumer.slots() as u64 * 1000 / u64::from(self.device_rate.max(1));
        let pending = self.pending.len() as u64 * 1000 / u64::from(self.call_rate.max(1));
        u32::try_from(ring + pending).unwrap_or(u32::MAX)
    }

    /// How far the resampler from the device's rate delays what passes through it.
    pub fn resampler_delay(&self) -> Duration {
        samples_to_duration(self.resampler.delay(), self.call_rate)
    }

    /// The level of the last frame read.
    pub fn level(&self) -> Level {
        self.meter.level()
    }

    /// A handle on the level meter that another thread (the UI) can read.
    pub fn meter(&self) -> LevelMeter {
        self.meter.clone()
    }

    /// The device's own rate, which the call's frames are resampled from.
    pub fn device_rate(&self) -> u32 {
        self.device_rate
    }

    pub fn call_rate(&self) -> u32 {
        self.call_rate
    }

    /// Samples dropped because the call read too late.
    pub fn overruns(&self) -> u64 {
        self.stats.overruns.load(Ordering::Relaxed)
    }

    /// Whether the device reported an error (e.g. it was unplugged).
    pub fn device_failed(&self) -> bool {
        self.stats.failed.load(Ordering::Relaxed)
    }
}

/// A speaker as the call sees it: 20 ms frames at the call's rate.
pub struct Playback {
    producer: Producer<i16>,
    stats: Arc<Stats>,
    resampler: Converter,
    device_rate: u32,
    call_rate: u32,
    /// Device-rate samples of the frame being written, reused.
    scratch: Vec<i16>,
    /// Samples the ring had no room for.
    dropped: u64,
    /// Stops the device's stream when the playback is dropped.
    _device: DeviceGuard,
}

impl std::fmt::Debug for Playback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Playback")
            .field("device_rate", &self.device_rate)
            .field("call_rate", &self.call_rate)
            .finish_non_exhaustive()
    }
}

impl Playback {
    pub(crate) fn new(
        producer: Producer<i16>,
        stats: Arc<Stats>,
        device_rate: u32,
        call_rate: u32,
        device: DeviceGuard,
    ) -> Result<Self, AudioError> {
        check_call_rate(call_rate)?;
        Ok(Playback {
            producer,
            stats,
            resampler: resampler(call_rate, device_rate)?,
            device_rate,
            call_rate,
            scratch: Vec::with_capacity(ring_len(device_rate)),
            dropped: 0,
            _device: device,
        })
    }

    /// Queues a frame (call rate, mono; normally 20 ms) to be played. Never blocks: what
    /// does not fit in the ring is dropped and counted.
    pub fn write_frame(&mut self, frame: &[i16]) {
        self.scratch.clear();
        self.resampler.process(frame, &mut self.scratch);
        for &s in &self.scratch {
            if self.producer.push(s).is_err() {
                self.dropped += 1;
            }
        }
    }

    /// Milliseconds of audio queued for the device and not yet played.
    pub fn queued_ms(&self) -> u32 {
        let queued = self.producer.buffer().capacity() - self.producer.slots();
        (queued as u64 * 1000 / u64::from(self.device_rate.max(1))) as u32
    }

    /// The device's period in milliseconds (rounded up): the largest buffer its callback
    /// took so far, or half a frame before the first callback. The call keeps at least
    /// this much queued so the next callback finds a whole buffer.
    pub fn period_ms(&self) -> u32 {
        let frames = self.stats.period.load(Ordering::Relaxed) as u64;
        if frames == 0 {
            return FRAME_MS / 2;
        }
        let rate = u64::from(self.device_rate.max(1));
        u32::try_from((frames * 1000).div_ceil(rate)).unwrap_or(u32::MAX)
    }

    /// How far the resampler to the device's rate delays what passes through it.
    pub fn resampler_delay(&self) -> Duration {
        samples_to_duration(self.resampler.delay(), self.device_rate)
    }

    pub fn device_rate(&self) -> u32 {
        self.device_rate
    }

    pub fn call_rate(&self) -> u32 {
        self.call_rate
    }

    /// Device buffers that ran dry once playing had started and were padded with silence.
    pub fn underruns(&self) -> u64 {
        self.stats.underruns.load(Ordering::Relaxed)
    }

    /// Samples dropped because the ring was full (the call wrote faster than the device
    /// played).
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Whether the device reported an error (e.g. it was unplugged).
    pub fn device_failed(&self) -> bool {
        self.stats.failed.load(Ordering::Relaxed)
    }
}
