//! An RTCP datagram (or an RTP one on a muxed port, RFC 5761): telling them apart and
//! walking a compound packet must never panic and always end; nor must reading its
//! reports.
#![no_main]

use libfuzzer_sys::fuzz_target;
use media::rtp::{is_rtcp, RtcpPacket, RtcpPackets};

fuzz_target!(|data: &[u8]| {
    let _ = is_rtcp(data);
    let mut covered = 0usize;
    for packet in RtcpPackets::new(data) {
        let Ok(header) = packet else {
            break;
        };
        assert!(header.len >= 4, "an RTCP packet shorter than its header");
        covered += header.len;
        assert!(covered <= data.len(), "packets reach past the datagram");
    }
    // Reading the reports never panics, and what it reads writes back into a datagram
    // that reads again.
    if let Ok(packets) = RtcpPacket::parse_compound(data) {
        let mut again = Vec::new();
        media::rtp::write_compound(&packets, &mut again);
        assert!(RtcpPacket::parse_compound(&again).is_ok());
    }
});
