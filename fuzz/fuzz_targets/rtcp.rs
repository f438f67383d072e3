//! An RTCP datagram (or an RTP one on a muxed port, RFC 5761): telling them apart and
//! walking a compound packet must never panic and always end.
#![no_main]

use libfuzzer_sys::fuzz_target;
use media::rtp::{is_rtcp, RtcpPackets};

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
});
