//! The recording writer thread: decodes each side's packets to PCM, places them on the
//! call's time line and hands them to the media crate's stereo [`CallRecorder`] (left the
//! caller, right the callee; silence where a side sends nothing).
//!
//! Each side is placed by its own RTP timestamps (RFC 3550 §5.1: they count samples), so
//! jitter in arrival neither stretches nor squeezes the audio; a new source, a jump of
//! more than [`MAX_GAP`] or a drift of more than that from the wall clock re-anchors the
//! side at its packet's arrival time.
//!
//! The file is written under a temporary name, synced and renamed into place at the end
//! (then the folder is synced), so a file with the recording's name is always complete
//! and a crash leaves only a hidden `.part` file that is never mistaken for a recording.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError};
use std::time::{Duration, Instant};

use media::codec::{by_rtpmap, Codec};
use media::recorder::{CallRecorder, Side};

use super::record::{RecordError, Tapped};

/// The rate recordings are written at: the telephone band every codec of a call can give.
const RATE: u32 = 8000;

/// Largest timestamp jump (or drift from the wall clock) treated as a gap to fill with
/// silence rather than a new start: 1 s.
const MAX_GAP: u64 = RATE as u64;

/// How often the file on disk is made valid up to what was written, so that a crash
/// loses little of a long call.
const FLUSH_EVERY: Duration = Duration::from_secs(5);

/// How long the writer waits for packets before flushing anyway.
const IDLE: Duration = Duration::from_millis(500);

/// How long the writer lets packets gather between batches: well inside the queue's
/// 2.5 s, short enough that stopping is prompt.
const BATCH: Duration = Duration::from_millis(100);

/// The temporary name a recording is written under.
pub(super) fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.part"))
}

/// A call's payload types: (payload type, encoding name, RTP clock rate).
pub(super) type Formats = [(u8, String, u32)];

pub(super) fn run(
    packets: Receiver<Tapped>,
    path: &Path,
    started: Instant,
    formats: &Formats,
) -> Result<(), RecordError> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let temp = temp_path(path);
    let result = write(packets, &temp, started, formats).and_then(|()| {
        fs::rename(&temp, path)?;
        sync_dir(path);
        Ok(())
    });
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

