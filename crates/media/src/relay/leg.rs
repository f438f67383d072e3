//! Symmetric latching for one side of a relayed call.
//!
//! A phone behind NAT announces one address in SDP but its packets arrive from the NAT's
//! address and port. Symmetric RTP (RFC 4961) lets the relay answer to wherever the phone
//! actually sends from — but a relay that follows *any* source can be hijacked: a stranger
//! who guesses the port redirects the call's audio to himself ("RTP bleed"). So a leg
//! follows the source only if it comes from an IP the signalling vouched for, and only
//! during a short window at the start; afterwards only the latched address is accepted.

use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

/// How long a leg keeps learning its peer's source address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LatchConfig {
    /// Accepted packets after which the latched address is frozen.
    pub packets: u32,
    /// Time after the first accepted packet after which the latched address is frozen.
    /// Whichever limit comes first closes the window.
    pub window: Duration,
}

impl Default for LatchConfig {
    /// Half a second of 20 ms packets, or two seconds: enough for a NAT binding to settle.
    fn default() -> Self {
        LatchConfig {
            packets: 25,
            window: Duration::from_secs(2),
        }
    }
}

/// What to do with a packet that arrived on this leg.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Relay it to the other leg.
    Forward,
    /// Discard it (already counted in [`Leg::dropped`]).
    Drop,
}

/// Latching state of one leg: the peer the signalling named, and the source actually seen.
#[derive(Debug, Clone)]
pub struct Leg {
    config: LatchConfig,
    /// The SDP connection address and port; `None` while on hold (0.0.0.0) or port 0.
    signalled: Option<SocketAddr>,
    /// A second IP packets may come from, e.g. the SIP signalling source of a phone whose
    /// SDP carries a private address it does not know is translated.
    trusted_ip: Option<IpAddr>,
    /// The source we answer to once a packet has been accepted.
    latched: Option<SocketAddr>,
    /// When the first packet of the current window was accepted.
    window_start: Option<Instant>,
    /// Packets accepted since `window_start`, counted while the window is open.
    accepted: u32,
    /// Packets refused: foreign IPs, or a new source after the window closed.
    dropped: u64,
}

impl Leg {
    /// A leg expecting media from `signalled`, the address in the peer's SDP.
    pub fn new(signalled: SocketAddr, config: LatchConfig) -> Self {
        Leg {
            config,
            signalled: usable(signalled),
            trusted_ip: None,
            latched: None,
            window_start: None,
            accepted: 0,
            dropped: 0,
        }
    }

    /// Also accepts (and may latch to) packets from `ip`.
    pub fn trust_ip(&mut self, ip: IpAddr) {
        self.trusted_ip = Some(ip.to_canonical());
    }

    /// Decides on a packet from `from` received at `now`.
    pub fn on_packet(&mut self, now: Instant, from: SocketAddr) -> Verdict {
        let from = canonical(from);
        let open = self.window_open(now);
        if Some(from) == self.latched {
            if open {
                self.accepted = self.accepted.saturating_add(1);
            }
            return Verdict::Forward;
        }
        if !self.is_expected_ip(from.ip()) || !open {
            // A foreign IP never moves the latch (no RTP injection); a new port of the
            // expected IP may only while the window is open.
            self.dropped = self.dropped.saturating_add(1);
            return Verdict::Drop;
        }
        self.latched = Some(from);
        self.window_start.get_or_insert(now);
        self.accepted = self.accepted.saturating_add(1);
        Verdict::Forward
    }

    /// Where to send media for this leg's peer: the latched source, or before anything was
    /// latched the signalled address; `None` while on hold.
    pub fn destination(&self) -> Option<SocketAddr> {
        self.latched.or(self.signalled)
    }

    /// A new signalled address (re-INVITE). A changed address forgets the latch and opens a
    /// new window; the same address changes nothing, so a session refresh does not reopen
    /// the leg to injection.
    pub fn update_signalled(&mut self, signalled: SocketAddr) {
        let signalled = usable(signalled);
        if signalled == self.signalled {
            return;
        }
        self.signalled = signalled;
        self.latched = None;
        self.window_start = None;
        self.accepted = 0;
    }

    /// The source currently latched, if any packet was accepted.
    pub fn latched(&self) -> Option<SocketAddr> {
        self.latched
    }

    /// Packets refused so far.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    fn window_open(&self, now: Instant) -> bool {
        match self.window_start {
            None => true,
            Some(start) => {
                self.accepted < self.config.packets
                    && now.saturating_duration_since(start) < self.config.window
            }
        }
    }

    fn is_expected_ip(&self, ip: IpAddr) -> bool {
        self.signalled.is_some_and(|s| s.ip() == ip) || self.trusted_ip == Some(ip)
    }
}

/// The signalled address, or `None` when it names no one to send to (RFC 3264 §8.4 hold
/// with 0.0.0.0, or port 0).
fn usable(addr: SocketAddr) -> Option<SocketAddr> {
    let addr = canonical(addr);
    (!addr.ip().is_unspecified() && addr.port() != 0).then_some(addr)
}

/// IPv4-mapped IPv6 sources compare equal to the IPv4 address in SDP.
fn canonical(addr: SocketAddr) -> SocketAddr {
    SocketAddr::new(addr.ip().to_canonical(), addr.port())
}
