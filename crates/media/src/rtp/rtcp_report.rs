//! RTCP reports (RFC 3550 §6.4, §6.5, §6.6): sender and receiver reports with their
//! report blocks, the CNAME of a source description and BYE, built into and read from
//! compound datagrams (§6.1). Reading never panics: every field is taken with a bounds
//! check and a malformed packet makes the whole datagram an error.

use super::rtcp::{RtcpHeader, RtcpPackets, RtcpType};
use crate::Error;

/// RFC 3550 §6.4.1: the report count is a five-bit field.
pub const MAX_REPORT_BLOCKS: usize = 31;

/// RFC 3550 §6.5.1: SDES item type of the canonical name.
const SDES_CNAME: u8 = 1;

/// RFC 3550 §6.4.1: one report block, what a receiver says about one source it hears.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReportBlock {
    /// The source this block is about.
    pub ssrc: u32,
    /// Packets lost since the previous report, as a fraction of 256.
    pub fraction_lost: u8,
    /// Packets lost since the start, a 24-bit signed count (duplicates can make it
    /// negative).
    pub cumulative_lost: i32,
    /// Extended highest sequence number received: cycles in the high 16 bits.
    pub highest_sequence: u32,
    /// Interarrival jitter in RTP timestamp units (§6.4.1, §A.8).
    pub jitter: u32,
    /// The middle 32 bits of the NTP timestamp of the last SR from this source, or 0.
    pub last_sr: u32,
    /// Delay since that SR was received, in 1/65536 s, or 0.
    pub delay_since_last_sr: u32,
}

/// RFC 3550 §6.4.1: the sender information of an SR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SenderInfo {
    /// Wall clock time of the report, NTP format (32.32 fixed point seconds).
    pub ntp: u64,
    /// The same instant in the RTP timestamp units of the stream.
    pub rtp_timestamp: u32,
    pub packet_count: u32,
    pub octet_count: u32,
}

/// One packet of a compound datagram, the kinds a voice call uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RtcpPacket {
    SenderReport {
        ssrc: u32,
        info: SenderInfo,
        reports: Vec<ReportBlock>,
    },
    ReceiverReport {
        ssrc: u32,
        reports: Vec<ReportBlock>,
    },
    /// The CNAME of each chunk (other SDES items are skipped; `None` without a CNAME).
    SourceDescription { chunks: Vec<(u32, Option<String>)> },
    Goodbye {
        sources: Vec<u32>,
        reason: Option<String>,
    },
    /// APP, feedback, XR and unknown packets: recognised and skipped.
    Other(RtcpType),
}

impl RtcpPacket {
    /// Appends the packet in wire format. Report blocks and sources past 31 are left
    /// out (the count field has five bits); a CNAME or reason is cut at 255 octets.
    pub fn write(&self, out: &mut Vec<u8>) {
        let start = out.len();
        match self {
            RtcpPacket::SenderReport {
                ssrc,
                info,
                reports,
            } => {
                let reports = reports.get(..MAX_REPORT_BLOCKS).unwrap_or(reports);
                let len = 28 + 24 * reports.len();
                RtcpHeader::write(RtcpType::SenderReport, reports.len() as u8, len, out);
                out.extend_from_slice(&ssrc.to_be_bytes());
                out.extend_from_slice(&info.ntp.to_be_bytes());
                out.extend_from_slice(&info.rtp_timestamp.to_be_bytes());
                out.extend_from_slice(&info.packet_count.to_be_bytes());
                out.extend_from_slice(&info.octet_count.to_be_bytes());
                reports.iter().for_each(|b| write_block(b, out));
            }
            RtcpPacket::ReceiverReport { ssrc, reports } => {
                let reports = reports.get(..MAX_REPORT_BLOCKS).unwrap_or(reports);
                let len = 8 + 24 * reports.len();
                RtcpHeader::write(RtcpType::ReceiverReport, reports.len() as u8, len, out);
                out.extend_from_slice(&ssrc.to_be_bytes());
                reports.iter().for_each(|b| write_block(b, out));
            }
            RtcpPacket::SourceDescription { chunks } => {
                let chunks = chunks.get(..MAX_REPORT_BLOCKS).unwrap_or(chunks);
                out.extend_from_slice(&[0; 4]);
                for (ssrc, cname) in chunks {
                    out.extend_from_slice(&ssrc.to_be_bytes());
                    if let Some(cname) = cname {
                        let text = cut(cname);
                        out.push(SDES_CNAME);
                        out.push(text.len() as u8);
                        out.extend_from_slice(text);
                    }
                    // RFC 3550 §6.5: the item list ends with a null octet, then pads
                    // with nulls to the next 32-bit boundary.
                    out.push(0);
                    pad(start, out);
                }
                let len = out.len() - start;
                rewrite_header(RtcpType::SourceDescription, chunks.len(), start, len, out);
            }
            RtcpPacket::Goodbye { sources, reason } => {
                let sources = sources.get(..MAX_REPORT_BLOCKS).unwrap_or(sources);
                out.extend_from_slice(&[0; 4]);
                sources
                    .iter()
                    .for_each(|s| out.extend_from_slice(&s.to_be_bytes()));
                if let Some(reason) = reason {
                    let text = cut(reason);
                    out.push(text.len() as u8);
                    out.extend_from_slice(text);
                    pad(start, out);
                }
                let len = out.len() - start;
                rewrite_header(RtcpType::Goodbye, sources.len(), start, len, out);
            }
            RtcpPacket::Other(_) => {}
        }
    }

