//! One RTP session's RTCP (RFC 3550 §6), sans-IO: what we count of the stream we
//! receive and of the one we send, a compound SR or RR with our CNAME about every 5 s,
//! and what the far end's reports say about our stream — its loss (which sets an Opus
//! encoder's loss hint) and the round trip. The softphone runs one per call; the relay
//! runs one per leg whose RTP is its own stream (transcoded, or music on hold).

use std::time::{Duration, Instant};

use super::{
    round_trip, write_compound, NtpClock, ReceiveStats, ReportBlock, RtcpPacket, SenderInfo,
};

/// RFC 3550 §6.2: the minimum interval between reports; a two-party voice call at
/// 5 % of its bandwidth would report more often, so this is the interval used.
const MIN_INTERVAL: Duration = Duration::from_secs(5);
/// RFC 3550 §6.3.1: the randomised interval is divided by e − 3/2 so that the
/// reconsideration algorithm does not make reports rarer than intended.
const COMPENSATION: f64 = 1.218_28;
/// The loss hint is clamped to this: beyond it FEC takes more bits than it saves.
pub const MAX_LOSS_HINT: u8 = 30;

/// The quality figures of a session, as far as they are known.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallQuality {
    /// Of the packets the far end sent us in the last report interval, the share lost
    /// in whole percent.
    pub loss_percent: Option<u8>,
    /// Of the packets we sent, the share the far end last reported lost, in whole percent.
    pub far_loss_percent: Option<u8>,
    /// Interarrival jitter of what we receive (RFC 3550 §A.8).
    pub jitter: Option<Duration>,
    /// Round trip from the far end's last report (RFC 3550 §6.4.1 A − LSR − DLSR).
    pub round_trip: Option<Duration>,
}

/// One session's RTCP state.
#[derive(Debug, Clone)]
pub struct RtcpSession {
    ssrc: u32,
    cname: String,
    clock: NtpClock,
    clock_rate: u32,
    /// The far end's stream: its SSRC and our counts of it.
    remote: Option<(u32, ReceiveStats)>,
    sent_packets: u32,
    sent_octets: u32,
    /// RTP timestamp of the last packet sent and when: an SR names the timestamp of
    /// its own instant (§6.4.1), extrapolated from this.
    last_sent: Option<(u32, Instant)>,
    /// We sent RTP since the last report: the next one is an SR (§6.4).
    sent_since_report: bool,
    next_report: Instant,
    rng: u64,
    /// The far end's last two fraction-lost figures about our stream, in percent.
    far_losses: [Option<u8>; 2],
    quality: CallQuality,
}

impl RtcpSession {
    /// A session for our `ssrc` on a stream with an RTP clock of `clock_rate` Hz,
    /// started at `now`: the first report goes out after half the minimum interval
    /// (RFC 3550 §6.2), randomised by `seed`.
    pub fn new(now: Instant, ssrc: u32, clock_rate: u32, cname: &str, clock: NtpClock) -> Self {
        let mut session = RtcpSession {
            ssrc,
            cname: cname.to_owned(),
            clock,
            clock_rate: clock_rate.max(1),
            remote: None,
            sent_packets: 0,
            sent_octets: 0,
            last_sent: None,
            sent_since_report: false,
            next_report: now,
            rng: u64::from(ssrc) | 1,
            far_losses: [None; 2],
            quality: CallQuality::default(),
        };
        session.next_report = now + session.interval(MIN_INTERVAL / 2);
        session
    }

    /// RFC 3550 §6.3.1: a uniformly random share of 0.5–1.5 of `base`, compensated.
    fn interval(&mut self, base: Duration) -> Duration {
        self.rng ^= self.rng << 13;
        self.rng ^= self.rng >> 7;
        self.rng ^= self.rng << 17;
        let unit = (self.rng >> 11) as f64 / (1u64 << 53) as f64;
        base.mul_f64((0.5 + unit) / COMPENSATION)
    }

    /// Our stream changed source (another SSRC, perhaps another clock): its counts
    /// start afresh (RFC 3550 §6.4.1: an SR's counts are those of its SSRC). What we
    /// count of the far end's stream and its figures stay.
    pub fn restart(&mut self, ssrc: u32, clock_rate: u32) {
        self.ssrc = ssrc;
        self.sent_packets = 0;
        self.sent_octets = 0;
        self.last_sent = None;
        if clock_rate.max(1) != self.clock_rate {
            self.clock_rate = clock_rate.max(1);
            self.remote = None;
        }
    }

