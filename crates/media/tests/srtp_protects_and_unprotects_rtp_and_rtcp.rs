//! SRTP/SRTCP (RFC 3711) with the AES_CM_128_HMAC_SHA1 suites: a published packet vector,
//! round trips, forged and replayed packets.

use media::srtp::{SrtpContext, SrtpKey, SrtpSuite};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The RFC 3711 Appendix B.3 master key and salt.
fn rfc_key() -> SrtpKey {
    SrtpKey::from_bytes(&hex(
        "E1F97A0D3E018BE0D64FA32C06DE41390EC675AD498AFEEBB6960B3AABE6",
    ))
    .unwrap()
}

const PLAIN: &str = "800f1234decafbadcafebabeabababababababababababababababab";

/// The packet libsrtp's driver and other implementations check against, derived from the
/// RFC 3711 B.3 keys.
#[test]
fn a_packet_protected_with_the_rfc_keys_matches_the_reference_ciphertext() {
    let mut tx = SrtpContext::new(SrtpSuite::AesCm128HmacSha1_80, &rfc_key());
    let mut out = Vec::new();
    tx.protect_rtp(&hex(PLAIN), &mut out).unwrap();
    assert_eq!(
        out,
        hex("800f1234decafbadcafebabe4e55dc4ce79978d88ca4d215949d2402b78d6acc99ea179b8dbb")
    );
    let mut rx = SrtpContext::new(SrtpSuite::AesCm128HmacSha1_80, &rfc_key());
    let mut back = Vec::new();
    rx.unprotect_rtp(&out, &mut back).unwrap();
    assert_eq!(back, hex(PLAIN));
}

#[test]
fn a_32_bit_tag_packet_round_trips_and_is_four_bytes_longer() {
    let key = SrtpKey::random();
    let mut tx = SrtpContext::new(SrtpSuite::AesCm128HmacSha1_32, &key);
    let mut rx = SrtpContext::new(SrtpSuite::AesCm128HmacSha1_32, &key);
    let (mut out, mut back) = (Vec::new(), Vec::new());
    tx.protect_rtp(&hex(PLAIN), &mut out).unwrap();
    assert_eq!(out.len(), hex(PLAIN).len() + 4);
    assert_ne!(out[12..28], hex(PLAIN)[12..28]);
    rx.unprotect_rtp(&out, &mut back).unwrap();
    assert_eq!(back, hex(PLAIN));
}

#[test]
fn a_forged_or_replayed_packet_is_refused() {
    let key = SrtpKey::random();
    let mut tx = SrtpContext::new(SrtpSuite::AesCm128HmacSha1_80, &key);
    let mut rx = SrtpContext::new(SrtpSuite::AesCm128HmacSha1_80, &key);
    let (mut out, mut back) = (Vec::new(), Vec::new());
    tx.protect_rtp(&hex(PLAIN), &mut out).unwrap();
    let mut forged = out.clone();
    forged[14] ^= 1;
    assert!(rx.unprotect_rtp(&forged, &mut back).is_err());
    rx.unprotect_rtp(&out, &mut back).unwrap();
    assert!(rx.unprotect_rtp(&out, &mut back).is_err(), "replay");
    let other = SrtpKey::random();
    let mut wrong = SrtpContext::new(SrtpSuite::AesCm128HmacSha1_80, &other);
    assert!(wrong.unprotect_rtp(&out, &mut back).is_err());
    assert!(rx.unprotect_rtp(&out[..5], &mut back).is_err());
}

#[test]
fn a_stream_crossing_the_sequence_wrap_keeps_decrypting() {
    let key = SrtpKey::random();
    let mut tx = SrtpContext::new(SrtpSuite::AesCm128HmacSha1_80, &key);
    let mut rx = SrtpContext::new(SrtpSuite::AesCm128HmacSha1_80, &key);
    let (mut out, mut back) = (Vec::new(), Vec::new());
    let mut packet = hex(PLAIN);
    for seq in (65_530u32..65_546).map(|s| (s % 65_536) as u16) {
        packet[2..4].copy_from_slice(&seq.to_be_bytes());
        packet[20] = seq as u8;
        tx.protect_rtp(&packet, &mut out).unwrap();
        rx.unprotect_rtp(&out, &mut back).unwrap();
        assert_eq!(back, packet);
    }
}

#[test]
fn an_rtcp_report_round_trips_and_is_encrypted_after_its_ssrc() {
    let key = SrtpKey::random();
    let mut tx = SrtpContext::new(SrtpSuite::AesCm128HmacSha1_32, &key);
    let mut rx = SrtpContext::new(SrtpSuite::AesCm128HmacSha1_32, &key);
    // A receiver report with one block.
    let rr = hex("81c90007deadbeef0102030400000000000000010000000000000000000000");
    let rr = [rr, vec![0]].concat();
    let (mut out, mut back) = (Vec::new(), Vec::new());
    tx.protect_rtcp(&rr, &mut out).unwrap();
    assert_eq!(out.len(), rr.len() + 4 + 10);
    assert_eq!(out[..8], rr[..8]);
    assert_ne!(out[8..rr.len()], rr[8..]);
    rx.unprotect_rtcp(&out, &mut back).unwrap();
    assert_eq!(back, rr);
    assert!(rx.unprotect_rtcp(&out, &mut back).is_err(), "replay");
    let last = out.len() - 1;
    tx.protect_rtcp(&rr, &mut out).unwrap();
    out[last] ^= 0x80;
    assert!(rx.unprotect_rtcp(&out, &mut back).is_err(), "forged");
}