    /// The packets of a compound datagram, checked as RFC 3550 §A.2 suggests: version
    /// 2 throughout, an SR or RR first, padding only in the last packet, and lengths that
    /// add up to the datagram.
    pub fn parse_compound(datagram: &[u8]) -> Result<Vec<RtcpPacket>, Error> {
        let mut packets = Vec::new();
        let mut offset = 0usize;
        for header in RtcpPackets::new(datagram) {
            let header = header?;
            let body = datagram
                .get(offset..offset + header.len)
                .ok_or(Error::Rtcp)?;
            offset += header.len;
            if header.padding && offset != datagram.len() {
                return Err(Error::Rtcp);
            }
            if packets.is_empty()
                && !matches!(
                    header.packet_type,
                    RtcpType::SenderReport | RtcpType::ReceiverReport
                )
            {
                return Err(Error::Rtcp);
            }
            packets.push(parse_packet(&header, body)?);
        }
        if packets.is_empty() || offset != datagram.len() {
            return Err(Error::Rtcp);
        }
        Ok(packets)
    }
}

/// Appends a compound datagram: the packets one after the other (RFC 3550 §6.1: the
/// caller puts an SR or RR first and an SDES with the CNAME after it).
pub fn write_compound(packets: &[RtcpPacket], out: &mut Vec<u8>) {
    packets.iter().for_each(|p| p.write(out));
}

fn write_block(block: &ReportBlock, out: &mut Vec<u8>) {
    out.extend_from_slice(&block.ssrc.to_be_bytes());
    out.push(block.fraction_lost);
    // RFC 3550 §6.4.1: cumulative lost is a signed 24-bit count; clamp, don't wrap.
    let lost = block.cumulative_lost.clamp(-0x80_0000, 0x7f_ffff);
    out.extend_from_slice(&lost.to_be_bytes()[1..]);
    out.extend_from_slice(&block.highest_sequence.to_be_bytes());
    out.extend_from_slice(&block.jitter.to_be_bytes());
    out.extend_from_slice(&block.last_sr.to_be_bytes());
    out.extend_from_slice(&block.delay_since_last_sr.to_be_bytes());
}

/// At most 255 octets (the length is one octet), cut at a character boundary.
fn cut(text: &str) -> &[u8] {
    let mut end = text.len().min(255);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.as_bytes().get(..end).unwrap_or_default()
}

/// Pads with nulls from `start` to a multiple of four octets.
fn pad(start: usize, out: &mut Vec<u8>) {
    while !(out.len() - start).is_multiple_of(4) {
        out.push(0);
    }
}

fn rewrite_header(kind: RtcpType, count: usize, start: usize, len: usize, out: &mut [u8]) {
    let mut header = Vec::with_capacity(4);
    RtcpHeader::write(kind, count as u8, len, &mut header);
    if let Some(slot) = out.get_mut(start..start + 4) {
        slot.copy_from_slice(&header);
    }
}

