//! An RTP datagram from a phone or a trunk: parsing and the RFC 4733 telephone-event
//! payload must never panic, and a parsed packet written back parses to the same fields.
#![no_main]

use libfuzzer_sys::fuzz_target;
use media::rtp::{RtpPacket, TelephoneEvent};

fuzz_target!(|data: &[u8]| {
    let Ok(packet) = RtpPacket::parse(data) else {
        return;
    };
    let _ = packet.header_len();
    if let Ok(event) = TelephoneEvent::parse(packet.payload) {
        let _ = event.digit();
        let _ = TelephoneEvent::parse(&event.to_bytes());
    }
    let mut out = Vec::new();
    packet.write(&mut out);
    let again = RtpPacket::parse(&out).expect("a written packet parses");
    assert_eq!(again.payload, packet.payload);
    assert_eq!(again.sequence, packet.sequence);
    assert_eq!(again.timestamp, packet.timestamp);
    assert_eq!(again.ssrc, packet.ssrc);
    assert_eq!(again.csrc.as_slice(), packet.csrc.as_slice());
});
