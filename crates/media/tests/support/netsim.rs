//! A seeded, sans-IO network for jitter buffer tests: a sender emits one RTP packet per
//! 20 ms; each packet is lost, delayed (base delay plus jitter, occasional spikes) or
//! duplicated as the profile says; a receiver pops one frame per 20 ms. Events are
//! replayed in time order on a virtual clock.

#![allow(dead_code)]

use std::time::{Duration, Instant};

use media::jitter::{JitterBuffer, Playout};
use media::rtp::RtpPacket;

pub const FRAME: Duration = Duration::from_millis(20);
pub const FRAME_TS: u32 = 160;

/// splitmix64: small, seedable, good enough to shake a network.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// How the network treats packets.
#[derive(Debug, Clone, Copy)]
pub struct Profile {
    pub base_delay: Duration,
    /// Extra delay, uniform between zero and this.
    pub jitter: Duration,
    pub loss: f64,
    pub duplicate: f64,
    /// Probability of a spike adding `spike` on top of the jitter.
    pub spike_chance: f64,
    pub spike: Duration,
    /// How much faster the sender's clock runs than the receiver's, in parts per
    /// million (negative: slower).
    pub skew_ppm: i32,
}

impl Profile {
    pub fn lan() -> Self {
        Profile {
            base_delay: Duration::from_millis(2),
            jitter: Duration::from_millis(3),
            loss: 0.0,
            duplicate: 0.0,
            spike_chance: 0.0,
            spike: Duration::ZERO,
            skew_ppm: 0,
        }
    }
}

/// The sender's numbering, so tests can start near a wrap-around.
#[derive(Debug, Clone, Copy)]
pub struct Sender {
    pub ssrc: u32,
    pub first_seq: u16,
    pub first_ts: u32,
}

/// What the receiver did at one tick.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Out {
    Waiting,
    /// The frame played: the sender's packet index (from the payload) and how long
    /// after it was sent it played.
    Played {
        index: u32,
        delay_ms: u64,
    },
    Lost,
    Silence,
}

/// Everything that happened in a run.
pub struct Run {
    pub outs: Vec<Out>,
    /// Indices of packets the network dropped.
    pub dropped: Vec<u32>,
}

impl Run {
    pub fn played(&self) -> Vec<u32> {
        self.outs
            .iter()
            .filter_map(|o| match o {
                Out::Played { index, .. } => Some(*index),
                _ => None,
            })
            .collect()
    }

    pub fn delays(&self) -> Vec<u64> {
        self.outs
            .iter()
            .filter_map(|o| match o {
                Out::Played { delay_ms, .. } => Some(*delay_ms),
                _ => None,
            })
            .collect()
    }

    /// Mean playout delay over the second half of the run, once adapted.
    pub fn settled_delay_ms(&self) -> f64 {
        let d = self.delays();
        let tail = &d[d.len() / 2..];
        tail.iter().sum::<u64>() as f64 / tail.len().max(1) as f64
    }
}

/// Sends `packets` packets through `profile` into `buffer`, popping every 20 ms (plus
/// `pop_phase`), and keeps popping a second after the last packet was sent.
pub fn run(
    buffer: &mut JitterBuffer,
    sender: Sender,
    profile: Profile,
    packets: u32,
    seed: u64,
    pop_phase: Duration,
) -> Run {
    run_phases(buffer, sender, |_| profile, packets, seed, pop_phase)
}

/// Like [`run`], with the network profile chosen per packet index.
pub fn run_phases(
    buffer: &mut JitterBuffer,
    sender: Sender,
    profile_of: impl Fn(u32) -> Profile,
    packets: u32,
    seed: u64,
    pop_phase: Duration,
) -> Run {
    let start = Instant::now();
    let mut rng = Rng::new(seed);
    let mut arrivals: Vec<(Duration, u32)> = Vec::new();
    let mut dropped = Vec::new();
    let mut sent_at = Vec::with_capacity(packets as usize);
    for k in 0..packets {
        let profile = profile_of(k);
        let sent = (FRAME * k).mul_f64(1.0 - f64::from(profile.skew_ppm) / 1e6);
        sent_at.push(sent);
        if rng.unit() < profile.loss {
            dropped.push(k);
            continue;
        }
        let mut copies = 1;
        if rng.unit() < profile.duplicate {
            copies = 2;
        }
        for _ in 0..copies {
            let mut delay = profile.base_delay + profile.jitter.mul_f64(rng.unit());
            if rng.unit() < profile.spike_chance {
                delay += profile.spike;
            }
            arrivals.push((sent + delay, k));
        }
    }
    // Stable sort: equal arrival times keep sending order.
    arrivals.sort_by_key(|a| a.0);

    let ticks = packets + 50;
    let mut outs = Vec::with_capacity(ticks as usize);
    let mut next = arrivals.iter().peekable();
    for tick in 0..ticks {
        let pop_at = FRAME * tick + pop_phase;
        while let Some((at, k)) = next.next_if(|a| a.0 <= pop_at) {
            let payload = k.to_be_bytes();
            let packet = RtpPacket::new(
                0,
                sender.first_seq.wrapping_add(*k as u16),
                sender.first_ts.wrapping_add(k.wrapping_mul(FRAME_TS)),
                sender.ssrc,
                &payload,
            );
            buffer.push(start + *at, &packet);
        }
        let out = match buffer.pop(start + pop_at) {
            Playout::Waiting => Out::Waiting,
            Playout::Packet { payload, .. } => {
                let bytes: [u8; 4] = payload.try_into().unwrap_or([0xff; 4]);
                let index = u32::from_be_bytes(bytes);
                let sent = sent_at.get(index as usize).copied().unwrap_or_default();
                let delay = pop_at.saturating_sub(sent);
                Out::Played {
                    index,
                    delay_ms: delay.as_millis() as u64,
                }
            }
            Playout::Lost => Out::Lost,
            Playout::Silence => Out::Silence,
        };
        outs.push(out);
    }
    Run { outs, dropped }
}
