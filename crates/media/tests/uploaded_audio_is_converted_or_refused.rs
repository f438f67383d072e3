//! Importing uploaded audio: any common format and rate becomes 8 or 16 kHz mono 16-bit,
//! and anything else is refused with an error, never a panic.

use std::io::Cursor;

use media::audio_import::{import_audio, ImportOptions};
use media::tone::detect_tone;
use media::wav::{write_wav, Channels};
use media::Error;
use proptest::prelude::*;

const NARROW: ImportOptions = ImportOptions {
    sample_rate: 8000,
    max_seconds: 60,
};

/// One second of a 1 kHz sine at half scale in the given WAV layout.
fn wav(rate: u32, channels: u16, bits: u16, float: bool) -> Vec<u8> {
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: bits,
        sample_format: if float {
            hound::SampleFormat::Float
        } else {
            hound::SampleFormat::Int
        },
    };
    let mut out = Cursor::new(Vec::new());
    let mut writer = hound::WavWriter::new(&mut out, spec).unwrap();
    let full = (1i64 << (bits - 1)) as f64 - 1.0;
    for i in 0..rate {
        let x = 0.5 * (std::f64::consts::TAU * 1000.0 * f64::from(i) / f64::from(rate)).sin();
        for _ in 0..channels {
            if float {
                writer.write_sample(x as f32).unwrap();
            } else {
                writer.write_sample((x * full).round() as i32).unwrap();
            }
        }
    }
    writer.finalize().unwrap();
    out.into_inner()
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(path).expect("fixture made by scripts/make-assets")
}

/// The converted clip is one second of 1 kHz at the right rate and about half scale.
fn assert_one_second_of_1khz(bytes: &[u8], extension: &str, options: ImportOptions) {
    let clip = import_audio(bytes, Some(extension), options).unwrap();
    let rate = options.sample_rate;
    assert_eq!(clip.sample_rate(), rate);
    // Compressed formats add a little encoder delay and padding.
    let len = clip.samples().len() as i64;
    assert!(
        (len - i64::from(rate)).abs() < i64::from(rate) / 10,
        "{len} samples"
    );
    let middle = &clip.samples()[rate as usize / 4..rate as usize * 3 / 4];
    assert!(detect_tone(middle, rate, 1000.0) > 0.9);
    let peak = middle.iter().map(|s| s.unsigned_abs()).max().unwrap();
    assert!((14_000..19_000).contains(&peak), "peak {peak}");
}

#[test]
fn wav_of_any_depth_channels_and_rate_is_converted() {
    for (rate, channels, bits, float) in [
        (44_100, 2, 16, false),
        (48_000, 1, 24, false),
        (22_050, 2, 32, false),
        (11_025, 1, 8, false),
        (8000, 1, 16, false),
        (16_000, 6, 16, false),
        (32_000, 2, 32, true),
    ] {
        let bytes = wav(rate, channels, bits, float);
        for sample_rate in [8000, 16_000] {
            let options = ImportOptions {
                sample_rate,
                max_seconds: 60,
            };
            assert_one_second_of_1khz(&bytes, "wav", options);
        }
    }
}

#[test]
fn mp3_ogg_vorbis_and_flac_are_converted() {
    for (name, extension) in [
        ("tone-1k-44100-stereo.mp3", "mp3"),
        ("tone-1k-48000-stereo.ogg", "ogg"),
        ("tone-1k-22050-mono-24bit.flac", "flac"),
    ] {
        assert_one_second_of_1khz(&fixture(name), extension, ImportOptions::wideband());
    }
}

#[test]
fn the_content_decides_the_format_not_the_extension() {
    let bytes = fixture("tone-1k-22050-mono-24bit.flac");
    assert_one_second_of_1khz(&bytes, "mp3", NARROW);
    let bytes = wav(44_100, 2, 16, false);
    assert_one_second_of_1khz(&bytes, "ogg", NARROW);
}

#[test]
fn a_converted_file_survives_a_round_trip_through_wav() {
    let clip = import_audio(&wav(44_100, 2, 16, false), None, NARROW).unwrap();
    let mut out = Cursor::new(Vec::new());
    write_wav(&mut out, clip.sample_rate(), Channels::Mono, clip.samples()).unwrap();
    let again = import_audio(out.get_ref(), Some("wav"), NARROW).unwrap();
    assert_eq!(again, clip);
}

#[test]
fn files_longer_than_the_limit_are_refused() {
    let options = ImportOptions {
        sample_rate: 8000,
        max_seconds: 0,
    };
    let result = import_audio(&wav(8000, 1, 16, false), Some("wav"), options);
    assert_eq!(result, Err(Error::AudioTooLong { max_seconds: 0 }));
}

#[test]
fn only_narrowband_and_wideband_rates_are_offered() {
    let options = ImportOptions {
        sample_rate: 44_100,
        max_seconds: 60,
    };
    let result = import_audio(&wav(8000, 1, 16, false), Some("wav"), options);
    assert!(matches!(result, Err(Error::AudioParameter(_))));
}

#[test]
fn text_and_empty_files_are_refused_with_a_reason() {
    let text = b"Hello, this is not audio at all.\n".repeat(20);
    let result = import_audio(&text, Some("mp3"), NARROW);
    assert!(
        matches!(
            result,
            Err(Error::AudioUnsupported(_)) | Err(Error::AudioMalformed(_))
        ),
        "{result:?}"
    );
    assert!(import_audio(&[], None, NARROW).is_err());
}

#[test]
fn a_wav_with_no_samples_is_empty() {
    let mut out = Cursor::new(Vec::new());
    write_wav(&mut out, 8000, Channels::Mono, &[]).unwrap();
    let result = import_audio(out.get_ref(), Some("wav"), NARROW);
    assert_eq!(result, Err(Error::AudioEmpty));
}

#[test]
fn a_truncated_header_is_refused() {
    let bytes = wav(8000, 1, 16, false);
    for cut in [4, 12, 20, 36, 43] {
        let result = import_audio(&bytes[..cut], Some("wav"), NARROW);
        assert!(result.is_err(), "cut at {cut}: {result:?}");
    }
}

#[test]
fn a_truncated_body_keeps_what_decodes() {
    let bytes = wav(8000, 1, 16, false);
    let clip = import_audio(&bytes[..44 + 8000], Some("wav"), NARROW).unwrap();
    assert_eq!(clip.samples().len(), 4000);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        if let Ok(clip) = import_audio(&bytes, None, NARROW) {
            prop_assert_eq!(clip.sample_rate(), 8000);
            prop_assert!(!clip.samples().is_empty());
        }
    }

    #[test]
    fn damaged_files_never_panic(
        which in 0usize..4,
        damage in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = match which {
            0 => wav(8000, 2, 16, false)[..4000].to_vec(),
            1 => fixture("tone-1k-44100-stereo.mp3"),
            2 => fixture("tone-1k-48000-stereo.ogg"),
            _ => fixture("tone-1k-22050-mono-24bit.flac"),
        };
        for (index, value) in damage {
            let i = index.index(bytes.len());
            bytes[i] = value;
        }
        bytes.truncate(cut.index(bytes.len() + 1));
        if let Ok(clip) = import_audio(&bytes, None, NARROW) {
            prop_assert_eq!(clip.sample_rate(), 8000);
        }
    }
}
