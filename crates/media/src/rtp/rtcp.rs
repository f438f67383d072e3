//! Recognising RTCP packets (RFC 3550 §6) well enough to count, forward and demultiplex
//! them; report bodies are not interpreted.

use crate::Error;

/// RTCP packet types (RFC 3550 §12.1, RFC 4585 §6.1, RFC 3611 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RtcpType {
    SenderReport,
    ReceiverReport,
    SourceDescription,
    Goodbye,
    App,
    TransportFeedback,
    PayloadFeedback,
    ExtendedReport,
    Other(u8),
}

impl RtcpType {
    pub fn from_u8(value: u8) -> Self {
        match value {
            200 => RtcpType::SenderReport,
            201 => RtcpType::ReceiverReport,
            202 => RtcpType::SourceDescription,
            203 => RtcpType::Goodbye,
            204 => RtcpType::App,
            205 => RtcpType::TransportFeedback,
            206 => RtcpType::PayloadFeedback,
            207 => RtcpType::ExtendedReport,
            other => RtcpType::Other(other),
        }
    }

    pub fn to_u8(self) -> u8 {
        match self {
            RtcpType::SenderReport => 200,
            RtcpType::ReceiverReport => 201,
            RtcpType::SourceDescription => 202,
            RtcpType::Goodbye => 203,
            RtcpType::App => 204,
            RtcpType::TransportFeedback => 205,
            RtcpType::PayloadFeedback => 206,
            RtcpType::ExtendedReport => 207,
            RtcpType::Other(v) => v,
        }
    }
}

/// The common header of one RTCP packet inside a compound datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RtcpHeader {
    pub packet_type: RtcpType,
    /// The five-bit RC/SC/FMT field: report count, source count or feedback format.
    pub count: u8,
    pub padding: bool,
    /// Whole packet length in octets, header included (RFC 3550 §6.4.1 length + 1 words).
    pub len: usize,
    /// The first SSRC after the header (the sender's, for SR/RR/feedback), when present.
    pub ssrc: Option<u32>,
}

impl RtcpHeader {
    /// Appends a header for a packet of `len` octets (a multiple of four, at least four).
    pub fn write(packet_type: RtcpType, count: u8, len: usize, out: &mut Vec<u8>) {
        let words = (len / 4).saturating_sub(1).min(usize::from(u16::MAX)) as u16;
        out.push(2 << 6 | (count & 0x1f));
        out.push(packet_type.to_u8());
        out.extend_from_slice(&words.to_be_bytes());
    }
}

/// RFC 5761 §4: with RTP and RTCP on one port, a second octet of 192–223 (payload types
/// 64–95 with the marker bit) marks RTCP; RTP avoids those payload types.
pub fn is_rtcp(buf: &[u8]) -> bool {
    matches!(buf, [first, second, ..] if first >> 6 == 2 && (192..=223).contains(second))
}

/// Iterator over the packets of a compound RTCP datagram.
///
/// Yields an error and stops at the first packet that does not fit.
#[derive(Debug, Clone)]
pub struct RtcpPackets<'a> {
    rest: &'a [u8],
}

impl<'a> RtcpPackets<'a> {
    pub fn new(datagram: &'a [u8]) -> Self {
        RtcpPackets { rest: datagram }
    }
}

impl Iterator for RtcpPackets<'_> {
    type Item = Result<RtcpHeader, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        let parsed = parse_one(self.rest);
        match parsed {
            Ok(header) => self.rest = self.rest.get(header.len..).unwrap_or_default(),
            Err(_) => self.rest = &[],
        }
        Some(parsed)
    }
}

fn parse_one(buf: &[u8]) -> Result<RtcpHeader, Error> {
    let head: &[u8; 4] = buf.first_chunk().ok_or(Error::Rtcp)?;
    if head[0] >> 6 != 2 {
        return Err(Error::Rtcp);
    }
    let len = (usize::from(u16::from_be_bytes([head[2], head[3]])) + 1) * 4;
    let packet = buf.get(..len).ok_or(Error::Rtcp)?;
    let ssrc = packet
        .get(4..8)
        .and_then(|b| b.first_chunk::<4>())
        .map(|b| u32::from_be_bytes(*b));
    Ok(RtcpHeader {
        packet_type: RtcpType::from_u8(head[1]),
        count: head[0] & 0x1f,
        padding: head[0] & 0x20 != 0,
        len,
        ssrc,
    })
}
