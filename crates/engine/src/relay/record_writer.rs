//! The recording writer thread: decodes each side's packets to PCM, lines both sides up
//! on one time axis and writes a stereo WAV (left the caller, right the callee).
//!
//! Each side is placed by its own RTP timestamps (RFC 3550 §5.1: they count samples), so
//! jitter in arrival does not stretch or squeeze the audio; a new source, a jump of more
//! than [`MAX_GAP`] or a drift of more than that from the wall clock re-anchors the side
//! at its packet's arrival time. A side that sends nothing (on hold, muted with silence
//! suppression) is written as silence, so both channels stay aligned.
//!
//! The file is written under a temporary name, synced and renamed into place at the end
//! (then the folder is synced), so a file with the recording's name is always complete
//! and a crash leaves only a `.part` file that is never mistaken for a recording.

use std::collections::VecDeque;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use media::codec::{alaw_decode, ulaw_decode};

use super::record::{RecordError, Tapped};

/// The rate recordings are written at (G.711's).
const RATE: u32 = 8000;

/// How far behind real time the writer stays, so packets that arrive late (jitter) still
/// find their place.
const LATENCY: u64 = RATE as u64 / 2;

/// Largest timestamp jump (or drift from the wall clock) treated as a gap to fill with
/// silence rather than a new start: 1 s.
const MAX_GAP: u64 = RATE as u64;

/// How often the writer wakes without packets, to write the silence of quiet sides.
const IDLE: Duration = Duration::from_millis(100);

/// The temporary name a recording is written under.
pub(super) fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.part"))
}

pub(super) fn run(
    packets: Receiver<Tapped>,
    path: &Path,
    started: Instant,
) -> Result<(), RecordError> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let temp = temp_path(path);
    let result = write(packets, &temp, started).and_then(|()| {
        fs::rename(&temp, path)?;
        sync_dir(path);
        Ok(())
    });
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

fn write(packets: Receiver<Tapped>, temp: &Path, started: Instant) -> Result<(), RecordError> {
    let mut file = BufWriter::new(File::create(temp)?);
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: RATE,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut wav = hound::WavWriter::new(&mut file, spec)?;
    let mut aligner = Aligner::new(started);
    loop {
        match packets.recv_timeout(IDLE) {
            Ok(packet) => aligner.push(&packet),
            Err(RecvTimeoutError::Timeout) => {}
            // The relay stopped recording (or ended): write what is left.
            Err(RecvTimeoutError::Disconnected) => break,
        }
        let horizon = samples_since(started, Instant::now()).saturating_sub(LATENCY);
        aligner.write_until(horizon, &mut wav)?;
    }
    aligner.write_until(u64::MAX, &mut wav)?;
    wav.finalize()?;
    file.flush()?;
    let file = file.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    Ok(())
}

/// Makes the rename durable (POSIX: a directory entry is data of the directory).
fn sync_dir(path: &Path) {
    if let Some(dir) = path.parent() {
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
    }
}

fn samples_since(started: Instant, at: Instant) -> u64 {
    let elapsed = at.saturating_duration_since(started);
    (elapsed.as_micros() * u128::from(RATE) / 1_000_000) as u64
}

/// One channel: where its stream stands and what is decoded but not yet written.
#[derive(Default)]
struct Channel {
    ssrc: Option<u32>,
    /// The RTP timestamp the next packet should have, and its place on the time axis.
    next_timestamp: u32,
    next_position: u64,
    /// Samples from the writer's position on (silence where nothing arrived).
    pending: VecDeque<i16>,
}

struct Aligner {
    started: Instant,
    /// Samples written to the file per channel.
    written: u64,
    channels: [Channel; 2],
    decoded: Vec<i16>,
}

impl Aligner {
    fn new(started: Instant) -> Aligner {
        Aligner {
            started,
            written: 0,
            channels: [Channel::default(), Channel::default()],
            decoded: Vec::with_capacity(super::record::MAX_PAYLOAD),
        }
    }

    fn push(&mut self, packet: &Tapped) {
        let payload = packet.payload.get(..packet.len).unwrap_or_default();
        self.decoded.clear();
        // RFC 3551 §6: static payload types 0 and 8. Events, comfort noise and codecs the
        // recorder does not decode leave silence.
        match packet.payload_type {
            0 => self.decoded.extend(payload.iter().map(|c| ulaw_decode(*c))),
            8 => self.decoded.extend(payload.iter().map(|c| alaw_decode(*c))),
            _ => return,
        }
        let Some(channel) = self.channels.get_mut(packet.side) else {
            return;
        };
        let n = self.decoded.len() as u64;
        let by_clock = samples_since(self.started, packet.arrival).saturating_sub(n);
        let continued = channel.ssrc == Some(packet.ssrc);
        // Signed distance from where the stream said it would continue.
        let delta = i64::from(packet.timestamp.wrapping_sub(channel.next_timestamp) as i32);
        let mut position = channel.next_position.saturating_add_signed(delta);
        if !continued || delta.unsigned_abs() > MAX_GAP || position.abs_diff(by_clock) > MAX_GAP {
            position = by_clock;
        }
        let end = position + n;
        if end > channel.next_position || !continued {
            channel.next_position = end;
            channel.next_timestamp = packet.timestamp.wrapping_add(n as u32);
        }
        channel.ssrc = Some(packet.ssrc);
        // Samples that belong before what is already written arrived too late.
        let skip = self.written.saturating_sub(position);
        let offset = position.saturating_sub(self.written) as usize;
        let samples = self.decoded.get(skip as usize..).unwrap_or_default();
        let needed = offset + samples.len();
        if channel.pending.len() < needed {
            channel.pending.resize(needed, 0);
        }
        for (slot, sample) in channel.pending.iter_mut().skip(offset).zip(samples) {
            *slot = *sample;
        }
    }

    /// Writes both channels up to `horizon` samples (or everything pending, for
    /// `u64::MAX`), filling a channel that has nothing with silence.
    fn write_until<W: std::io::Write + std::io::Seek>(
        &mut self,
        horizon: u64,
        wav: &mut hound::WavWriter<W>,
    ) -> Result<(), hound::Error> {
        let available = self
            .channels
            .iter()
            .map(|c| c.pending.len() as u64)
            .max()
            .unwrap_or(0);
        let count = horizon
            .saturating_sub(self.written)
            .min(if horizon == u64::MAX {
                available
            } else {
                u64::MAX
            });
        for _ in 0..count {
            let [left, right] = &mut self.channels;
            wav.write_sample(left.pending.pop_front().unwrap_or(0))?;
            wav.write_sample(right.pending.pop_front().unwrap_or(0))?;
        }
        self.written += count;
        Ok(())
    }
}
