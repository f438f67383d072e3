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
pub(crate) struct SrtpLeg {
    spec: SrtpSpec,
    inbound: SrtpContext,
    outbound: SrtpContext,
    plain: Vec<u8>,
    sealed: Vec<u8>,
}

impl SrtpLeg {
    pub(crate) fn new(spec: SrtpSpec) -> Self {
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
    pub(crate) fn open(&mut self, rtcp: bool, packet: &[u8]) -> Option<&mut [u8]> {
        let result = if rtcp {
            self.inbound.unprotect_rtcp(packet, &mut self.plain)
        } else {
            self.inbound.unprotect_rtp(packet, &mut self.plain)
        };
        result.ok().map(|_| self.plain.as_mut_slice())
    }

    /// The protected form of a packet about to be sent to this leg's phone.
    pub(crate) fn seal(&mut self, rtcp: bool, packet: &[u8]) -> Option<&[u8]> {
        let result = if rtcp {
            self.outbound.protect_rtcp(packet, &mut self.sealed)
        } else {
            self.outbound.protect_rtp(packet, &mut self.sealed)
        };
        result.ok().map(|_| self.sealed.as_slice())
    }
}

/// SRTP for a media endpoint (voicemail, a conference participant, a feature code's
/// prompts): the same per-leg contexts as the relay, or nothing for a plain caller.
pub(crate) struct EndpointSrtp {
    leg: Option<Box<SrtpLeg>>,
}

impl EndpointSrtp {
    pub(crate) fn new(spec: Option<&pbx::EndpointSrtp>) -> Self {
        EndpointSrtp {
            leg: spec.map(|s| {
                Box::new(SrtpLeg::new(SrtpSpec {
                    suite: s.suite,
                    inbound: s.inbound.clone(),
                    outbound: s.outbound.clone(),
                }))
            }),
        }
    }

    /// The plain RTP packet of what the phone sent; `None` when it fails authentication
    /// or is replayed (RFC 3711 §3.3), which drops it.
    pub(crate) fn open<'a>(&'a mut self, datagram: &'a [u8]) -> Option<&'a [u8]> {
        match self.leg.as_mut() {
            Some(leg) => leg.open(false, datagram).map(|p| &*p),
            None => Some(datagram),
        }
    }

    /// What to send for a plain RTP packet: protected when the caller encrypts.
    pub(crate) fn seal<'a>(&'a mut self, packet: &'a [u8]) -> Option<&'a [u8]> {
        match self.leg.as_mut() {
            Some(leg) => leg.seal(false, packet),
            None => Some(packet),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(inbound: &SrtpKey, outbound: &SrtpKey) -> pbx::EndpointSrtp {
        pbx::EndpointSrtp {
            suite: SrtpSuite::AesCm128HmacSha1_80,
            inbound: inbound.clone(),
            outbound: outbound.clone(),
        }
    }

    #[test]
    fn an_endpoint_opens_what_the_phone_sealed_and_drops_what_was_changed() {
        let (phone_key, pbx_key) = (SrtpKey::random(), SrtpKey::random());
        let mut endpoint = EndpointSrtp::new(Some(&keys(&phone_key, &pbx_key)));
        let mut phone = EndpointSrtp::new(Some(&keys(&pbx_key, &phone_key)));
        let mut plain = Vec::new();
        media::rtp::RtpPacket::new(0, 7, 160, 42, &[0x55; 160]).write(&mut plain);
        let sealed = phone.seal(&plain).expect("sealed").to_vec();
        assert_ne!(sealed, plain, "the payload is encrypted on the wire");
        assert_eq!(endpoint.open(&sealed), Some(plain.as_slice()));
        assert_eq!(endpoint.open(&sealed), None, "a replay is dropped");
        let mut changed = phone.seal(&plain).expect("sealed").to_vec();
        if let Some(byte) = changed.get_mut(20) {
            *byte ^= 1;
        }
        assert_eq!(endpoint.open(&changed), None, "a changed packet is dropped");
        // And back: the phone opens what the endpoint sends.
        let back = endpoint.seal(&plain).expect("sealed").to_vec();
        assert_eq!(phone.open(&back), Some(plain.as_slice()));
        // A plain caller's packets pass as they are.
        let mut none = EndpointSrtp::new(None);
        assert_eq!(none.open(&plain), Some(plain.as_slice()));
    }
}