/// Reads one packet; `body` is the whole packet, header included.
fn parse_packet(header: &RtcpHeader, packet: &[u8]) -> Result<RtcpPacket, Error> {
    let body = unpadded(header, packet)?;
    let count = usize::from(header.count);
    match header.packet_type {
        RtcpType::SenderReport => {
            let ssrc = word(body, 4)?;
            let info = SenderInfo {
                ntp: (u64::from(word(body, 8)?) << 32) | u64::from(word(body, 12)?),
                rtp_timestamp: word(body, 16)?,
                packet_count: word(body, 20)?,
                octet_count: word(body, 24)?,
            };
            let reports = blocks(body, 28, count)?;
            Ok(RtcpPacket::SenderReport {
                ssrc,
                info,
                reports,
            })
        }
        RtcpType::ReceiverReport => Ok(RtcpPacket::ReceiverReport {
            ssrc: word(body, 4)?,
            reports: blocks(body, 8, count)?,
        }),
        RtcpType::SourceDescription => parse_sdes(body, count),
        RtcpType::Goodbye => {
            let sources = (0..count)
                .map(|i| word(body, 4 + 4 * i))
                .collect::<Result<Vec<_>, _>>()?;
            let at = 4 + 4 * count;
            let reason = match body.get(at) {
                Some(&n) => {
                    let text = body
                        .get(at + 1..at + 1 + usize::from(n))
                        .ok_or(Error::Rtcp)?;
                    Some(String::from_utf8_lossy(text).into_owned())
                }
                None => None,
            };
            Ok(RtcpPacket::Goodbye { sources, reason })
        }
        other => Ok(RtcpPacket::Other(other)),
    }
}

/// RFC 3550 §6.4.1: with the padding bit, the last octet counts the padding octets.
fn unpadded<'a>(header: &RtcpHeader, packet: &'a [u8]) -> Result<&'a [u8], Error> {
    if !header.padding {
        return Ok(packet);
    }
    let n = usize::from(*packet.last().ok_or(Error::Rtcp)?);
    if n == 0 || n + 4 > packet.len() {
        return Err(Error::Rtcp);
    }
    packet.get(..packet.len() - n).ok_or(Error::Rtcp)
}

fn word(buf: &[u8], at: usize) -> Result<u32, Error> {
    let bytes = buf.get(at..at + 4).ok_or(Error::Rtcp)?;
    let array: [u8; 4] = bytes.try_into().map_err(|_| Error::Rtcp)?;
    Ok(u32::from_be_bytes(array))
}

fn blocks(body: &[u8], at: usize, count: usize) -> Result<Vec<ReportBlock>, Error> {
    (0..count)
        .map(|i| {
            let b = at + 24 * i;
            let lost = word(body, b + 4)?;
            // The low 24 bits, sign-extended.
            let cumulative_lost = ((lost << 8) as i32) >> 8;
            Ok(ReportBlock {
                ssrc: word(body, b)?,
                fraction_lost: (lost >> 24) as u8,
                cumulative_lost,
                highest_sequence: word(body, b + 8)?,
                jitter: word(body, b + 12)?,
                last_sr: word(body, b + 16)?,
                delay_since_last_sr: word(body, b + 20)?,
            })
        })
        .collect()
}

