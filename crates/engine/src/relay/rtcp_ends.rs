//! RTCP terminated at the relay, leg by leg, where a leg's RTP is the relay's own stream.
//!
//! When the relay transcodes, or plays music on hold, what a phone hears carries the
//! relay's SSRC, not the other phone's: the other phone's reports name a stream this
//! phone never saw, and this phone's reports name one the other never sent. Such a leg
//! gets its own RTCP session (RFC 3550 §7.2: a translator that changes the payload is a
//! source of its own), as Asterisk does: the relay counts what the phone sends it, sends
//! it SR/RR about every 5 s (§6.2), reads the phone's reports, and the other leg's
//! reports are not forwarded into it. Legs relayed unchanged keep forwarding RTCP.
//!
//! Sans-IO: the forwarding task hands in packets and `now`, and sends what
//! [`RtcpEnds::poll_report`] writes.

use std::time::{Duration, Instant};

use media::rtp::{CallQuality, NtpClock, RtcpSession, RtpPacket};

/// The CNAME the relay's reports carry (RFC 3550 §6.5.1 allows any stable name).
const CNAME: &str = "relay@switchboard";

/// Both legs' terminated sessions, indexed by side.
pub(super) struct RtcpEnds {
    clock: NtpClock,
    /// Per side: whether RTCP ends here (and the session once we sent that leg RTP).
    terminated: [bool; 2],
    sessions: [Option<RtcpSession>; 2],
    /// Per side: compound reports read from that leg's phone.
    read: [u64; 2],
}

impl RtcpEnds {
    /// No leg terminated yet; `clock` maps `Instant`s to NTP time for sender reports.
    pub(super) fn new(clock: NtpClock) -> Self {
        RtcpEnds {
            clock,
            terminated: [false; 2],
            sessions: [None, None],
            read: [0; 2],
        }
    }

    /// Whether RTCP ends at the relay on `side`.
    pub(super) fn terminates(&self, side: usize) -> bool {
        self.terminated.get(side).copied().unwrap_or(false)
    }

    /// Whether any leg's RTCP ends here (the report timer runs only then).
    pub(super) fn any(&self) -> bool {
        self.terminated.iter().any(|t| *t)
    }

    /// Terminates `side` while `own` names the stream the relay sends it (its SSRC and
    /// RTP clock rate): its session starts at `now`, or follows a new stream (music
    /// after transcoded speech). `None` stops and forgets the session: the leg's
    /// stream is the other phone's again, and so are its reports.
    pub(super) fn set(&mut self, side: usize, now: Instant, own: Option<(u32, u32)>) {
        let clock = self.clock;
        let (Some(flag), Some(slot)) = (self.terminated.get_mut(side), self.sessions.get_mut(side))
        else {
            return;
        };
        *flag = own.is_some();
        match (own, slot.as_mut()) {
            (None, _) => *slot = None,
            (Some((ssrc, rate)), Some(session)) => {
                if session.source() != (ssrc, rate.max(1)) {
                    session.restart(ssrc, rate);
                }
            }
            (Some((ssrc, rate)), None) => {
                *slot = Some(RtcpSession::new(now, ssrc, rate, CNAME, clock));
            }
        }
    }

    /// An RTP packet the phone on `side` sent the relay.
    pub(super) fn received_rtp(&mut self, side: usize, now: Instant, datagram: &[u8]) {
        let Some(session) = self.active(side) else {
            return;
        };
        if let Ok(rtp) = RtpPacket::parse(datagram) {
            session.on_received(now, rtp.ssrc, rtp.sequence, rtp.timestamp);
        }
    }

    /// An RTP packet of the relay's own stream sent to the phone on `side`.
    pub(super) fn sent_rtp(&mut self, side: usize, now: Instant, packet: &[u8]) {
        let Some(session) = self.active(side) else {
            return;
        };
        let Ok(rtp) = RtpPacket::parse(packet) else {
            return;
        };
        if rtp.ssrc == session.source().0 {
            session.on_sent(now, rtp.timestamp, rtp.payload.len());
        }
    }

