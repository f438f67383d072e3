//! Who must encrypt their calls' audio (SRTP with SDES keys, RFC 4568), and whether keys
//! may travel in SDP over signalling anyone on the path can read.

use sip::transaction::Peer;
use sip::{Request, Transport};

use crate::call::srtp::{offered_crypto, wants_srtp};
use crate::config::is_outside_lan;

/// The owner's choice of which phones must offer SRTP.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SrtpRequirement {
    /// SRTP is used when a phone offers it, never demanded.
    #[default]
    Off,
    /// Phones calling from outside the office's network (remote staff) must offer SRTP.
    Remote,
    /// Every phone must offer SRTP.
    All,
}

/// The SRTP rules the PBX applies to calls from phones (trunks are not affected).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SrtpPolicy {
    pub require: SrtpRequirement,
    /// RFC 4568 §8.3: SDES keys in SDP over UDP or TCP can be read by anyone on the path,
    /// so by default SRTP is only taken from phones signalling over TLS. True allows it
    /// over any transport (a test bench, or a network the owner trusts).
    pub keys_over_plain_signalling: bool,
}

impl SrtpPolicy {
    /// Why a phone's INVITE must be refused with 488 Not Acceptable Here, if it must
    /// (`caller_requires`: the calling extension is set to always encrypt).
    pub(crate) fn refusal(
        &self,
        request: &Request,
        source: Peer,
        caller_requires: bool,
    ) -> Option<&'static str> {
        let text = std::str::from_utf8(&request.body).ok();
        let offer = text.and_then(|t| media::sdp::SessionDescription::parse(t).ok());
        let wants = offer.as_ref().is_some_and(wants_srtp);
        if wants {
            if offer.as_ref().and_then(offered_crypto).is_none() {
                return Some("the phone offers SRTP with no key the PBX supports");
            }
            if source.transport != Transport::Tls && !self.keys_over_plain_signalling {
                return Some("SRTP keys offered over unencrypted signalling (use TLS)");
            }
            // Feature codes answered by the PBX itself encrypt like any other call.
            return None;
        }
        let required = caller_requires
            || match self.require {
                SrtpRequirement::Off => false,
                SrtpRequirement::Remote => is_outside_lan(source.addr.ip()),
                SrtpRequirement::All => true,
            };
        // A request without a body (delayed offer) cannot show keys either.
        required.then_some("this phone must encrypt its calls (SRTP) and offered plain RTP")
    }
}

/// What the PBX offers a phone it calls (an extension's device, a ring group member, a
/// transfer target, a parked call ringing back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CalleeSrtp {
    /// Plain RTP/AVP, as before any rule.
    Plain,
    /// RTP/SAVP with the PBX's key; a phone refusing it (488, 415, 606) is called again
    /// with plain RTP, as "SRTP optional" does on other PBXs.
    Optional,
    /// RTP/SAVP with the PBX's key, and a refusal ends that fork.
    Required,
    /// The phone must encrypt but its keys could only travel in the clear: not called.
    Unreachable,
}

impl SrtpPolicy {
    /// How to offer media to a phone reached at `target` (`extension_requires`: its
    /// extension is set to always encrypt).
    ///
    /// RFC 4568 §8.3: keys go only over TLS unless the owner allows plain signalling;
    /// a phone registered over TLS is offered SRTP even when nothing requires it.
    pub(crate) fn towards_phone(&self, target: Peer, extension_requires: bool) -> CalleeSrtp {
        let required = extension_requires
            || match self.require {
                SrtpRequirement::Off => false,
                SrtpRequirement::Remote => is_outside_lan(target.addr.ip()),
                SrtpRequirement::All => true,
            };
        let tls = target.transport == Transport::Tls;
        let keys_may_travel = tls || self.keys_over_plain_signalling;
        match (required, keys_may_travel, tls) {
            (true, true, _) => CalleeSrtp::Required,
            (true, false, _) => CalleeSrtp::Unreachable,
            (false, _, true) => CalleeSrtp::Optional,
            (false, _, false) => CalleeSrtp::Plain,
        }
    }
}

