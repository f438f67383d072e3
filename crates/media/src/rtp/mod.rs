//! RTP and RTCP wire formats (RFC 3550) and RFC 4733 telephone-events.

mod packet;
mod rtcp;
mod rtcp_report;
mod rtcp_session;
mod rtcp_stats;
mod telephone_event;

pub use packet::{CsrcList, Extension, RtpPacket, MAX_CSRC};
pub use rtcp::{is_rtcp, RtcpHeader, RtcpPackets, RtcpType};
pub use rtcp_report::{write_compound, ReportBlock, RtcpPacket, SenderInfo, MAX_REPORT_BLOCKS};
pub use rtcp_session::{CallQuality, RtcpSession, MAX_LOSS_HINT};
pub use rtcp_stats::{round_trip, NtpClock, ReceiveStats, NTP_UNIX_OFFSET};
pub use telephone_event::TelephoneEvent;
