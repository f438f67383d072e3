//! The call media's RTCP hooks: reports go out on the caller's clock, reports that come
//! in set the encoder's loss hint (Opus spends bits on in-band FEC only when the far
//! end says packets are lost), and the figures they give are the call's quality.

use std::time::{Duration, Instant};

use media::rtp::{NtpClock, NTP_UNIX_OFFSET};

use super::rtcp::{CallQuality, RtcpSession};
use super::CallMedia;

impl CallMedia {
    /// Starts RTCP at `now`; `since_unix` is the wall clock then (for the NTP time of
    /// sender reports), `cname` our canonical name (RFC 3550 §6.5.1, `user@host`).
    pub fn enable_rtcp(&mut self, now: Instant, since_unix: Duration, cname: &str) {
        let clock = NtpClock::new(now, NTP_UNIX_OFFSET + since_unix);
        self.rtcp = Some(RtcpSession::new(
            now,
            self.ssrc,
            self.clock_rate,
            cname,
            clock,
        ));
    }

    /// When the next report is due; `None` without RTCP.
    pub fn rtcp_timeout(&self) -> Option<Instant> {
        self.rtcp.as_ref().map(RtcpSession::poll_timeout)
    }

    /// Appends the compound report due at `now` to `out`; false when none is due.
    pub fn poll_rtcp(&mut self, now: Instant, out: &mut Vec<u8>) -> bool {
        self.rtcp
            .as_mut()
            .is_some_and(|rtcp| rtcp.poll_report(now, out))
    }

    /// Appends the BYE that ends our stream to `out` (nothing without RTCP).
    pub fn rtcp_bye(&self, out: &mut Vec<u8>) {
        if let Some(rtcp) = &self.rtcp {
            rtcp.bye(out);
        }
    }

    /// Takes an RTCP datagram (already through SRTCP when the call encrypts). A report
    /// about our stream sets the encoder's loss hint; returns whether the figures
    /// changed.
    pub fn receive_rtcp(&mut self, now: Instant, datagram: &[u8]) -> bool {
        let Some(rtcp) = self.rtcp.as_mut() else {
            return false;
        };
        let before = rtcp.quality();
        if let Some(hint) = rtcp.handle_rtcp(now, datagram) {
            if hint != self.loss_hint {
                self.loss_hint = hint;
                self.codec.set_expected_loss(hint);
            }
        }
        rtcp.quality() != before
    }

    /// The loss percentage the encoder is told to expect (for Opus: 0 means no FEC).
    pub fn loss_hint(&self) -> u8 {
        self.loss_hint
    }

    /// The call's quality figures from RTCP, as far as known.
    pub fn quality(&self) -> CallQuality {
        self.rtcp
            .as_ref()
            .map(RtcpSession::quality)
            .unwrap_or_default()
    }
}
