//! A simulated network between two call media ends, in virtual time: seeded loss,
//! delay, jitter (which reorders packets) and an optional delay spike.

#![allow(dead_code)]

use std::time::{Duration, Instant};

use phone::call_media::{CallMedia, CodecSpec};

pub const TICK: Duration = Duration::from_millis(20);

/// xorshift64*: a small seeded generator, so every run sees the same network.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Extra delay for packets sent between `from` and `to` (offsets from the start).
#[derive(Debug, Clone, Copy)]
pub struct Spike {
    pub from: Duration,
    pub to: Duration,
    pub extra: Duration,
}

pub struct Network {
    rng: Rng,
    start: Instant,
    pub loss: f64,
    pub delay: Duration,
    /// Each packet gets a uniform extra delay in [0, jitter).
    pub jitter: Duration,
    pub spike: Option<Spike>,
    /// Every this many packets, one is held back this much longer than the others.
    pub straggler: Option<(u64, Duration)>,
    in_flight: Vec<(Instant, u64, Vec<u8>)>,
    sent: u64,
    pub dropped: u64,
    pub reordered: u64,
    last_delivered: Option<u64>,
}

impl Network {
    pub fn new(seed: u64, start: Instant, loss: f64, delay_ms: u64, jitter_ms: u64) -> Self {
        Network {
            rng: Rng::new(seed),
            start,
            loss,
            delay: Duration::from_millis(delay_ms),
            jitter: Duration::from_millis(jitter_ms),
            spike: None,
            straggler: None,
            in_flight: Vec::new(),
            sent: 0,
            dropped: 0,
            reordered: 0,
            last_delivered: None,
        }
    }

    pub fn send(&mut self, now: Instant, packet: Vec<u8>) {
        self.sent += 1;
        if self.rng.unit() < self.loss {
            self.dropped += 1;
            return;
        }
        let mut delay = self.delay + self.jitter.mul_f64(self.rng.unit());
        if let Some((every, extra)) = self.straggler {
            if self.sent.is_multiple_of(every.max(1)) {
                delay += extra;
            }
        }
        if let Some(spike) = self.spike {
            let at = now - self.start;
            if at >= spike.from && at < spike.to {
                delay += spike.extra;
            }
        }
        self.in_flight.push((now + delay, self.sent, packet));
    }

    /// Packets arrived by `now`, in arrival order, with their arrival times.
    pub fn deliver(&mut self, now: Instant) -> Vec<(Instant, Vec<u8>)> {
        self.in_flight.sort_by_key(|(at, order, _)| (*at, *order));
        let split = self.in_flight.partition_point(|(at, _, _)| *at <= now);
        let out: Vec<_> = self.in_flight.drain(..split).collect();
        for (_, order, _) in &out {
            if self.last_delivered.is_some_and(|last| *order < last) {
                self.reordered += 1;
            }
            self.last_delivered = Some(self.last_delivered.map_or(*order, |l| l.max(*order)));
        }
        out.into_iter().map(|(at, _, p)| (at, p)).collect()
    }
}

pub fn spec(encoding: &str, payload_type: u8, clock_rate: u32, seed: u64) -> CodecSpec {
    CodecSpec {
        encoding: encoding.to_string(),
        payload_type,
        clock_rate,
        telephone_event: Some(101),
        ssrc_seed: seed,
    }
}

/// A sine frame generator at the media's rate.
pub struct Sine {
    frequency: f64,
    rate: f64,
    phase: f64,
}

impl Sine {
    pub fn new(frequency: f64, rate: u32) -> Self {
        Sine {
            frequency,
            rate: f64::from(rate),
            phase: 0.0,
        }
    }
    pub fn frame(&mut self, samples: usize) -> Vec<i16> {
        (0..samples)
            .map(|_| {
                let s = (self.phase * std::f64::consts::TAU).sin() * 8000.0;
                self.phase = (self.phase + self.frequency / self.rate).fract();
                s as i16
            })
            .collect()
    }
}

/// What one tick of the far end's playout looked like.
pub struct Tick {
    pub pcm: Vec<i16>,
    /// The frame was concealed rather than played from a packet.
    pub concealed: bool,
    pub target_delay: Duration,
}

/// Runs `ticks` frames of `sine` from `a` to `b` over `net`; returns `b`'s playout.
pub fn run_one_way(
    a: &mut CallMedia,
    b: &mut CallMedia,
    net: &mut Network,
    start: Instant,
    ticks: u32,
    sine: &mut Sine,
) -> Vec<Tick> {
    run_one_way_late(a, b, net, start, ticks, sine, &mut |_| Duration::ZERO)
}

/// As [`run_one_way`], with `b`'s tick `i` served `late(i)` after its due time, as a
/// loaded machine's timer does (the device's clock, and so the number of ticks, stays
/// exact: a late tick is made up, not skipped).
pub fn run_one_way_late(
    a: &mut CallMedia,
    b: &mut CallMedia,
    net: &mut Network,
    start: Instant,
    ticks: u32,
    sine: &mut Sine,
    late: &mut dyn FnMut(u32) -> Duration,
) -> Vec<Tick> {
    let mut out = Vec::with_capacity(ticks as usize);
    for i in 0..ticks {
        let now = start + TICK * i;
        let frame = sine.frame(a.frame_samples());
        for packet in a.send_frame(now, &frame) {
            net.send(now, packet);
        }
        let served = now + late(i);
        for (at, packet) in net.deliver(served) {
            b.receive_rtp(at, &packet);
        }
        let before = b.stats().concealed_frames;
        let pcm = b.next_frame(served).to_vec();
        let stats = b.stats();
        out.push(Tick {
            pcm,
            concealed: stats.concealed_frames > before,
            target_delay: stats.target_delay,
        });
    }
    out
}

/// The playout of ticks `from..` as one block of samples.
pub fn joined(ticks: &[Tick], from: usize) -> Vec<i16> {
    ticks
        .iter()
        .skip(from)
        .flat_map(|t| t.pcm.iter().copied())
        .collect()
}
