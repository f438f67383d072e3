//! RFC 3550 §5.1 RTP packets: written packets read back, malformed ones are errors.

use media::rtp::{CsrcList, Extension, RtpPacket};
use media::Error;
use proptest::prelude::*;

#[test]
fn fixed_header_fields_are_read_from_the_right_bits() {
    // V=2 P=0 X=0 CC=0 | M=1 PT=8 | seq 0x1234 | ts 0xdeadbeef | ssrc 0x01020304 | payload
    let bytes = [
        0x80, 0x88, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0xd5, 0xd5,
    ];
    let p = RtpPacket::parse(&bytes).expect("valid packet");
    assert!(p.marker);
    assert_eq!(p.payload_type, 8);
    assert_eq!(p.sequence, 0x1234);
    assert_eq!(p.timestamp, 0xdead_beef);
    assert_eq!(p.ssrc, 0x0102_0304);
    assert_eq!(p.payload, [0xd5, 0xd5]);
    assert_eq!(p.header_len(), 12);
}

#[test]
fn csrc_extension_and_padding_are_skipped_to_find_the_payload() {
    let bytes = [
        0xb1, 0x00, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, // V=2 P=1 X=1 CC=1
        0, 0, 0, 9, // CSRC
        0xbe, 0xde, 0, 1, 1, 2, 3, 4, // extension: one word
        0xaa, 0xbb, // payload
        0, 0, 3, // padding of three octets
    ];
    let p = RtpPacket::parse(&bytes).expect("valid packet");
    assert_eq!(p.csrc.as_slice(), [9]);
    assert_eq!(
        p.extension,
        Some(Extension {
            profile: 0xbede,
            data: &[1, 2, 3, 4]
        })
    );
    assert_eq!(p.payload, [0xaa, 0xbb]);
    assert_eq!(p.padding, 3);
}

#[test]
fn malformed_packets_are_rejected_with_a_reason() {
    let header = [0x80u8, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3];
    assert_eq!(RtpPacket::parse(&header[..11]), Err(Error::RtpTooShort));
    let mut v1 = header;
    v1[0] = 0x40;
    assert_eq!(RtpPacket::parse(&v1), Err(Error::RtpVersion(1)));
    let mut csrc_missing = header;
    csrc_missing[0] = 0x82;
    assert_eq!(RtpPacket::parse(&csrc_missing), Err(Error::RtpTooShort));
    let mut ext_missing = header;
    ext_missing[0] = 0x90;
    assert_eq!(RtpPacket::parse(&ext_missing), Err(Error::RtpTooShort));
    let mut zero_padding = header.to_vec();
    zero_padding[0] = 0xa0;
    zero_padding.push(0);
    assert_eq!(RtpPacket::parse(&zero_padding), Err(Error::RtpPadding));
    let mut long_padding = header.to_vec();
    long_padding[0] = 0xa0;
    long_padding.extend([1, 9]);
    assert_eq!(RtpPacket::parse(&long_padding), Err(Error::RtpPadding));
}

proptest! {
    #[test]
    fn written_packets_parse_back_unchanged(
        marker in any::<bool>(),
        payload_type in 0u8..128,
        sequence in any::<u16>(),
        timestamp in any::<u32>(),
        ssrc in any::<u32>(),
        csrc in proptest::collection::vec(any::<u32>(), 0..=15),
        extension in proptest::option::of((any::<u16>(), proptest::collection::vec(any::<u8>(), 0..6).prop_map(|w| w.repeat(4)))),
        payload in proptest::collection::vec(any::<u8>(), 0..200),
        padding in any::<u8>(),
    ) {
        let packet = RtpPacket {
            marker,
            payload_type,
            sequence,
            timestamp,
            ssrc,
            csrc: CsrcList::from_slice(&csrc),
            extension: extension.as_ref().map(|(profile, data)| Extension { profile: *profile, data }),
            payload: &payload,
            padding,
        };
        let mut buf = Vec::new();
        packet.write(&mut buf);
        prop_assert_eq!(buf.len(), packet.header_len() + payload.len() + usize::from(padding));
        prop_assert_eq!(RtpPacket::parse(&buf), Ok(packet));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(p) = RtpPacket::parse(&bytes) {
            prop_assert!(p.header_len() + p.payload.len() + usize::from(p.padding) == bytes.len());
        }
    }
}
