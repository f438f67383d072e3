//! The device side of a stream: what the real-time callback does with its buffer.
//!
//! Each stream has one lock-free single-producer/single-consumer ring (rtrb) of mono
//! `i16` samples at the device's rate between the callback and the call. The callback
//! must never block or allocate: it runs on the audio system's thread with a deadline of
//! a few milliseconds, and a lock held by the call thread (or a page fault in the
//! allocator) would make it miss that deadline and click. So the callbacks here only
//! convert samples, push or pop the ring (wait-free, fixed capacity allocated up front)
//! and bump atomic counters; everything else (resampling, framing, metering) happens on
//! the call side.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use cpal::{FromSample, Sample};
use rtrb::{Consumer, Producer};

/// Counters the callbacks bump and the call side reads.
#[derive(Debug, Default)]
pub(crate) struct Stats {
    /// Playback callbacks that found too few samples and played silence for the rest.
    pub underruns: AtomicU64,
    /// Captured samples dropped because the call side did not read them in time.
    pub overruns: AtomicU64,
    /// The device reported an error (e.g. it was unplugged).
    pub failed: AtomicBool,
    /// The largest buffer a playback callback asked for, in frames: the device's
    /// period, which is how much must be queued when its next callback comes.
    pub period: AtomicUsize,
}

/// The capture callback's end: device buffers in, mono samples into the ring.
pub(crate) struct CaptureFeed {
    pub producer: Producer<i16>,
    pub stats: Arc<Stats>,
}

impl CaptureFeed {
    /// Takes one interleaved device buffer of `channels` channels. Real-time safe.
    pub fn push_device<T>(&mut self, data: &[T], channels: usize)
    where
        T: Sample,
        i16: FromSample<T>,
    {
        let channels = channels.max(1);
        let mut dropped = 0u64;
        for frame in data.chunks(channels) {
            // Mix down to mono by averaging the channels.
            let sum: i32 = frame.iter().map(|s| i32::from(s.to_sample::<i16>())).sum();
            let mono = (sum / frame.len().max(1) as i32) as i16;
            if self.producer.push(mono).is_err() {
                dropped += 1;
            }
        }
        if dropped > 0 {
            self.stats.overruns.fetch_add(dropped, Ordering::Relaxed);
        }
    }
}

/// The playback callback's end: mono samples from the ring out to the device buffer.
pub(crate) struct PlaybackFeed {
    pub consumer: Consumer<i16>,
    pub stats: Arc<Stats>,
    /// Whether anything has been played yet: the silence before a call's first frame
    /// arrives is not an underrun.
    pub started: bool,
}

impl PlaybackFeed {
    /// Fills one interleaved device buffer of `channels` channels, with silence where the
    /// ring runs dry. Real-time safe.
    pub fn fill_device<T>(&mut self, out: &mut [T], channels: usize)
    where
        T: Sample + FromSample<i16>,
    {
        let channels = channels.max(1);
        self.stats
            .period
            .fetch_max(out.len() / channels, Ordering::Relaxed);
        let mut short = false;
        for frame in out.chunks_mut(channels) {
            let value = match self.consumer.pop() {
                Ok(s) => {
                    self.started = true;
                    T::from_sample(s)
                }
                Err(_) => {
                    short = true;
                    T::EQUILIBRIUM
                }
            };
            frame.fill(value);
        }
        if short && self.started {
            self.stats.underruns.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stereo_capture_is_mixed_to_mono_and_a_full_ring_counts_what_it_drops() {
        let (producer, mut consumer) = rtrb::RingBuffer::new(3);
        let stats = Arc::new(Stats::default());
        let mut feed = CaptureFeed {
            producer,
            stats: stats.clone(),
        };
        feed.push_device(&[100i16, 300, -200, -400, 0, 10, 7, 7, 8, 8], 2);
        assert_eq!(consumer.pop(), Ok(200));
        assert_eq!(consumer.pop(), Ok(-300));
        assert_eq!(consumer.pop(), Ok(5));
        assert!(consumer.pop().is_err());
        assert_eq!(stats.overruns.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn float_devices_are_converted_to_i16_and_back() {
        let (producer, mut consumer) = rtrb::RingBuffer::new(4);
        let stats = Arc::new(Stats::default());
        let mut feed = CaptureFeed { producer, stats };
        feed.push_device(&[0.5f32, -1.0], 1);
        assert_eq!(consumer.pop(), Ok(16384));
        assert_eq!(consumer.pop(), Ok(-32768));

        let (mut producer, consumer) = rtrb::RingBuffer::new(4);
        let mut feed = PlaybackFeed {
            consumer,
            stats: Arc::new(Stats::default()),
            started: false,
        };
        producer.push(16384i16).unwrap();
        let mut out = [9.0f32; 4];
        feed.fill_device(&mut out, 2);
        assert_eq!(out, [0.5, 0.5, 0.0, 0.0]);
    }

    #[test]
    fn playback_underrun_plays_silence_and_is_counted_once_audio_has_started() {
        let (mut producer, consumer) = rtrb::RingBuffer::new(8);
        let stats = Arc::new(Stats::default());
        let mut feed = PlaybackFeed {
            consumer,
            stats: stats.clone(),
            started: false,
        };
        let mut out = [1i16; 4];
        feed.fill_device(&mut out, 1);
        assert_eq!(out, [0; 4]);
        assert_eq!(
            stats.underruns.load(Ordering::Relaxed),
            0,
            "nothing played yet"
        );

        producer.push(5).unwrap();
        producer.push(6).unwrap();
        feed.fill_device(&mut out, 1);
        assert_eq!(out, [5, 6, 0, 0]);
        assert_eq!(stats.underruns.load(Ordering::Relaxed), 1);
        feed.fill_device(&mut out, 1);
        assert_eq!(stats.underruns.load(Ordering::Relaxed), 2);

        for s in 1..=4 {
            producer.push(s).unwrap();
        }
        feed.fill_device(&mut out, 1);
        assert_eq!(out, [1, 2, 3, 4]);
        assert_eq!(stats.underruns.load(Ordering::Relaxed), 2);
        assert_eq!(
            stats.period.load(Ordering::Relaxed),
            4,
            "frames per callback"
        );
    }
}
