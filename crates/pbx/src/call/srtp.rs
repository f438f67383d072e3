//! SRTP terminated per leg at the relay (RFC 4568 SDES): a phone that offers RTP/SAVP with
//! an `a=crypto:` line is answered with a key of the PBX's own, and the relay decrypts what
//! it sends and encrypts what it is sent. The other leg sees plain RTP/AVP, so an encrypted
//! phone can call a trunk or a desk phone without SRTP.
//!
//! The PBX's key for a leg is derived from a secret drawn once per process, the relay's id
//! and the relay socket of that leg, so every SDP written to the leg during the call names
//! the same key without the call keeping any state, and no two relays share a key.

use std::net::SocketAddr;
use std::sync::OnceLock;

use hmac::{Hmac, Mac};
use media::sdp::{CryptoAttribute, SessionDescription};
use media::srtp::{SrtpKey, SrtpSuite};
use sha2::Sha256;

use crate::action::{Action, Side};
use crate::media_relay::{RelayId, RelayPorts};

pub(crate) use super::srtp_callee::callee_runs_srtp;

/// The offered crypto line the PBX takes from a description's audio stream: the first it
/// supports (RFC 4568 §7.1.1: the offerer lists them in order of preference). `None` for
/// plain RTP or when no offered line is usable.
pub(crate) fn offered_crypto(sdp: &SessionDescription) -> Option<CryptoAttribute> {
    let media = sdp.media.get(sdp.audio()?.index)?;
    if !media.is_secure_profile() {
        return None;
    }
    media.crypto().into_iter().next()
}

/// Whether a description asks for SRTP on its audio stream (RTP/SAVP), usable or not.
pub(crate) fn wants_srtp(sdp: &SessionDescription) -> bool {
    sdp.audio()
        .and_then(|a| sdp.media.get(a.index))
        .is_some_and(|m| m.is_secure_profile())
}

/// Called for every description that crosses the relay from `from`: when it carries a key,
/// the relay is told to terminate SRTP on that side, else that side is plain RTP (the party
/// there may have changed); the description is made plain RTP/AVP for the other side in
/// any case (its keys are for the PBX alone).
pub(crate) fn terminate(
    actions: &mut std::collections::VecDeque<Action>,
    ports: RelayPorts,
    from: Side,
    sdp: &mut SessionDescription,
) {
    let Some(index) = sdp.audio().map(|a| a.index) else {
        return;
    };
    if let Some(crypto) = offered_crypto(sdp) {
        actions.push_back(Action::RelaySrtp {
            id: ports.id,
            side: from,
            suite: crypto.suite,
            inbound: crypto.key,
            outbound: own_key(ports.id, ports.addr_for(from)),
        });
    } else {
        actions.push_back(Action::RelayPlain {
            id: ports.id,
            side: from,
        });
    }
    if let Some(media) = sdp.media.get_mut(index) {
        media.set_crypto(None);
    }
}

/// The answer sent to side `to` made to match its offer: when the offer asked for SRTP
/// with a usable key, the answer's audio stream takes the offer's profile and a crypto line
/// with the offer's tag and suite and the PBX's own key for that leg (RFC 4568 §7.1.2).
pub(crate) fn secure_answer(
    relay: Option<RelayPorts>,
    to: Side,
    offer: Option<&SessionDescription>,
    answer: Option<(String, Vec<u8>)>,
) -> Option<(String, Vec<u8>)> {
    let (content_type, body) = answer?;
    let (Some(ports), Some(offer)) = (relay, offer) else {
        return Some((content_type, body));
    };
    let Some(offered) = offered_crypto(offer) else {
        return Some((content_type, body));
    };
    let Some(mut sdp) = std::str::from_utf8(&body)
        .ok()
        .and_then(|t| SessionDescription::parse(t).ok())
    else {
        return Some((content_type, body));
    };
    let proto = offer
        .audio()
        .and_then(|a| offer.media.get(a.index))
        .map(|m| m.proto.clone());
    if let Some(media) = sdp
        .audio()
        .map(|a| a.index)
        .and_then(|i| sdp.media.get_mut(i))
    {
        let crypto = CryptoAttribute {
            tag: offered.tag,
            suite: offered.suite,
            key: own_key(ports.id, ports.addr_for(to)),
        };
        media.set_crypto(Some(&crypto));
        if let Some(proto) = proto {
            media.proto = proto;
        }
    }
    Some((content_type, sdp.to_string().into_bytes()))
}

