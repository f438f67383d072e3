//! RTCP compound packets (RFC 3550 §6) and RFC 4733 telephone-event payloads.

use media::rtp::{is_rtcp, RtcpHeader, RtcpPackets, RtcpType, RtpPacket, TelephoneEvent};
use proptest::prelude::*;

fn receiver_report_then_bye(ssrc: u32) -> Vec<u8> {
    let mut buf = Vec::new();
    RtcpHeader::write(RtcpType::ReceiverReport, 0, 8, &mut buf);
    buf.extend(ssrc.to_be_bytes());
    RtcpHeader::write(RtcpType::Goodbye, 1, 8, &mut buf);
    buf.extend(ssrc.to_be_bytes());
    buf
}

#[test]
fn compound_packet_yields_each_type_in_order() {
    let buf = receiver_report_then_bye(0xabcd);
    let headers: Vec<_> = RtcpPackets::new(&buf)
        .collect::<Result<_, _>>()
        .expect("valid");
    let types: Vec<_> = headers.iter().map(|h| h.packet_type).collect();
    assert_eq!(types, [RtcpType::ReceiverReport, RtcpType::Goodbye]);
    assert_eq!(headers[1].count, 1);
    assert!(headers.iter().all(|h| h.ssrc == Some(0xabcd) && h.len == 8));
}

#[test]
fn truncated_compound_packet_ends_in_an_error() {
    let buf = receiver_report_then_bye(1);
    let results: Vec<_> = RtcpPackets::new(&buf[..12]).collect();
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok() && results[1].is_err());
}

#[test]
fn rtcp_is_told_apart_from_rtp_on_a_shared_port() {
    assert!(is_rtcp(&receiver_report_then_bye(1)));
    let mut rtp = Vec::new();
    RtpPacket::new(0, 1, 2, 3, &[0xff; 160]).write(&mut rtp);
    assert!(!is_rtcp(&rtp));
    let mut dynamic = Vec::new();
    RtpPacket::new(101, 1, 2, 3, &[0; 4]).write(&mut dynamic);
    assert!(!is_rtcp(&dynamic));
}

#[test]
fn telephone_event_fields_follow_rfc_4733_layout() {
    // Digit 5, end bit, volume 10, duration 800 (RFC 4733 §2.3 figure 1).
    let bytes = [5, 0x80 | 10, 0x03, 0x20];
    let event = TelephoneEvent::parse(&bytes).expect("four octets");
    assert_eq!(
        event,
        TelephoneEvent {
            event: 5,
            end: true,
            volume: 10,
            duration: 800
        }
    );
    assert_eq!(event.digit(), Some('5'));
    assert_eq!(event.to_bytes(), bytes);
    assert!(TelephoneEvent::parse(&bytes[..3]).is_err());
}

#[test]
fn every_dtmf_key_maps_to_its_event_and_back() {
    for (key, code) in "0123456789*#ABCD".chars().zip(0u8..) {
        assert_eq!(TelephoneEvent::event_for_digit(key), Some(code));
        let e = TelephoneEvent {
            event: code,
            end: false,
            volume: 0,
            duration: 0,
        };
        assert_eq!(e.digit(), Some(key));
    }
    assert_eq!(TelephoneEvent::event_for_digit('x'), None);
    let flash = TelephoneEvent {
        event: 16,
        end: false,
        volume: 0,
        duration: 0,
    };
    assert_eq!(flash.digit(), None);
}

proptest! {
    #[test]
    fn telephone_events_round_trip(event in any::<u8>(), end in any::<bool>(), volume in 0u8..64, duration in any::<u16>()) {
        let e = TelephoneEvent { event, end, volume, duration };
        prop_assert_eq!(TelephoneEvent::parse(&e.to_bytes()), Ok(e));
    }

    #[test]
    fn arbitrary_rtcp_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let total: usize = RtcpPackets::new(&bytes).filter_map(Result::ok).map(|h| h.len).sum();
        prop_assert!(total <= bytes.len());
        let _ = is_rtcp(&bytes);
    }
}
