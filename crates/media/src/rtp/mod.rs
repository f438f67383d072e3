//! RTP and RTCP wire formats (RFC 3550) and RFC 4733 telephone-events.

mod packet;
mod rtcp;
mod telephone_event;

pub use packet::{CsrcList, Extension, RtpPacket, MAX_CSRC};
pub use rtcp::{is_rtcp, RtcpHeader, RtcpPackets, RtcpType};
pub use telephone_event::TelephoneEvent;