impl crate::Pbx {
    /// Applies the owner's SRTP rules to calls from the next INVITE on.
    pub fn set_srtp_policy(&mut self, policy: SrtpPolicy) {
        self.config.srtp = policy;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAVP: &str =
        "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n\
        m=audio 4000 RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n\
        a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n";
    const AVP: &str = "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n\
        m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

    fn invite(to: &str, sdp: &str) -> Request {
        let text = format!(
            "INVITE sip:{to}@pbx SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bK1\r\n\
             From: <sip:201@pbx>;tag=a\r\nTo: <sip:{to}@pbx>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\n\
             Content-Type: application/sdp\r\nContent-Length: {}\r\n\r\n{sdp}",
            sdp.len()
        );
        match sip::parse(text.as_bytes()) {
            Ok(sip::Message::Request(r)) => r,
            other => panic!("not a request: {other:?}"),
        }
    }

    fn from(transport: Transport, ip: &str) -> Peer {
        Peer {
            transport,
            addr: format!("{ip}:5060").parse().unwrap(),
        }
    }

    #[test]
    fn remote_phones_must_offer_srtp_and_office_phones_need_not() {
        let policy = SrtpPolicy {
            require: SrtpRequirement::Remote,
            keys_over_plain_signalling: false,
        };
        let plain = invite("202", AVP);
        assert!(policy
            .refusal(&plain, from(Transport::Tls, "198.51.100.7"), false)
            .is_some());
        assert!(policy
            .refusal(&plain, from(Transport::Udp, "192.168.1.20"), false)
            .is_none());
        let secure = invite("202", SAVP);
        assert!(policy
            .refusal(&secure, from(Transport::Tls, "198.51.100.7"), false)
            .is_none());
    }

    #[test]
    fn keys_over_udp_are_refused_unless_allowed() {
        let secure = invite("202", SAVP);
        let strict = SrtpPolicy::default();
        assert!(strict
            .refusal(&secure, from(Transport::Udp, "192.168.1.20"), false)
            .is_some());
        let allowing = SrtpPolicy {
            keys_over_plain_signalling: true,
            ..SrtpPolicy::default()
        };
        assert!(allowing
            .refusal(&secure, from(Transport::Udp, "192.168.1.20"), false)
            .is_none());
        // Feature codes (voicemail, settings, pickup, park) take encrypted calls too.
        for code in ["*97", "*78", "*8201", "*70", "*71"] {
            let invite = invite(code, SAVP);
            let refusal = allowing.refusal(&invite, from(Transport::Udp, "192.168.1.20"), false);
            assert_eq!(refusal, None, "{code}");
        }
    }

    #[test]
    fn phones_called_over_tls_are_offered_srtp_and_required_ones_must_take_it() {
        let none = SrtpPolicy::default();
        let tls_remote = from(Transport::Tls, "198.51.100.7");
        let udp_office = from(Transport::Udp, "192.168.1.20");
        assert_eq!(none.towards_phone(tls_remote, false), CalleeSrtp::Optional);
        assert_eq!(none.towards_phone(udp_office, false), CalleeSrtp::Plain);
        assert_eq!(none.towards_phone(tls_remote, true), CalleeSrtp::Required);
        // Keys never travel over UDP unless allowed: a phone that must encrypt is not called.
        assert_eq!(
            none.towards_phone(udp_office, true),
            CalleeSrtp::Unreachable
        );
        let remote = SrtpPolicy {
            require: SrtpRequirement::Remote,
            keys_over_plain_signalling: true,
        };
        assert_eq!(remote.towards_phone(udp_office, false), CalleeSrtp::Plain);
        assert_eq!(
            remote.towards_phone(from(Transport::Udp, "198.51.100.7"), false),
            CalleeSrtp::Required
        );
        let all = SrtpPolicy {
            require: SrtpRequirement::All,
            keys_over_plain_signalling: false,
        };
        assert_eq!(all.towards_phone(tls_remote, false), CalleeSrtp::Required);
        assert_eq!(
            all.towards_phone(udp_office, false),
            CalleeSrtp::Unreachable
        );
    }

    #[test]
    fn an_extension_set_to_always_encrypt_cannot_call_plain() {
        let plain = invite("202", AVP);
        let office = from(Transport::Udp, "192.168.1.20");
        assert!(SrtpPolicy::default()
            .refusal(&plain, office, true)
            .is_some());
        assert!(SrtpPolicy::default()
            .refusal(&plain, office, false)
            .is_none());
    }

    #[test]
    fn with_nothing_required_plain_calls_pass() {
        let plain = invite("202", AVP);
        assert!(SrtpPolicy::default()
            .refusal(&plain, from(Transport::Udp, "198.51.100.7"), false)
            .is_none());
    }
}