/// An offer for side `to` made an SRTP one (RFC 4568 §5.1): the audio stream becomes
/// RTP/SAVP with one crypto line per suite the PBX supports, in its order of preference,
/// all carrying the PBX's key for that leg (the one the relay protects with once the
/// answer names its choice, see [`terminate`]). Not SDP, or no audio: unchanged.
pub(crate) fn secure_offer(
    ports: RelayPorts,
    to: Side,
    (content_type, body): (String, Vec<u8>),
) -> (String, Vec<u8>) {
    let Some(mut sdp) = std::str::from_utf8(&body)
        .ok()
        .and_then(|t| SessionDescription::parse(t).ok())
    else {
        return (content_type, body);
    };
    let Some(media) = sdp
        .audio()
        .map(|a| a.index)
        .and_then(|i| sdp.media.get_mut(i))
    else {
        return (content_type, body);
    };
    let key = own_key(ports.id, ports.addr_for(to));
    media.set_crypto(None);
    media.proto = "RTP/SAVP".to_owned();
    for (tag, suite) in [
        (1, SrtpSuite::AesCm128HmacSha1_80),
        (2, SrtpSuite::AesCm128HmacSha1_32),
    ] {
        let crypto = CryptoAttribute {
            tag,
            suite,
            key: key.clone(),
        };
        media.attributes.push(crypto.to_attribute());
    }
    (content_type, sdp.to_string().into_bytes())
}

/// The PBX answering a caller itself (voicemail, a conference room, a feature code):
/// when the offer asks for SRTP, `answer` is made its SRTP answer (the offer's profile,
/// tag and suite, RFC 4568 §7.1.2) with a fresh key of the PBX's, and the keys the
/// endpoint runs with are returned. `Err` when SRTP is asked for with no usable key
/// (answered 488 by the caller of this).
pub(crate) fn endpoint_answer(
    offer: &SessionDescription,
    answer: &mut SessionDescription,
) -> Result<Option<crate::media_endpoint::EndpointSrtp>, ()> {
    if !wants_srtp(offer) {
        return Ok(None);
    }
    let offered = offered_crypto(offer).ok_or(())?;
    let proto = offer
        .audio()
        .and_then(|a| offer.media.get(a.index))
        .map(|m| m.proto.clone())
        .ok_or(())?;
    let media = answer
        .audio()
        .map(|a| a.index)
        .and_then(|i| answer.media.get_mut(i))
        .ok_or(())?;
    let own = SrtpKey::random();
    media.set_crypto(Some(&CryptoAttribute {
        tag: offered.tag,
        suite: offered.suite,
        key: own.clone(),
    }));
    media.proto = proto;
    Ok(Some(crate::media_endpoint::EndpointSrtp {
        suite: offered.suite,
        inbound: offered.key,
        outbound: own,
    }))
}

/// Whether an offer the PBX answers itself can be answered: plain RTP, or SRTP with a
/// key it supports.
pub(crate) fn answerable(offer: &SessionDescription) -> bool {
    !wants_srtp(offer) || offered_crypto(offer).is_some()
}

