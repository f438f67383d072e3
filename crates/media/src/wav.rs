//! 16-bit PCM WAV files, written as a stream.
//!
//! Voicemail and call recordings are written while the call runs, so the writer takes
//! frames as they come and only needs `Seek` to patch the RIFF and data sizes at the end
//! (or at a [`WavStreamWriter::flush`], which leaves a valid file behind if the process
//! dies later). Every sample is 16-bit signed little-endian, the format every phone,
//! browser and mail client plays.

use std::io::{Seek, Write};

use crate::Error;

/// How many interleaved channels a file has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channels {
    /// One channel: prompts, greetings, voicemail.
    Mono,
    /// Two channels, interleaved left then right: call recordings, one party per side.
    Stereo,
}

impl Channels {
    /// Samples per frame (one per channel).
    pub fn count(self) -> u16 {
        match self {
            Channels::Mono => 1,
            Channels::Stereo => 2,
        }
    }
}

/// Samples handed to hound in one batch: large enough to amortise the write call, small
/// enough that the batch buffer stays a few kilobytes.
const BATCH: usize = 4096;

/// A WAV file being written: frames in, a finalised file out.
///
/// Dropping the writer without [`finalize`](Self::finalize) still patches the header but
/// hides any error doing so; call `finalize` to learn whether the file is complete.
pub struct WavStreamWriter<W: Write + Seek> {
    inner: hound::WavWriter<W>,
    channels: Channels,
    sample_rate: u32,
}

impl<W: Write + Seek> WavStreamWriter<W> {
    /// Starts a file at the current position of `out` (normally offset 0) and writes its
    /// header. `out` should be buffered (e.g. a `BufWriter<File>`).
    pub fn new(out: W, sample_rate: u32, channels: Channels) -> Result<Self, Error> {
        if sample_rate == 0 {
            return Err(Error::AudioParameter("sample rate is zero"));
        }
        let spec = hound::WavSpec {
            channels: channels.count(),
            sample_rate,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let inner = hound::WavWriter::new(out, spec).map_err(hound_error)?;
        Ok(WavStreamWriter {
            inner,
            channels,
            sample_rate,
        })
    }

    /// Appends interleaved samples; the length must be a whole number of frames so a
    /// channel never shifts into its neighbour.
    pub fn write(&mut self, interleaved: &[i16]) -> Result<(), Error> {
        if !interleaved
            .len()
            .is_multiple_of(usize::from(self.channels.count()))
        {
            return Err(Error::AudioParameter("samples are not whole frames"));
        }
        // A WAV data chunk holds at most 4 GiB; refuse before hound would.
        let room = u64::from(u32::MAX / 2).saturating_sub(u64::from(self.inner.len()));
        if interleaved.len() as u64 > room {
            return Err(Error::AudioParameter("wav file would exceed 4 GiB"));
        }
        for batch in interleaved.chunks(BATCH) {
            // `batch.len()` is at most BATCH, so the cast cannot truncate.
            let mut writer = self.inner.get_i16_writer(batch.len() as u32);
            for &sample in batch {
                writer.write_sample(sample);
            }
            writer.flush().map_err(hound_error)?;
        }
        Ok(())
    }

    /// Patches the header to the samples written so far, so the file on disk is valid
    /// even if nothing more is ever written. Costs two seeks: call it every few seconds,
    /// not every frame.
    pub fn flush(&mut self) -> Result<(), Error> {
        self.inner.flush().map_err(hound_error)
    }

    /// Frames (samples per channel) written so far.
    pub fn frames(&self) -> u32 {
        self.inner.duration()
    }

    /// Length written so far in milliseconds.
    pub fn duration_ms(&self) -> u64 {
        u64::from(self.frames()) * 1000 / u64::from(self.sample_rate)
    }

    pub fn sample_rate(&self) -> u32 {
        self.sample_rate
    }

    pub fn channels(&self) -> Channels {
        self.channels
    }

    /// Writes the final sizes into the header and flushes the output.
    pub fn finalize(self) -> Result<(), Error> {
        self.inner.finalize().map_err(hound_error)
    }
}

/// Writes a whole file at once: the common case for prompts and imported greetings.
pub fn write_wav<W: Write + Seek>(
    out: W,
    sample_rate: u32,
    channels: Channels,
    interleaved: &[i16],
) -> Result<(), Error> {
    let mut writer = WavStreamWriter::new(out, sample_rate, channels)?;
    writer.write(interleaved)?;
    writer.finalize()
}

/// Maps hound's error onto ours, keeping only what callers act on: a full disk or other
/// OS failure versus a file that is not a usable WAV.
fn hound_error(error: hound::Error) -> Error {
    match error {
        hound::Error::IoError(e) => Error::AudioIo(e.kind()),
        hound::Error::FormatError(reason) => Error::AudioMalformed(reason.to_string()),
        hound::Error::Unsupported => Error::AudioUnsupported("wav encoding".to_string()),
        other => Error::AudioMalformed(other.to_string()),
    }
}