    /// An RTCP compound (already through SRTCP) from the phone on `side`: read here
    /// when the leg is terminated. Returns whether it is to be forwarded to the other
    /// leg, which it is only when neither leg's RTCP ends here: the other leg's phone
    /// hears our stream, not this phone's, when it is terminated.
    pub(super) fn received_rtcp(&mut self, side: usize, now: Instant, datagram: &[u8]) -> bool {
        if self.terminates(side) {
            if let Some(count) = self.read.get_mut(side) {
                *count += 1;
            }
            if let Some(session) = self.active(side) {
                session.handle_rtcp(now, datagram);
            }
        }
        !self.terminates(1 - side.min(1))
    }

    /// When the next report of a terminated leg is due.
    #[cfg(test)]
    fn poll_timeout(&self) -> Option<Instant> {
        self.sessions
            .iter()
            .zip(self.terminated)
            .filter(|(_, on)| *on)
            .filter_map(|(s, _)| s.as_ref().map(RtcpSession::poll_timeout))
            .min()
    }

    /// Appends the report due at `now` for `side` to `out`; false when none is due.
    pub(super) fn poll_report(&mut self, side: usize, now: Instant, out: &mut Vec<u8>) -> bool {
        self.active(side)
            .is_some_and(|session| session.poll_report(now, out))
    }

    /// What the relay's session with `side` knows: the phone's loss and jitter as the
    /// relay receives it, the loss and round trip the phone reported.
    pub(super) fn quality(&self, side: usize) -> Option<CallQuality> {
        self.sessions.get(side)?.as_ref().map(RtcpSession::quality)
    }

    /// Reports read from `side`'s phone while terminated.
    #[cfg(test)]
    fn read(&self, side: usize) -> u64 {
        self.read.get(side).copied().unwrap_or(0)
    }

    fn active(&mut self, side: usize) -> Option<&mut RtcpSession> {
        if !self.terminates(side) {
            return None;
        }
        self.sessions.get_mut(side)?.as_mut()
    }
}

/// How often the forwarding task looks for a due report: reports are ~5 s apart, so a
/// second late is within the randomisation RFC 3550 §6.3.1 applies anyway.
pub(super) const CHECK: Duration = Duration::from_millis(500);

#[cfg(test)]
mod tests {
    use super::*;
    use media::rtp::{write_compound, ReportBlock, RtcpPacket, NTP_UNIX_OFFSET};

    const PHONE: u32 = 0x1111;
    const OURS: u32 = 0x2222;

    fn ends(now: Instant) -> RtcpEnds {
        RtcpEnds::new(NtpClock::new(
            now,
            NTP_UNIX_OFFSET + Duration::from_secs(1_800_000_000),
        ))
    }

    fn rtp(ssrc: u32, sequence: u16, timestamp: u32) -> Vec<u8> {
        let mut out = Vec::new();
        RtpPacket::new(0, sequence, timestamp, ssrc, &[0xff; 160]).write(&mut out);
        out
    }

    /// The report due first on `side`, and when it went out.
    fn due_report(e: &mut RtcpEnds, side: usize) -> (Vec<RtcpPacket>, Instant) {
        let at = e.poll_timeout().expect("a report is scheduled");
        let mut out = Vec::new();
        assert!(e.poll_report(side, at, &mut out));
        (
            RtcpPacket::parse_compound(&out).expect("a compound report"),
            at,
        )
    }

    #[test]
    fn a_plain_leg_forwards_rtcp_and_reports_nothing() {
        let t0 = Instant::now();
        let mut e = ends(t0);
        e.sent_rtp(0, t0, &rtp(OURS, 1, 0));
        e.received_rtp(0, t0, &rtp(PHONE, 1, 0));
        assert!(e.received_rtcp(0, t0, &[0x80, 201, 0, 1, 0, 0, 0, 1]));
        assert_eq!(e.poll_timeout(), None);
        assert_eq!(e.read(0), 0);
    }

