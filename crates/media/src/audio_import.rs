//! Turns an uploaded audio file (music on hold, a greeting) into a mono clip at the rate
//! the PBX plays.
//!
//! Owners upload whatever they have: WAV at any bit depth and channel count, MP3, Ogg
//! Vorbis or FLAC at 44.1 or 48 kHz. The file is decoded with symphonia (pure Rust),
//! mixed down to mono, resampled to 8 or 16 kHz and clamped to 16 bits. Anything else
//! gives an error that says what was wrong with the file; the upload is refused, the PBX
//! carries on.

use std::io::Cursor;
use std::panic::{catch_unwind, AssertUnwindSafe};

use symphonia::core::audio::{SampleBuffer, SignalSpec};
use symphonia::core::codecs::{DecoderOptions, CODEC_TYPE_NULL};
use symphonia::core::errors::Error as DecodeError;
use symphonia::core::formats::FormatOptions;
use symphonia::core::io::{MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;
use symphonia::core::probe::Hint;

use crate::audio_import_resample::resample;
use crate::player::Clip;
use crate::Error;

/// What an import produces and how much it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportOptions {
    /// 8000 for narrowband (G.711) prompts, 16000 for wideband; nothing else.
    pub sample_rate: u32,
    /// Longer files are refused rather than decoded into memory without end.
    pub max_seconds: u32,
}

impl ImportOptions {
    /// 16 kHz, at most ten minutes: enough for any greeting or hold music.
    pub fn wideband() -> Self {
        ImportOptions {
            sample_rate: 16_000,
            max_seconds: 600,
        }
    }
}

/// Decodes `data` (the whole file) into a mono clip at `options.sample_rate`.
///
/// `extension` ("mp3", "wav", …) is only a hint: the content decides the format.
pub fn import_audio(
    data: &[u8],
    extension: Option<&str>,
    options: ImportOptions,
) -> Result<Clip, Error> {
    if !matches!(options.sample_rate, 8_000 | 16_000) {
        return Err(Error::AudioParameter(
            "import rate must be 8000 or 16000 Hz",
        ));
    }
    // A decoder bug on a crafted file must refuse the upload, not take the PBX down.
    let decoded = catch_unwind(AssertUnwindSafe(|| {
        decode_mono(data, extension, options.max_seconds)
    }))
    .unwrap_or_else(|_| Err(Error::AudioMalformed("the decoder failed".to_string())))?;
    let (rate, mono) = decoded;
    if mono.is_empty() || rate == 0 {
        return Err(Error::AudioEmpty);
    }
    let converted: Vec<i16> = resample(&mono, rate, options.sample_rate)
        .into_iter()
        .map(|x| (x * 32768.0).round().clamp(-32768.0, 32767.0) as i16)
        .collect();
    if converted.is_empty() {
        return Err(Error::AudioEmpty);
    }
    Ok(Clip::new(options.sample_rate, converted))
}

/// Decodes the first audio track into mono `f32` samples at its own rate.
fn decode_mono(
    data: &[u8],
    extension: Option<&str>,
    max_seconds: u32,
) -> Result<(u32, Vec<f32>), Error> {
    let source = MediaSourceStream::new(
        Box::new(Cursor::new(data.to_vec())),
        MediaSourceStreamOptions::default(),
    );
    let mut hint = Hint::new();
    if let Some(extension) = extension {
        hint.with_extension(extension);
    }
    let probed = symphonia::default::get_probe()
        .format(
            &hint,
            source,
            &FormatOptions::default(),
            &MetadataOptions::default(),
        )
        .map_err(|e| match e {
            DecodeError::Unsupported(_) => {
                Error::AudioUnsupported("not a known audio file format".to_string())
            }
            other => probe_error(other),
        })?;
    let mut format = probed.format;
    let track = format
        .tracks()
        .iter()
        .find(|t| t.codec_params.codec != CODEC_TYPE_NULL)
        .ok_or_else(|| Error::AudioUnsupported("no audio track".to_string()))?;
    let track_id = track.id;
    let mut decoder = symphonia::default::get_codecs()
        .make(&track.codec_params, &DecoderOptions::default())
        .map_err(|_| Error::AudioUnsupported("audio codec".to_string()))?;

    let mut mono: Vec<f32> = Vec::new();
    let mut spec: Option<SignalSpec> = None;
    let mut buffer: Option<SampleBuffer<f32>> = None;
    let mut limit = u64::MAX;
    let mut packets_failed = 0usize;
    loop {
        let packet = match format.next_packet() {
            Ok(packet) => packet,
            // The normal end of a file, or a cut-off one: keep what decoded.
            Err(DecodeError::IoError(_)) | Err(DecodeError::ResetRequired) => break,
            Err(other) => return Err(decode_error(other)),
        };
        if packet.track_id() != track_id {
            continue;
        }
        let audio = match decoder.decode(&packet) {
            Ok(audio) => audio,
            // A damaged packet: skip it as a player would; too many and the file is bad.
            Err(DecodeError::DecodeError(_)) | Err(DecodeError::IoError(_)) => {
                packets_failed += 1;
                if packets_failed > 100 && mono.is_empty() {
                    return Err(Error::AudioMalformed("no packet decodes".to_string()));
                }
                continue;
            }
            Err(other) => return Err(decode_error(other)),
        };
        let this_spec = *audio.spec();
        match spec {
            None => {
                if this_spec.rate == 0 {
                    return Err(Error::AudioMalformed("sample rate is zero".to_string()));
                }
                limit = u64::from(this_spec.rate) * u64::from(max_seconds);
                spec = Some(this_spec);
            }
            Some(first) if first.rate != this_spec.rate => {
                return Err(Error::AudioUnsupported(
                    "sample rate changes within the file".to_string(),
                ));
            }
            Some(_) => {}
        }
        let channels = this_spec.channels.count();
        if channels == 0 {
            return Err(Error::AudioMalformed("no channels".to_string()));
        }
        let frames = audio.capacity() as u64;
        if buffer
            .as_ref()
            .is_none_or(|b| b.capacity() < audio.capacity() * channels)
        {
            buffer = Some(SampleBuffer::new(frames, this_spec));
        }
        let Some(samples) = buffer.as_mut() else {
            continue;
        };
        samples.copy_interleaved_ref(audio);
        for frame in samples.samples().chunks(channels) {
            let sum: f32 = frame.iter().sum();
            mono.push(sum / channels as f32);
        }
        if mono.len() as u64 > limit {
            return Err(Error::AudioTooLong { max_seconds });
        }
    }
    match spec {
        Some(spec) => Ok((spec.rate, mono)),
        None if packets_failed > 0 => Err(Error::AudioMalformed("no packet decodes".to_string())),
        None => Err(Error::AudioEmpty),
    }
}

/// Errors while recognising the container: the file is not what it claims to be.
fn probe_error(error: DecodeError) -> Error {
    match error {
        DecodeError::IoError(_) => Error::AudioMalformed("file is truncated".to_string()),
        other => decode_error(other),
    }
}

fn decode_error(error: DecodeError) -> Error {
    match error {
        DecodeError::Unsupported(what) => Error::AudioUnsupported(what.to_string()),
        DecodeError::LimitError(what) => Error::AudioMalformed(format!("limit exceeded: {what}")),
        DecodeError::IoError(e) => Error::AudioMalformed(format!("file is truncated ({e})")),
        other => Error::AudioMalformed(other.to_string()),
    }
}
