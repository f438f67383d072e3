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
use media::srtp::SrtpKey;
use sha2::Sha256;

use crate::action::{Action, Side};
use crate::media_relay::{RelayId, RelayPorts};

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
/// the relay is told to terminate SRTP on that side; the description is made plain RTP/AVP
/// for the other side in any case (its keys are for the PBX alone).
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