    /// Our SSRC and RTP clock rate.
    pub fn source(&self) -> (u32, u32) {
        (self.ssrc, self.clock_rate)
    }

    /// Counts an RTP packet we sent.
    pub fn on_sent(&mut self, now: Instant, timestamp: u32, payload_len: usize) {
        self.sent_packets = self.sent_packets.wrapping_add(1);
        self.sent_octets = self
            .sent_octets
            .wrapping_add(u32::try_from(payload_len).unwrap_or(u32::MAX));
        self.last_sent = Some((timestamp, now));
        self.sent_since_report = true;
    }

    /// Counts an RTP packet of the far end's stream. A new SSRC (the far end restarted
    /// its stream, or the PBX put someone else through) starts fresh counts.
    pub fn on_received(&mut self, now: Instant, ssrc: u32, sequence: u16, timestamp: u32) {
        match &mut self.remote {
            Some((known, stats)) if *known == ssrc => stats.on_packet(now, sequence, timestamp),
            _ => {
                let mut stats = ReceiveStats::new(self.clock_rate);
                stats.on_packet(now, sequence, timestamp);
                self.remote = Some((ssrc, stats));
            }
        }
    }

    /// When the next report is due.
    pub fn poll_timeout(&self) -> Instant {
        self.next_report
    }

    /// Appends the compound report due at `now` to `out` (an SR while we send, else an
    /// RR, then an SDES with our CNAME, RFC 3550 §6.1); false when none is due.
    pub fn poll_report(&mut self, now: Instant, out: &mut Vec<u8>) -> bool {
        if now < self.next_report {
            return false;
        }
        self.next_report = now + self.interval(MIN_INTERVAL);
        let reports: Vec<ReportBlock> = match &mut self.remote {
            Some((ssrc, stats)) if stats.has_packets() => {
                let block = stats.report_block(now, *ssrc);
                self.quality.loss_percent = Some(percent(block.fraction_lost).round() as u8);
                self.quality.jitter = Some(stats.jitter_duration());
                vec![block]
            }
            _ => Vec::new(),
        };
        let first = if std::mem::take(&mut self.sent_since_report) {
            RtcpPacket::SenderReport {
                ssrc: self.ssrc,
                info: self.sender_info(now),
                reports,
            }
        } else {
            RtcpPacket::ReceiverReport {
                ssrc: self.ssrc,
                reports,
            }
        };
        let sdes = RtcpPacket::SourceDescription {
            chunks: vec![(self.ssrc, Some(self.cname.clone()))],
        };
        write_compound(&[first, sdes], out);
        true
    }

    fn sender_info(&self, now: Instant) -> SenderInfo {
        let rtp_timestamp = match self.last_sent {
            Some((ts, at)) => {
                let since = now.saturating_duration_since(at);
                let units = since.as_micros() * u128::from(self.clock_rate) / 1_000_000;
                ts.wrapping_add(units as u32)
            }
            None => 0,
        };
        SenderInfo {
            ntp: self.clock.at(now),
            rtp_timestamp,
            packet_count: self.sent_packets,
            octet_count: self.sent_octets,
        }
    }

    /// Appends a BYE for our SSRC (after an RR, as §6.1 wants every compound to
    /// start with a report): what goes out when the call ends.
    pub fn bye(&self, out: &mut Vec<u8>) {
        let packets = [
            RtcpPacket::ReceiverReport {
                ssrc: self.ssrc,
                reports: Vec::new(),
            },
            RtcpPacket::Goodbye {
                sources: vec![self.ssrc],
                reason: None,
            },
        ];
        write_compound(&packets, out);
    }

