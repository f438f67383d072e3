//! SDP names codecs by `a=rtpmap` encoding and clock rate; those pick our codecs, and a
//! codec we lack is a clear error rather than a panic.

use media::codec::by_rtpmap;
use media::transcode::Transcoder;
use media::Error;

#[test]
fn known_names_give_their_codec_in_any_case() {
    for (name, clock, expected, audio_rate) in [
        ("PCMU", 8000, "PCMU", 8000),
        ("pcma", 8000, "PCMA", 8000),
        ("G722", 8000, "G722", 16000),
        ("OPUS", 48000, "opus", 16000),
    ] {
        let codec = by_rtpmap(name, clock).expect(name);
        assert_eq!(codec.name(), expected);
        assert_eq!(codec.clock_rate(), clock, "{name}");
        assert_eq!(codec.sample_rate(), audio_rate, "{name}");
    }
}

#[test]
fn unknown_names_and_wrong_clocks_are_unsupported() {
    for (name, clock) in [("G729", 8000), ("G722", 16000), ("opus", 16000), ("", 0)] {
        let error = by_rtpmap(name, clock).err();
        assert_eq!(
            error,
            Some(Error::CodecUnsupported(format!("{name}/{clock}"))),
            "{name}/{clock}"
        );
    }
    assert!(Transcoder::new("PCMU", 8000, "iLBC", 8000).is_err());
    assert!(Transcoder::new("speex", 8000, "PCMU", 8000).is_err());
}

#[test]
fn an_opus_source_is_decoded_at_the_destination_rate() {
    let to_pcmu = Transcoder::new("opus", 48000, "PCMU", 8000).expect("transcoder");
    assert_eq!(to_pcmu.decoder().sample_rate(), 8000);
    let to_g722 = Transcoder::new("opus", 48000, "G722", 8000).expect("transcoder");
    assert_eq!(to_g722.decoder().sample_rate(), 16000);
    assert_eq!(to_g722.timestamp_step(), 160, "G.722's 8 kHz clock");
    let from_pcmu = Transcoder::new("PCMU", 8000, "opus", 48000).expect("transcoder");
    assert_eq!(from_pcmu.encoder().sample_rate(), 16000, "wideband encoder");
}

#[test]
fn codecs_and_transcoders_can_move_between_threads() {
    fn send<T: Send>(_: &T) {}
    let transcoder = Transcoder::new("opus", 48000, "G722", 8000).expect("transcoder");
    send(&transcoder);
    let codec = by_rtpmap("opus", 48000).expect("opus");
    send(&codec);
    assert_eq!(codec.name(), "opus");
}
