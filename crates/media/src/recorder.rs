//! Records a call as a stereo WAV file: the caller on the left, the callee on the right.
//!
//! The two sides arrive independently: each has its own packet timing, one may go quiet
//! (hold, silence suppression, a lost stream) while the other talks on. The recorder
//! places every frame at its position on the call's time line and fills gaps with
//! silence, so the two channels stay aligned however the packets came. A side that lags
//! the other by more than [`MAX_LAG_MS`] is written as silence up to that point and its
//! late audio is dropped, so the memory a recording holds stays bounded.

use std::io::{Seek, Write};
use std::time::Instant;

use crate::wav::{Channels, WavStreamWriter};
use crate::Error;

/// Which party a frame belongs to; the caller is the left channel, the callee the right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Caller,
    Callee,
}

impl Side {
    fn index(self) -> usize {
        match self {
            Side::Caller => 0,
            Side::Callee => 1,
        }
    }
}

/// How far one side may run ahead of the other before the lagging side is written as
/// silence: well above any jitter-buffer delay, small enough to keep a second of audio
/// per side in memory.
pub const MAX_LAG_MS: u32 = 1000;
/// Timed frames this close to where the side's previous frame ended are taken as
/// contiguous, so the scheduling jitter of the caller's 20 ms tick leaves no clicks.
const SNAP_MS: u32 = 60;
/// A position this far past the file's end is a bug in the caller, not a pause.
const MAX_JUMP_SECONDS: u64 = 3600;

/// A stereo call recording being written to `W`.
pub struct CallRecorder<W: Write + Seek> {
    wav: WavStreamWriter<W>,
    sample_rate: u32,
    /// Time line origin for [`push_at`](Self::push_at).
    start: Instant,
    /// Frames already in the file; `pending[side][0]` sits at this position.
    written: u64,
    /// Each side's samples from `written` on, zeros where it had a gap.
    pending: [Vec<i16>; 2],
    /// Where each side's next timed frame would start if it came on time.
    expected: [Option<u64>; 2],
    /// `MAX_LAG_MS` in samples.
    max_lag: usize,
    /// Reused buffer of interleaved frames on their way to the file.
    interleaved: Vec<i16>,
}

impl<W: Write + Seek> CallRecorder<W> {
    /// Starts a recording whose time line begins at `start`. 8 or 16 kHz mono per side
    /// is what the PBX uses; any non-zero rate works.
    pub fn new(out: W, sample_rate: u32, start: Instant) -> Result<Self, Error> {
        let wav = WavStreamWriter::new(out, sample_rate, Channels::Stereo)?;
        let max_lag = (u64::from(sample_rate) * u64::from(MAX_LAG_MS) / 1000) as usize;
        Ok(CallRecorder {
            wav,
            sample_rate,
            start,
            written: 0,
            pending: [Vec::with_capacity(max_lag), Vec::with_capacity(max_lag)],
            expected: [None, None],
            max_lag,
            interleaved: Vec::with_capacity(max_lag * 2),
        })
    }

    /// Adds one side's frame received (or played out) at `now`. The position on the time
    /// line comes from `now`, snapped to the end of the side's previous frame when it is
    /// within a few milliseconds of it.
    pub fn push_at(&mut self, side: Side, now: Instant, pcm: &[i16]) -> Result<(), Error> {
        let elapsed = now.saturating_duration_since(self.start);
        let position = (elapsed.as_nanos() * u128::from(self.sample_rate) / 1_000_000_000)
            .try_into()
            .unwrap_or(u64::MAX);
        let snap = u64::from(self.sample_rate) * u64::from(SNAP_MS) / 1000;
        let position = match self.expected[side.index()] {
            Some(expected) if position.abs_diff(expected) <= snap => expected,
            _ => position,
        };
        self.expected[side.index()] = Some(position.saturating_add(pcm.len() as u64));
        self.push(side, position, pcm)
    }

    /// Adds one side's samples starting at sample `position` of the call's time line.
    /// Parts already written to the file (more than a second late) are dropped.
    pub fn push(&mut self, side: Side, position: u64, pcm: &[i16]) -> Result<(), Error> {
        if position.saturating_sub(self.written) > MAX_JUMP_SECONDS * u64::from(self.sample_rate) {
            return Err(Error::AudioParameter(
                "recording position jumps past an hour",
            ));
        }
        // Chunks of half the window always fit after advancing.
        let chunk = (self.max_lag / 2).max(1);
        let mut at = position;
        for part in pcm.chunks(chunk) {
            self.push_part(side.index(), at, part)?;
            at = at.saturating_add(part.len() as u64);
        }
        Ok(())
    }

    fn push_part(&mut self, side: usize, position: u64, part: &[i16]) -> Result<(), Error> {
        let end = position.saturating_add(part.len() as u64);
        // Keep this side's samples within the window by writing out older frames first.
        let window_start = end.saturating_sub(self.max_lag as u64);
        if window_start > self.written {
            self.advance(window_start - self.written)?;
        }
        if end <= self.written {
            return Ok(());
        }
        let skip = self.written.saturating_sub(position) as usize;
        let part = part.get(skip..).unwrap_or(&[]);
        let offset = (position + skip as u64 - self.written) as usize;
        let buffer = &mut self.pending[side];
        if buffer.len() < offset + part.len() {
            buffer.resize(offset + part.len(), 0);
        }
        if let Some(target) = buffer.get_mut(offset..offset + part.len()) {
            target.copy_from_slice(part);
        }
        let ready = self.pending[0].len().min(self.pending[1].len());
        self.write_frames(ready)
    }

    /// Writes `frames` frames from the pending buffers, silence where a side has none,
    /// in window-sized pieces so a long gap never needs a long buffer.
    fn advance(&mut self, frames: u64) -> Result<(), Error> {
        let mut left = frames;
        while left > 0 {
            let n = left.min(self.max_lag.max(1) as u64) as usize;
            self.write_frames(n)?;
            left -= n as u64;
        }
        Ok(())
    }

    fn write_frames(&mut self, frames: usize) -> Result<(), Error> {
        if frames == 0 {
            return Ok(());
        }
        self.interleaved.clear();
        for i in 0..frames {
            let left = self.pending[0].get(i).copied().unwrap_or(0);
            let right = self.pending[1].get(i).copied().unwrap_or(0);
            self.interleaved.push(left);
            self.interleaved.push(right);
        }
        for buffer in &mut self.pending {
            let n = frames.min(buffer.len());
            buffer.drain(..n);
        }
        self.written += frames as u64;
        self.wav.write(&self.interleaved)
    }

    /// Length of the recording so far, including what is still buffered.
    pub fn duration_ms(&self) -> u64 {
        let buffered = self.pending[0].len().max(self.pending[1].len()) as u64;
        (self.written + buffered) * 1000 / u64::from(self.sample_rate)
    }

    /// Makes the file on disk valid up to what has been written, so a crash later loses
    /// at most the last second or so. Call it every few seconds.
    pub fn flush(&mut self) -> Result<(), Error> {
        self.wav.flush()
    }

    /// Writes out everything buffered (the shorter side padded with silence) and
    /// finalises the file.
    pub fn finish(mut self) -> Result<(), Error> {
        let buffered = self.pending[0].len().max(self.pending[1].len());
        self.advance(buffered as u64)?;
        self.wav.finalize()
    }
}