    /// Reads a compound RTCP datagram that arrived at `now`. Returns the new loss hint
    /// for our encoder when it carried a report block about our stream; malformed
    /// datagrams are ignored.
    pub fn handle_rtcp(&mut self, now: Instant, datagram: &[u8]) -> Option<u8> {
        let packets = RtcpPacket::parse_compound(datagram).ok()?;
        let mut hint = None;
        for packet in &packets {
            let reports = match packet {
                RtcpPacket::SenderReport {
                    ssrc,
                    info,
                    reports,
                    ..
                } => {
                    if let Some((known, stats)) = &mut self.remote {
                        if known == ssrc {
                            stats.on_sender_report(now, info.ntp);
                        }
                    }
                    reports
                }
                RtcpPacket::ReceiverReport { reports, .. } => reports,
                _ => continue,
            };
            let ours = self.ssrc;
            for block in reports.iter().filter(|b| b.ssrc == ours) {
                hint = Some(self.on_block(now, block));
            }
        }
        hint
    }

    /// A report block about our stream: its loss becomes the encoder's hint, the
    /// larger of the last two figures (a single clean interval between lossy ones
    /// should not switch FEC off), clamped to 0–30 %; below 1 % it is 0 (FEC off).
    fn on_block(&mut self, now: Instant, block: &ReportBlock) -> u8 {
        let loss = percent(block.fraction_lost);
        self.quality.far_loss_percent = Some(loss.round() as u8);
        if let Some(rtt) = round_trip(self.clock.at(now), block) {
            self.quality.round_trip = Some(rtt);
        }
        self.far_losses = [Some(loss.round() as u8), self.far_losses[0]];
        let worst = self.far_losses.iter().flatten().copied().max().unwrap_or(0);
        worst.min(MAX_LOSS_HINT)
    }

    /// The call's quality figures so far.
    pub fn quality(&self) -> CallQuality {
        self.quality
    }
}

/// RFC 3550 §6.4.1: fraction lost is a fixed point number with the binary point at
/// the left edge.
fn percent(fraction_lost: u8) -> f32 {
    f32::from(fraction_lost) * 100.0 / 256.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rtp::NTP_UNIX_OFFSET;

    fn session(now: Instant, ssrc: u32) -> RtcpSession {
        let clock = NtpClock::new(now, NTP_UNIX_OFFSET + Duration::from_secs(1_800_000_000));
        RtcpSession::new(now, ssrc, 48_000, "phone@example.org", clock)
    }

    #[test]
    fn reports_come_every_few_seconds_randomised_and_never_before_due() {
        let t0 = Instant::now();
        let mut s = session(t0, 42);
        let first = s.poll_timeout() - t0;
        assert!(first >= Duration::from_millis(1000) && first <= Duration::from_millis(3100));
        let mut out = Vec::new();
        assert!(!s.poll_report(t0, &mut out));
        assert!(out.is_empty());
        let mut at = s.poll_timeout();
        let mut gaps = Vec::new();
        for _ in 0..20 {
            assert!(s.poll_report(at, &mut out));
            let next = s.poll_timeout();
            gaps.push(next - at);
            at = next;
        }
        assert!(gaps
            .iter()
            .all(|g| *g >= Duration::from_millis(2000) && *g <= Duration::from_millis(6200)));
        assert!(gaps.windows(2).any(|w| w[0] != w[1]), "randomised");
    }

    #[test]
    fn a_sender_reports_with_an_sr_and_a_listener_with_an_rr_both_with_its_cname() {
        let t0 = Instant::now();
        let mut s = session(t0, 42);
        let mut out = Vec::new();
        s.on_sent(t0, 1000, 80);
        s.on_received(t0, 7, 1, 960);
        assert!(s.poll_report(s.poll_timeout(), &mut out));
        let packets = RtcpPacket::parse_compound(&out).unwrap();
        let RtcpPacket::SenderReport {
            ssrc,
            info,
            reports,
        } = &packets[0]
        else {
            panic!("not an SR: {packets:?}");
        };
        assert_eq!((*ssrc, info.packet_count, info.octet_count), (42, 1, 80));
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].ssrc, 7);
        assert_eq!(
            packets[1],
            RtcpPacket::SourceDescription {
                chunks: vec![(42, Some("phone@example.org".into()))]
            }
        );
        out.clear();
        // Nothing sent since: an RR.
        assert!(s.poll_report(s.poll_timeout(), &mut out));
        let packets = RtcpPacket::parse_compound(&out).unwrap();
        assert!(matches!(
            packets[0],
            RtcpPacket::ReceiverReport { ssrc: 42, .. }
        ));
    }
}
