//! ITU-T G.711 µ-law and A-law against the values the recommendation fixes.

use media::codec::{alaw_decode, alaw_encode, ulaw_decode, ulaw_encode, Codec, Pcma, Pcmu};

#[test]
fn ulaw_end_points_match_the_recommendation() {
    // G.711 table 2a: positive zero is 1111 1111, the largest output is ±8031 at 14-bit
    // scale (±32124 at 16-bit), and 0111 1111 is negative zero.
    assert_eq!(ulaw_encode(0), 0xff);
    assert_eq!(ulaw_decode(0xff), 0);
    assert_eq!(ulaw_decode(0x7f), 0);
    assert_eq!(ulaw_decode(0x80), 8031 * 4);
    assert_eq!(ulaw_decode(0x00), -8031 * 4);
    assert_eq!(ulaw_encode(i16::MAX), 0x80);
    assert_eq!(ulaw_encode(i16::MIN), 0x00);
}

#[test]
fn alaw_end_points_match_the_recommendation() {
    // G.711 table 1a: the first positive character is 1101 0101 (even bits inverted)
    // decoding to 1 at 13-bit half-step scale; the largest output is ±4032.
    assert_eq!(alaw_encode(0), 0xd5);
    assert_eq!(alaw_decode(0xd5), 8);
    assert_eq!(alaw_decode(0x55), -8);
    assert_eq!(alaw_decode(0xaa), 4032 * 8);
    assert_eq!(alaw_decode(0x2a), -4032 * 8);
    assert_eq!(alaw_encode(i16::MAX), 0xaa);
    assert_eq!(alaw_encode(i16::MIN), 0x2a);
}

#[test]
fn ulaw_segments_double_their_step_each_time() {
    // G.711 table 2a: decoder outputs within segment s step by 2^(s+1) at 14-bit scale,
    // and each segment begins where the previous ended plus that step.
    for segment in 0u8..8 {
        let step = 2i32 << segment;
        for m in 0u8..15 {
            let code = !(segment << 4 | m);
            let next = !(segment << 4 | (m + 1));
            let diff = i32::from(ulaw_decode(next)) - i32::from(ulaw_decode(code));
            assert_eq!(diff, step * 4, "segment {segment} step {m}");
        }
    }
}

#[test]
fn every_code_survives_decode_then_encode() {
    for code in 0..=255u8 {
        let expected = if code == 0x7f { 0xff } else { code };
        assert_eq!(
            ulaw_encode(ulaw_decode(code)),
            expected,
            "µ-law {code:#04x}"
        );
        assert_eq!(alaw_encode(alaw_decode(code)), code, "A-law {code:#04x}");
    }
}

#[test]
fn quantisation_error_stays_within_half_a_step() {
    for sample in (i16::MIN..=i16::MAX).step_by(7) {
        let x = i32::from(sample);
        let u = i32::from(ulaw_decode(ulaw_encode(sample)));
        let a = i32::from(alaw_decode(alaw_encode(sample)));
        // Half a step is at most 1/32 of the segment's lower edge (µ-law in the biased
        // domain, A-law at 13 bits), plus the linear part near zero; clipping near full
        // scale costs at most 32767 - 32124 for µ-law.
        let bound = x.abs() / 30 + 16;
        let clip = if x.abs() > 32124 { 643 } else { 0 };
        assert!((u - x).abs() <= bound + clip, "µ-law {sample} -> {u}");
        assert!((a - x).abs() <= bound, "A-law {sample} -> {a}");
    }
}

#[test]
fn codecs_append_one_octet_per_sample_and_back() {
    let pcm: Vec<i16> = (0..160).map(|i| (i * 200 - 16000) as i16).collect();
    for codec in [&mut Pcmu::new() as &mut dyn Codec, &mut Pcma::new()] {
        let mut payload = vec![0xee];
        codec.encode(&pcm, &mut payload);
        assert_eq!(payload.len(), 161, "{} appends", codec.name());
        let mut decoded = vec![7];
        codec.decode(payload.get(1..), &mut decoded);
        assert_eq!(decoded.len(), 161);
        assert_eq!(decoded[0], 7);
        assert_eq!(codec.clock_rate(), 8000);
    }
    assert_eq!(Pcmu::new().static_payload_type(), Some(0));
    assert_eq!(Pcma::new().static_payload_type(), Some(8));
}
