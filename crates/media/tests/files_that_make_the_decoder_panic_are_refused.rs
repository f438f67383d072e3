//! Uploads that make the audio decoder library panic (found by fuzzing `fuzz/wav_import`)
//! are refused with an error; the panic never reaches the PBX.

use media::audio_import::{import_audio, ImportOptions};

const OPTIONS: ImportOptions = ImportOptions {
    sample_rate: 8_000,
    max_seconds: 5,
};

/// A WAV `fmt ` chunk with a sample rate of 0: the decoder builds a time base of 1/0,
/// which panics inside it.
const ZERO_SAMPLE_RATE: &[u8] = b"RIFFD\x03\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\
\x00\x00\x00\x00\x00\x00\x007\x02\x00\x10\x00\x90\xce\xf3=b\x87\xac.SxV{";

/// An ID3v2.4 tag whose extended header carries restriction bits the tag reader treats
/// as unreachable.
const ID3_RESTRICTIONS: &[u8] =
    b"ID3\x040RIF\xb9F\x88\xa3\x18\xb5\x01\x96\x01d\x00\x00\x00\x00\x00\x06\x8b\x96\x965";

#[test]
fn a_wav_with_a_zero_sample_rate_is_refused() {
    let result = import_audio(ZERO_SAMPLE_RATE, Some("wav"), OPTIONS);
    assert!(result.is_err(), "imported: {result:?}");
}

#[test]
fn an_id3_tag_with_bad_restriction_bits_is_refused() {
    for extension in [Some("wav"), Some("mp3"), None] {
        let result = import_audio(ID3_RESTRICTIONS, extension, OPTIONS);
        assert!(result.is_err(), "imported as {extension:?}: {result:?}");
    }
}