    #[test]
    fn a_terminated_leg_gets_our_sr_about_its_phones_stream_and_nothing_from_the_other_leg() {
        let t0 = Instant::now();
        let mut e = ends(t0);
        e.set(0, t0, Some((OURS, 8000)));
        e.set(1, t0, Some((0x3333, 8000)));
        // Packets 1..=50 from the phone, 10 of them lost.
        for seq in 1..=50u16 {
            let at = t0 + Duration::from_millis(20 * u64::from(seq));
            e.sent_rtp(0, at, &rtp(OURS, seq, 160 * u32::from(seq)));
            if seq % 5 != 3 {
                e.received_rtp(0, at, &rtp(PHONE, seq, 160 * u32::from(seq)));
            }
        }
        let (packets, _) = due_report(&mut e, 0);
        let RtcpPacket::SenderReport {
            ssrc,
            info,
            reports,
        } = &packets[0]
        else {
            panic!("not an SR: {packets:?}");
        };
        assert_eq!((*ssrc, info.packet_count), (OURS, 50));
        assert_eq!(reports.len(), 1);
        assert_eq!(reports[0].ssrc, PHONE);
        // 10 of 50: fraction lost 0.2 in 1/256.
        assert_eq!(reports[0].fraction_lost, 51);
        assert_eq!(e.quality(0).and_then(|q| q.loss_percent), Some(20));
        // The other leg's reports stay out of a terminated leg.
        assert!(!e.received_rtcp(1, t0, &[0x80, 201, 0, 1, 0, 0, 0, 1]));
    }

    #[test]
    fn the_phones_report_about_our_stream_gives_its_loss_and_round_trip() {
        let t0 = Instant::now();
        let mut e = ends(t0);
        e.set(0, t0, Some((OURS, 8000)));
        e.sent_rtp(0, t0, &rtp(OURS, 1, 0));
        let (sent, at) = due_report(&mut e, 0);
        let RtcpPacket::SenderReport {
            ssrc: OURS, info, ..
        } = &sent[0]
        else {
            panic!("not our SR: {sent:?}");
        };
        // The phone answers 100 ms after our SR, having held it for 40 ms: 60 ms round trip.
        let block = ReportBlock {
            ssrc: OURS,
            fraction_lost: 26,
            cumulative_lost: 3,
            highest_sequence: 1,
            jitter: 0,
            last_sr: (info.ntp >> 16) as u32,
            delay_since_last_sr: 65536 * 40 / 1000,
        };
        let mut report = Vec::new();
        let rr = RtcpPacket::ReceiverReport {
            ssrc: PHONE,
            reports: vec![block],
        };
        write_compound(&[rr], &mut report);
        e.received_rtcp(0, at + Duration::from_millis(100), &report);
        let quality = e.quality(0).expect("a session");
        assert_eq!(quality.far_loss_percent, Some(10));
        let rtt = quality.round_trip.expect("a round trip");
        assert!(rtt >= Duration::from_millis(55) && rtt <= Duration::from_millis(65));
        assert_eq!(e.read(0), 1);
    }

    #[test]
    fn stopping_forgets_the_session_and_forwards_again() {
        let t0 = Instant::now();
        let mut e = ends(t0);
        e.set(1, t0, Some((OURS, 8000)));
        assert!(e.poll_timeout().is_some());
        assert!(!e.received_rtcp(0, t0, &[0x80, 201, 0, 1, 0, 0, 0, 1]));
        e.set(1, t0, None);
        assert_eq!(e.poll_timeout(), None);
        assert!(e.received_rtcp(0, t0, &[0x80, 201, 0, 1, 0, 0, 0, 1]));
    }
}
