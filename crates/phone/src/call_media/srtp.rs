//! SRTP for a call's audio (RFC 3711, keys from SDES, RFC 4568): when to offer it, the keys
//! an offer and answer agreed, and the two contexts the media loop runs every packet through.

use media::srtp::{SrtpContext, SrtpKey, SrtpSuite};

use crate::Error;

/// Whether calls encrypt their audio.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SrtpMode {
    /// SRTP when the account signals over TLS (the keys travel in the SDP, so only
    /// there, RFC 4568 §8.3), plain RTP otherwise; a refused SRTP offer is retried plain.
    #[default]
    Auto,
    /// Never: plain RTP offered, SRTP offers refused with 488.
    Off,
    /// Always (needs TLS): plain offers refused with 488 and no plain retry.
    Required,
}

impl SrtpMode {
    /// `auto`, `off` or `required` (the `--srtp` flag and the settings).
    pub fn parse(name: &str) -> Result<Self, Error> {
        match name.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(SrtpMode::Auto),
            "off" => Ok(SrtpMode::Off),
            "required" => Ok(SrtpMode::Required),
            other => Err(Error::UnknownSrtpMode(other.to_owned())),
        }
    }
}

/// What an offer and its answer agreed for SRTP: one suite, our key (what we send under)
/// and the far end's (what it sends under).
#[derive(Clone, PartialEq, Eq)]
pub struct SrtpKeys {
    pub suite: SrtpSuite,
    pub local: SrtpKey,
    pub remote: SrtpKey,
}

impl std::fmt::Debug for SrtpKeys {
    /// Names the suite only: keys never reach a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SrtpKeys({})", self.suite.name())
    }
}

/// The call's two SRTP directions, with the buffers reused for every packet (no
/// allocation per packet once a packet of each size went through).
pub struct SrtpStreams {
    keys: SrtpKeys,
    send: SrtpContext,
    receive: SrtpContext,
    sealed: Vec<u8>,
    opened: Vec<u8>,
    dropped: u64,
}

impl SrtpStreams {
    pub fn new(keys: SrtpKeys) -> Self {
        SrtpStreams {
            send: SrtpContext::new(keys.suite, &keys.local),
            receive: SrtpContext::new(keys.suite, &keys.remote),
            keys,
            sealed: Vec::with_capacity(2048),
            opened: Vec::with_capacity(2048),
            dropped: 0,
        }
    }

    /// The keys in use.
    pub fn keys(&self) -> &SrtpKeys {
        &self.keys
    }

    /// Follows a new offer/answer: the contexts (roll-over counters, replay lists) stay
    /// while the keys do, so a hold or a network move does not restart them; new keys
    /// start fresh contexts (RFC 4568 §7.1.4).
    pub fn rekey(&mut self, keys: SrtpKeys) {
        if keys != self.keys {
            *self = SrtpStreams::new(keys);
        }
    }

    /// An RTP packet (or RTCP, told by its payload type, RFC 5761 §4) made ready to send;
    /// `None` when it is too short to be one.
    pub fn protect(&mut self, packet: &[u8]) -> Option<&[u8]> {
        let result = if media::rtp::is_rtcp(packet) {
            self.send.protect_rtcp(packet, &mut self.sealed)
        } else {
            self.send.protect_rtp(packet, &mut self.sealed)
        };
        result.ok().map(|()| self.sealed.as_slice())
    }

    /// A datagram from the far end, authenticated and decrypted; `None` (and counted)
    /// when it fails: forged, damaged, replayed or plain packets are never played.
    pub fn unprotect(&mut self, datagram: &[u8]) -> Option<&[u8]> {
        let result = if media::rtp::is_rtcp(datagram) {
            self.receive.unprotect_rtcp(datagram, &mut self.opened)
        } else {
            self.receive.unprotect_rtp(datagram, &mut self.opened)
        };
        match result {
            Ok(()) => Some(self.opened.as_slice()),
            Err(_) => {
                self.dropped += 1;
                None
            }
        }
    }

    /// Packets dropped because they failed authentication (or replay checks).
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(a: &SrtpKey, b: &SrtpKey) -> SrtpKeys {
        SrtpKeys {
            suite: SrtpSuite::AesCm128HmacSha1_80,
            local: a.clone(),
            remote: b.clone(),
        }
    }

    fn rtp(seq: u16) -> Vec<u8> {
        let mut p = vec![0x80, 0, 0, 0, 0, 0, 0, 160, 1, 2, 3, 4];
        p[2..4].copy_from_slice(&seq.to_be_bytes());
        p.extend_from_slice(&[0x55; 160]);
        p
    }

    #[test]
    fn what_one_side_protects_the_other_opens_and_forgeries_are_dropped() {
        let (a, b) = (SrtpKey::random(), SrtpKey::random());
        let mut alice = SrtpStreams::new(keys(&a, &b));
        let mut bob = SrtpStreams::new(keys(&b, &a));
        let sealed = alice.protect(&rtp(7)).unwrap().to_vec();
        assert_ne!(sealed[12..172], rtp(7)[12..]);
        assert_eq!(bob.unprotect(&sealed).unwrap(), rtp(7).as_slice());
        // Replayed, tampered and plain packets are refused and counted.
        assert!(bob.unprotect(&sealed).is_none());
        let mut tampered = alice.protect(&rtp(8)).unwrap().to_vec();
        tampered[20] ^= 1;
        assert!(bob.unprotect(&tampered).is_none());
        assert!(bob.unprotect(&rtp(9)).is_none());
        assert_eq!(bob.dropped(), 3);
    }

    #[test]
    fn the_same_keys_keep_the_contexts_and_new_ones_replace_them() {
        let (a, b) = (SrtpKey::random(), SrtpKey::random());
        let mut alice = SrtpStreams::new(keys(&a, &b));
        let mut bob = SrtpStreams::new(keys(&b, &a));
        let first = alice.protect(&rtp(1)).unwrap().to_vec();
        assert!(bob.unprotect(&first).is_some());
        bob.rekey(keys(&b, &a));
        // Still the same replay list: the packet already seen is refused.
        assert!(bob.unprotect(&first).is_none());
        let c = SrtpKey::random();
        bob.rekey(keys(&b, &c));
        assert_eq!(bob.keys().remote, c);
        assert!(bob.unprotect(alice.protect(&rtp(2)).unwrap()).is_none());
    }

    #[test]
    fn modes_are_read_from_their_names() {
        assert_eq!(SrtpMode::parse("Required"), Ok(SrtpMode::Required));
        assert_eq!(SrtpMode::parse(" off"), Ok(SrtpMode::Off));
        assert_eq!(SrtpMode::parse("auto"), Ok(SrtpMode::Auto));
        assert!(SrtpMode::parse("sometimes").is_err());
    }
}