/// RFC 4568 §6.1: the PBX's own master key for one leg, never the phone's.
fn own_key(id: RelayId, relay_addr: SocketAddr) -> SrtpKey {
    static SECRET: OnceLock<[u8; 32]> = OnceLock::new();
    let secret = SECRET.get_or_init(|| {
        use rand::RngCore;
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        bytes
    });
    // HMAC accepts keys of any length, so the fallback is never taken.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return SrtpKey::random();
    };
    mac.update(&id.0.to_be_bytes());
    mac.update(relay_addr.to_string().as_bytes());
    let material = mac.finalize().into_bytes();
    material
        .get(..30)
        .and_then(SrtpKey::from_bytes)
        .unwrap_or_else(SrtpKey::random)
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;

    use super::*;

    const OFFER: &str =
        "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n\
        m=audio 4000 RTP/SAVP 0\r\na=rtpmap:0 PCMU/8000\r\n\
        a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n";
    const PLAIN_ANSWER: &str = "v=0\r\no=- 2 1 IN IP4 192.0.2.20\r\ns=-\r\nc=IN IP4 192.0.2.20\r\n\
        t=0 0\r\nm=audio 5000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

    fn ports() -> RelayPorts {
        RelayPorts {
            id: RelayId(7),
            a: "203.0.113.1:30000".parse().unwrap(),
            b: "203.0.113.1:30002".parse().unwrap(),
        }
    }

    #[test]
    fn an_srtp_offer_reaches_the_other_side_plain_and_the_relay_gets_the_keys() {
        let mut sdp = SessionDescription::parse(OFFER).unwrap();
        let mut actions = VecDeque::new();
        terminate(&mut actions, ports(), Side::A, &mut sdp);
        let audio = &sdp.media[0];
        assert_eq!(audio.proto, "RTP/AVP");
        assert!(
            audio.crypto().is_empty(),
            "the phone's key never leaves the PBX"
        );
        let Some(Action::RelaySrtp {
            side,
            suite,
            inbound,
            outbound,
            ..
        }) = actions.pop_front()
        else {
            panic!("no RelaySrtp action");
        };
        assert_eq!(side, Side::A);
        assert_eq!(suite, media::srtp::SrtpSuite::AesCm128HmacSha1_32);
        let offered = CryptoAttribute::parse(
            "2 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",
        )
        .unwrap();
        assert_eq!(inbound, offered.key);
        assert_ne!(outbound, offered.key, "the PBX sends with a key of its own");
    }

    #[test]
    fn the_answer_to_an_srtp_offer_names_its_tag_and_suite_with_the_pbxs_key() {
        let offer = SessionDescription::parse(OFFER).unwrap();
        let answer = Some((
            "application/sdp".to_owned(),
            PLAIN_ANSWER.as_bytes().to_vec(),
        ));
        let (_, body) = secure_answer(Some(ports()), Side::A, Some(&offer), answer).unwrap();
        let answer = SessionDescription::parse(std::str::from_utf8(&body).unwrap()).unwrap();
        let audio = &answer.media[0];
        assert_eq!(audio.proto, "RTP/SAVP");
        let crypto = audio.crypto();
        assert_eq!(crypto.len(), 1);
        assert_eq!(crypto[0].tag, 2);
        assert_eq!(crypto[0].suite, media::srtp::SrtpSuite::AesCm128HmacSha1_32);
        // The same leg gets the same key every time (a re-INVITE's answer), the other leg
        // another.
        let mut actions = VecDeque::new();
        terminate(&mut actions, ports(), Side::A, &mut offer.clone());
        let Some(Action::RelaySrtp { outbound, .. }) = actions.pop_front() else {
            panic!("no RelaySrtp action");
        };
        assert_eq!(crypto[0].key, outbound);
        assert_ne!(own_key(RelayId(7), ports().b), outbound);
    }

    #[test]
    fn a_plain_offer_is_answered_plain() {
        let offer = SessionDescription::parse(PLAIN_ANSWER).unwrap();
        let answer = Some((
            "application/sdp".to_owned(),
            PLAIN_ANSWER.as_bytes().to_vec(),
        ));
        let (_, body) = secure_answer(Some(ports()), Side::A, Some(&offer), answer).unwrap();
        assert_eq!(body, PLAIN_ANSWER.as_bytes());
    }

    #[test]
    fn the_pbx_answering_an_srtp_offer_itself_names_its_tag_and_a_key_of_its_own() {
        let offer = SessionDescription::parse(OFFER).unwrap();
        let mut answer = SessionDescription::parse(PLAIN_ANSWER).unwrap();
        let keys = endpoint_answer(&offer, &mut answer)
            .expect("usable key")
            .expect("SRTP");
        let audio = &answer.media[0];
        assert_eq!(audio.proto, "RTP/SAVP");
        let crypto = audio.crypto();
        assert_eq!(crypto.len(), 1);
        assert_eq!(crypto[0].tag, 2);
        assert_eq!(crypto[0].key, keys.outbound);
        assert_eq!(keys.inbound, offered_crypto(&offer).unwrap().key);
        assert_ne!(keys.inbound, keys.outbound);
        // A plain offer is answered plain, with no keys for the endpoint.
        let plain = SessionDescription::parse(PLAIN_ANSWER).unwrap();
        let mut answer = plain.clone();
        assert_eq!(endpoint_answer(&plain, &mut answer), Ok(None));
        assert_eq!(answer.media[0].proto, "RTP/AVP");
    }

    #[test]
    fn a_secure_offer_lists_both_suites_with_the_legs_key() {
        let body = (
            "application/sdp".to_owned(),
            PLAIN_ANSWER.as_bytes().to_vec(),
        );
        let (_, body) = secure_offer(ports(), Side::B, body);
        let offer = SessionDescription::parse(std::str::from_utf8(&body).unwrap()).unwrap();
        assert_eq!(offer.media[0].proto, "RTP/SAVP");
        let crypto = offer.media[0].crypto();
        assert_eq!(crypto.len(), 2);
        assert!(crypto
            .iter()
            .all(|c| c.key == own_key(RelayId(7), ports().b)));
    }
}
