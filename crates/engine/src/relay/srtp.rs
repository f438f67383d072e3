//! The relay's SRTP stage for one leg (RFC 3711 with SDES keys, RFC 4568): what the phone
//! sends is authenticated and decrypted before anything else sees it (forwarding, DTMF,
//! recording, transcoding), and what it is sent is encrypted last, just before the socket.

use media::srtp::{SrtpContext, SrtpKey, SrtpSuite};

/// The keys of one leg, as the call model negotiated them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrtpSpec {
    pub suite: SrtpSuite,
    /// The phone's key: what it sends is unprotected with it.
    pub inbound: SrtpKey,
    /// The PBX's key for this leg: what it is sent is protected with it.
    pub outbound: SrtpKey,
}

/// One leg's contexts and reused buffers (no allocation per packet once warm).
pub(super) struct SrtpLeg {
    spec: SrtpSpec,
    inbound: SrtpContext,
    outbound: SrtpContext,
    plain: Vec<u8>,
    sealed: Vec<u8>,
}

impl SrtpLeg {
    pub(super) fn new(spec: SrtpSpec) -> Self {
        SrtpLeg {
            inbound: SrtpContext::new(spec.suite, &spec.inbound),
            outbound: SrtpContext::new(spec.suite, &spec.outbound),
            spec,
            plain: Vec::with_capacity(1500),
            sealed: Vec::with_capacity(1500),
        }
    }

    /// Whether `spec` is what this leg already runs: a re-INVITE repeating the keys keeps
    /// the roll-over counters and replay lists (RFC 3711 §3.3.1).
    pub(super) fn runs(&self, spec: &SrtpSpec) -> bool {
        self.spec == *spec
    }

    /// The plain packet of a received SRTP (`rtcp` false) or SRTCP packet; `None` when it
    /// fails authentication or is replayed (dropped).
    pub(super) fn open(&mut self, rtcp: bool, packet: &[u8]) -> Option<&mut [u8]> {
        let result = if rtcp {
            self.inbound.unprotect_rtcp(packet, &mut self.plain)
        } else {
            self.inbound.unprotect_rtp(packet, &mut self.plain)
        };
        result.ok().map(|_| self.plain.as_mut_slice())
    }

    /// The protected form of a packet about to be sent to this leg's phone.
    pub(super) fn seal(&mut self, rtcp: bool, packet: &[u8]) -> Option<&[u8]> {
        let result = if rtcp {
            self.outbound.protect_rtcp(packet, &mut self.sealed)
        } else {
            self.outbound.protect_rtp(packet, &mut self.sealed)
        };
        result.ok().map(|_| self.sealed.as_slice())
    }
}

/// Sends `packet` to a leg's phone, protected first when the leg runs SRTP.
pub(super) fn send(
    srtp: &mut Option<Box<SrtpLeg>>,
    socket: &tokio::net::UdpSocket,
    rtcp: bool,
    packet: &[u8],
    dest: std::net::SocketAddr,
) -> std::io::Result<usize> {
    match srtp {
        Some(leg) => match leg.seal(rtcp, packet) {
            Some(sealed) => super::socket::send_now(socket, sealed, dest),
            None => Err(std::io::ErrorKind::InvalidData.into()),
        },
        None => super::socket::send_now(socket, packet, dest),
    }
}