fn write(
    packets: Receiver<Tapped>,
    temp: &Path,
    started: Instant,
    formats: &Formats,
) -> Result<(), RecordError> {
    let mut file = BufWriter::new(File::create(temp)?);
    let mut recorder = CallRecorder::new(&mut file, RATE, started)?;
    let mut sides = [Stream::default(), Stream::default()];
    let mut pcm = Vec::with_capacity(2 * super::record::MAX_PAYLOAD);
    let mut flushed = Instant::now();
    let mut open = true;
    while open {
        // Wait for the first packet, then take everything queued meanwhile: one wake-up
        // per batch rather than per packet keeps a hundred recordings cheap.
        let mut next = match packets.recv_timeout(IDLE) {
            Ok(packet) => Some(packet),
            Err(RecvTimeoutError::Timeout) => None,
            // The relay stopped recording (or ended): write what is left.
            Err(RecvTimeoutError::Disconnected) => break,
        };
        while let Some(packet) = next {
            let (side, stream) = match packet.side {
                0 => (Side::Caller, &mut sides[0]),
                _ => (Side::Callee, &mut sides[1]),
            };
            if let Some(position) = stream.place(&packet, started, formats, &mut pcm) {
                match recorder.push(side, position, &pcm) {
                    // A position the recorder refuses loses that packet only.
                    Err(media::Error::AudioParameter(why)) => {
                        tracing::debug!(why, "recorded packet left out");
                    }
                    other => other?,
                }
            }
            next = match packets.try_recv() {
                Ok(packet) => Some(packet),
                Err(TryRecvError::Empty) => None,
                Err(TryRecvError::Disconnected) => {
                    open = false;
                    None
                }
            };
        }
        if open {
            std::thread::sleep(BATCH);
        }
        if flushed.elapsed() >= FLUSH_EVERY {
            recorder.flush()?;
            flushed = Instant::now();
        }
    }
    recorder.finish()?;
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

/// The codec of a payload type: as the call's SDP named it, else RFC 3551 §6's static
/// assignments. Types without audio the recorder decodes (telephone-event, comfort noise)
/// leave silence.
fn codec_of(payload_type: u8, formats: &Formats) -> Option<(&str, u32)> {
    if let Some((_, encoding, clock)) = formats.iter().find(|(pt, _, _)| *pt == payload_type) {
        return Some((encoding.as_str(), *clock));
    }
    match payload_type {
        0 => Some(("PCMU", 8000)),
        8 => Some(("PCMA", 8000)),
        9 => Some(("G722", 8000)),
        _ => None,
    }
}

/// One side's stream: its decoders and where its audio goes on the time line.
#[derive(Default)]
struct Stream {
    /// A decoder per payload type seen (codecs keep state between packets).
    decoders: HashMap<u8, Box<dyn Codec>>,
    decoded: Vec<i16>,
    ssrc: Option<u32>,
    /// The RTP timestamp the next packet should have, and its place on the time line,
    /// both in the codec's RTP clock and in recording samples.
    next_timestamp: u32,
    next_position: u64,
}

impl Stream {
    /// Decodes `packet` into `pcm` at [`RATE`] and returns where it starts on the time
    /// line; `None` for packets that carry no audio the recorder reads.
    fn place(
        &mut self,
        packet: &Tapped,
        started: Instant,
        formats: &Formats,
        pcm: &mut Vec<i16>,
    ) -> Option<u64> {
        let payload = packet.payload.get(..packet.len)?;
        let (encoding, clock) = codec_of(packet.payload_type, formats)?;
        let decoder = match self.decoders.entry(packet.payload_type) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(by_rtpmap(encoding, clock).ok()?)
            }
        };
        let rate = decoder.sample_rate();
        self.decoded.clear();
        decoder.decode(Some(payload), &mut self.decoded);
        to_recording_rate(&self.decoded, rate, pcm);
        if pcm.is_empty() {
            return None;
        }
        let n = pcm.len() as u64;
        // RTP clock ticks per recording sample (G.722: 8000 Hz clock, RFC 3551 §4.5.2).
        let ticks = |samples: u64| samples * u64::from(clock) / u64::from(RATE);
        let by_clock = samples_since(started, packet.arrival).saturating_sub(n);
        let continued = self.ssrc == Some(packet.ssrc);
        let delta_ticks = i64::from(packet.timestamp.wrapping_sub(self.next_timestamp) as i32);
        let delta = delta_ticks * i64::from(RATE) / i64::from(clock);
        let mut position = self.next_position.saturating_add_signed(delta);
        if !continued || delta.unsigned_abs() > MAX_GAP || position.abs_diff(by_clock) > MAX_GAP {
            position = by_clock;
        }
        let end = position + n;
        if end > self.next_position || !continued {
            self.next_position = end;
            self.next_timestamp = packet.timestamp.wrapping_add(ticks(n) as u32);
        }
        self.ssrc = Some(packet.ssrc);
        Some(position)
    }
}

/// Converts decoded audio to [`RATE`]: G.711 already is; wideband audio is averaged down
/// pairwise (a gentle low-pass before dropping every other sample).
fn to_recording_rate(decoded: &[i16], rate: u32, out: &mut Vec<i16>) {
    out.clear();
    if rate == RATE {
        out.extend_from_slice(decoded);
    } else if rate == 2 * RATE {
        out.extend(decoded.chunks(2).map(|pair| {
            ((pair.iter().map(|s| i32::from(*s)).sum::<i32>()) / pair.len().max(1) as i32) as i16
        }));
    } else {
        // Rates the recorder does not convert: every n-th sample.
        let step = (rate / RATE).max(1) as usize;
        out.extend(decoded.iter().step_by(step));
    }
}