/// RFC 3550 §6.5: chunks of an SSRC and items, each chunk ending with a null octet and
/// padded to a 32-bit boundary.
fn parse_sdes(body: &[u8], count: usize) -> Result<RtcpPacket, Error> {
    let mut chunks = Vec::with_capacity(count.min(MAX_REPORT_BLOCKS));
    let mut at = 4usize;
    for _ in 0..count {
        let ssrc = word(body, at)?;
        at += 4;
        let mut cname = None;
        loop {
            let kind = *body.get(at).ok_or(Error::Rtcp)?;
            if kind == 0 {
                at += 1;
                break;
            }
            let len = usize::from(*body.get(at + 1).ok_or(Error::Rtcp)?);
            let text = body.get(at + 2..at + 2 + len).ok_or(Error::Rtcp)?;
            if kind == SDES_CNAME {
                cname = Some(String::from_utf8_lossy(text).into_owned());
            }
            at += 2 + len;
        }
        at = at.div_ceil(4) * 4;
        chunks.push((ssrc, cname));
    }
    Ok(RtcpPacket::SourceDescription { chunks })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(ssrc: u32, lost: i32) -> ReportBlock {
        ReportBlock {
            ssrc,
            fraction_lost: 26,
            cumulative_lost: lost,
            highest_sequence: 0x0001_0005,
            jitter: 77,
            last_sr: 0x1234_5678,
            delay_since_last_sr: 65_536,
        }
    }

    #[test]
    fn a_compound_report_reads_back_as_written() {
        let packets = vec![
            RtcpPacket::SenderReport {
                ssrc: 0xdead_beef,
                info: SenderInfo {
                    ntp: 0x0102_0304_0506_0708,
                    rtp_timestamp: 960,
                    packet_count: 50,
                    octet_count: 4000,
                },
                reports: vec![block(7, 3), block(8, -2)],
            },
            RtcpPacket::SourceDescription {
                chunks: vec![(0xdead_beef, Some("phone@example.org".into()))],
            },
            RtcpPacket::Goodbye {
                sources: vec![0xdead_beef],
                reason: Some("hung up".into()),
            },
        ];
        let mut wire = Vec::new();
        write_compound(&packets, &mut wire);
        assert_eq!(wire.len() % 4, 0);
        assert_eq!(RtcpPacket::parse_compound(&wire), Ok(packets));
    }

    #[test]
    fn a_receiver_report_with_no_blocks_and_every_cname_length_round_trips() {
        for n in 0..8 {
            let cname = "x".repeat(n);
            let packets = vec![
                RtcpPacket::ReceiverReport {
                    ssrc: 1,
                    reports: vec![],
                },
                RtcpPacket::SourceDescription {
                    chunks: vec![(1, Some(cname)), (2, None)],
                },
            ];
            let mut wire = Vec::new();
            write_compound(&packets, &mut wire);
            assert_eq!(RtcpPacket::parse_compound(&wire), Ok(packets));
        }
    }

    #[test]
    fn cumulative_loss_beyond_24_bits_is_clamped_not_wrapped() {
        let rr = RtcpPacket::ReceiverReport {
            ssrc: 1,
            reports: vec![block(2, 0x0100_0000)],
        };
        let mut wire = Vec::new();
        rr.write(&mut wire);
        let Ok(parsed) = RtcpPacket::parse_compound(&wire) else {
            panic!("not parsed");
        };
        let RtcpPacket::ReceiverReport { reports, .. } = &parsed[0] else {
            panic!("not an RR");
        };
        assert_eq!(reports[0].cumulative_lost, 0x7f_ffff);
    }

    #[test]
    fn datagrams_that_break_section_6_1_are_refused() {
        let mut sdes_first = Vec::new();
        RtcpPacket::SourceDescription {
            chunks: vec![(1, None)],
        }
        .write(&mut sdes_first);
        assert!(RtcpPacket::parse_compound(&sdes_first).is_err());
        assert!(RtcpPacket::parse_compound(&[]).is_err());
        // An RR that claims a report block it does not carry.
        let mut short = Vec::new();
        RtcpPacket::ReceiverReport {
            ssrc: 1,
            reports: vec![],
        }
        .write(&mut short);
        short[0] |= 1;
        assert!(RtcpPacket::parse_compound(&short).is_err());
        // Trailing octets that are no packet.
        let mut trailing = Vec::new();
        RtcpPacket::ReceiverReport {
            ssrc: 1,
            reports: vec![],
        }
        .write(&mut trailing);
        trailing.extend_from_slice(&[0x80, 201]);
        assert!(RtcpPacket::parse_compound(&trailing).is_err());
    }

    #[test]
    fn padding_in_the_last_packet_is_stripped() {
        let mut wire = Vec::new();
        RtcpPacket::ReceiverReport {
            ssrc: 9,
            reports: vec![],
        }
        .write(&mut wire);
        wire[0] |= 0x20;
        wire[3] += 1;
        wire.extend_from_slice(&[0, 0, 0, 4]);
        let parsed = RtcpPacket::parse_compound(&wire);
        assert_eq!(
            parsed,
            Ok(vec![RtcpPacket::ReceiverReport {
                ssrc: 9,
                reports: vec![]
            }])
        );
    }

    #[test]
    fn no_prefix_of_a_report_panics() {
        let mut wire = Vec::new();
        RtcpPacket::SenderReport {
            ssrc: 1,
            info: SenderInfo::default(),
            reports: vec![block(2, 1)],
        }
        .write(&mut wire);
        RtcpPacket::SourceDescription {
            chunks: vec![(1, Some("a@b".into()))],
        }
        .write(&mut wire);
        for end in 0..wire.len() {
            let mut cut = wire[..end].to_vec();
            assert!(RtcpPacket::parse_compound(&cut).is_err() || end % 4 == 0);
            for i in 0..cut.len() {
                cut[i] ^= 0xff;
                let _ = RtcpPacket::parse_compound(&cut);
                cut[i] ^= 0xff;
            }
        }
    }
}
