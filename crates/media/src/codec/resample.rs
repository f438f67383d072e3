//! Sample rate conversion between the rates our codecs use (8, 16 and 48 kHz), with
//! rubato's FFT resampler behind a small type that takes any amount of PCM and gives
//! whole frames.
//!
//! The rates are fixed integer ratios, so the synchronous FFT resampler fits: it works
//! on fixed chunks in and out and has a constant delay. Input is gathered until a whole
//! chunk is there, so callers may push frames of any length (10, 20, 30 ms ptime).

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Fft, FixedSync, Resampler as _};

use crate::Error;

/// A mono resampler from one fixed rate to another.
pub struct Resampler {
    /// `None` when both rates are equal: samples pass through untouched.
    fft: Option<Fft<f32>>,
    /// Samples per chunk in and out.
    chunk_in: usize,
    chunk_out: usize,
    /// Input waiting for a whole chunk.
    pending: Vec<i16>,
    /// Reused float buffers for one chunk in and out.
    input: Vec<f32>,
    output: Vec<f32>,
}

impl std::fmt::Debug for Resampler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resampler")
            .field("chunk_in", &self.chunk_in)
            .field("chunk_out", &self.chunk_out)
            .field("pending", &self.pending.len())
            .finish_non_exhaustive()
    }
}

impl Resampler {
    /// A resampler from `from_rate` to `to_rate` working on chunks of `frame_ms`.
    pub fn new(from_rate: u32, to_rate: u32, frame_ms: u32) -> Result<Self, Error> {
        if from_rate == 0 || to_rate == 0 || frame_ms == 0 {
            return Err(Error::CodecSetup("resampler rates"));
        }
        let chunk = (from_rate as usize * frame_ms as usize / 1000).max(1);
        if from_rate == to_rate {
            return Ok(Resampler {
                fft: None,
                chunk_in: chunk,
                chunk_out: chunk,
                pending: Vec::new(),
                input: Vec::new(),
                output: Vec::new(),
            });
        }
        let fft = Fft::<f32>::new(
            from_rate as usize,
            to_rate as usize,
            chunk,
            1,
            FixedSync::Both,
        )
        .map_err(|_| Error::CodecSetup("resampler"))?;
        let chunk_in = fft.input_frames_next();
        let chunk_out = fft.output_frames_next();
        Ok(Resampler {
            fft: Some(fft),
            chunk_in,
            chunk_out,
            pending: Vec::with_capacity(chunk_in * 4),
            input: vec![0.0; chunk_in],
            output: vec![0.0; chunk_out],
        })
    }

    /// Samples consumed per chunk.
    pub fn input_chunk(&self) -> usize {
        self.chunk_in
    }

    /// Samples produced per chunk.
    pub fn output_chunk(&self) -> usize {
        self.chunk_out
    }

    /// Output samples by which the resampled signal lags the input.
    pub fn delay(&self) -> usize {
        self.fft.as_ref().map_or(0, |fft| fft.output_delay())
    }

    /// Takes `pcm` and appends every whole chunk's worth of resampled audio to `out`.
    pub fn process(&mut self, pcm: &[i16], out: &mut Vec<i16>) {
        let Some(fft) = self.fft.as_mut() else {
            out.extend_from_slice(pcm);
            return;
        };
        self.pending.extend_from_slice(pcm);
        let mut taken = 0;
        while let Some(chunk) = self.pending.get(taken..taken + self.chunk_in) {
            for (f, s) in self.input.iter_mut().zip(chunk) {
                *f = f32::from(*s) / 32768.0;
            }
            taken += self.chunk_in;
            let (Ok(input), Ok(mut output)) = (
                InterleavedSlice::new(&self.input, 1, self.chunk_in),
                InterleavedSlice::new_mut(&mut self.output, 1, self.chunk_out),
            ) else {
                break;
            };
            let produced = match fft.process_into_buffer(&input, &mut output, None) {
                Ok((_, produced)) => produced,
                Err(_) => 0,
            };
            out.extend(
                self.output
                    .iter()
                    .take(produced)
                    .map(|f| (f * 32768.0).round().clamp(-32768.0, 32767.0) as i16),
            );
        }
        self.pending.drain(..taken.min(self.pending.len()));
    }
}
