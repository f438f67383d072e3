//! Offers and answers (RFC 3264) for the one audio stream of a call, with SRTP keys
//! (SDES, RFC 4568) where the account allows them.

use std::net::SocketAddr;

use media::sdp::{
    negotiate, Attribute, AudioEndpoint, CryptoAttribute, Direction, PayloadFormat,
    SessionDescription, TELEPHONE_EVENT,
};
use media::srtp::{SrtpKey, SrtpSuite};

use super::types::{LocalMedia, RemoteMedia};
use crate::call_media::SrtpKeys;

/// First dynamic payload type we number formats from (RFC 3551 §3).
const DYNAMIC_BASE: u8 = 101;

/// What the account allows for SRTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SrtpPolicy {
    /// Keys may be sent and taken: the signalling is TLS and SRTP is not turned off.
    pub(crate) keys_allowed: bool,
    /// Plain RTP is refused.
    pub(crate) required: bool,
}

impl SrtpPolicy {
    /// Whether an offer's audio asks for what we can give: SRTP with a usable key only
    /// where keys are allowed, plain RTP only where SRTP is not required.
    pub(crate) fn accepts(self, offer: &SessionDescription) -> bool {
        let Some(section) = offer.audio().and_then(|a| offer.media.get(a.index)) else {
            return true;
        };
        if section.is_secure_profile() {
            self.keys_allowed && !section.crypto().is_empty()
        } else {
            !self.required
        }
    }
}

/// Why an offer cannot be answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    NoCommonCodec,
    /// SRTP asked for where we cannot or will not (RFC 4568 §7.1.3: 488), or plain RTP
    /// where SRTP is required.
    Encryption,
}

/// Our description across one call: the session id stays, the version grows with
/// every change (RFC 3264 §8).
#[derive(Debug, Clone)]
pub(crate) struct LocalSdp {
    pub(crate) media: LocalMedia,
    session_id: u64,
    version: u64,
    /// The formats we last wrote (an answer keeps the offerer's numbers).
    formats: Vec<PayloadFormat>,
    /// The `a=crypto` lines we write: both suites in an offer (a fresh key each,
    /// RFC 4568 §6.1), the one agreed once answered, so later offers keep the keys.
    crypto: Vec<CryptoAttribute>,
    /// Whether we write `a=rtcp-mux`: in every offer until an answer leaves it out
    /// (RFC 5761 §5.1.3: then RTCP stays on its own port for the call), in an answer
    /// when the offer had it (§5.1.1).
    mux: bool,
}

impl LocalSdp {
    /// Our description; `secure` offers RTP/SAVP with fresh keys.
    pub(crate) fn new(media: LocalMedia, session_id: u64, secure: bool) -> Self {
        let formats = offer_formats(&media);
        let crypto = if secure {
            vec![
                crypto(1, SrtpSuite::AesCm128HmacSha1_80, SrtpKey::random()),
                crypto(2, SrtpSuite::AesCm128HmacSha1_32, SrtpKey::random()),
            ]
        } else {
            Vec::new()
        };
        LocalSdp {
            media,
            session_id,
            version: 0,
            formats,
            crypto,
            mux: true,
        }
    }

    /// Whether what we write asks for SRTP.
    pub(crate) fn is_secure(&self) -> bool {
        !self.crypto.is_empty()
    }

    /// Offers plain RTP from now on (an SRTP offer refused with 488 is retried plain).
    pub(crate) fn drop_srtp(&mut self) {
        self.crypto.clear();
    }

    /// Our description with `direction`; a new version when anything changed.
    pub(crate) fn write(&mut self, direction: Direction) -> Vec<u8> {
        self.version = self.version.wrapping_add(1);
        let mut sdp = SessionDescription::new_audio(
            self.session_id,
            self.version,
            self.media.rtp,
            &self.formats,
            direction,
        );
        if let Some(section) = sdp.media.first_mut() {
            section.set_crypto(self.crypto.first());
            section.set_rtcp_mux(self.mux);
            if let Some(port) = self.media.rtcp_port {
                section.attributes.push(Attribute::Rtcp {
                    port,
                    connection: None,
                });
            }
            for extra in self.crypto.iter().skip(1) {
                section.attributes.push(extra.to_attribute());
            }
        }
        sdp.to_string().into_bytes()
    }

    /// Answers `offer` (RFC 3264 §6): the formats we share, in the offerer's numbers,
    /// and the direction that mirrors the offer, never sending while `held`. An SRTP
    /// offer is answered with the first `a=crypto` line we can use and our own key (kept
    /// from earlier in the call for the same suite). A refusal is answered 488
    /// (RFC 3261 §13.3.1.3).
    pub(crate) fn answer(
        &mut self,
        offer: &SessionDescription,
        held: bool,
        policy: SrtpPolicy,
    ) -> Result<(Vec<u8>, RemoteMedia), Refusal> {
        let audio = offer.audio().ok_or(Refusal::NoCommonCodec)?;
        let section = offer.media.get(audio.index).ok_or(Refusal::NoCommonCodec)?;
        let chosen = negotiate(section, &self.media.codecs);
        if chosen.is_empty() {
            return Err(Refusal::NoCommonCodec);
        }
        let keys = if section.is_secure_profile() {
            // RFC 4568 §8.3: keys offered over plain signalling are refused, as is an
            // offer with no line we can use (§7.1.3).
            if !policy.keys_allowed {
                return Err(Refusal::Encryption);
            }
            let theirs = section
                .crypto()
                .into_iter()
                .next()
                .ok_or(Refusal::Encryption)?;
            let ours = self
                .crypto
                .iter()
                .find(|c| c.suite == theirs.suite)
                .map_or_else(SrtpKey::random, |c| c.key.clone());
            self.crypto = vec![crypto(theirs.tag, theirs.suite, ours.clone())];
            Some(SrtpKeys {
                suite: theirs.suite,
                local: ours,
                remote: theirs.key,
            })
        } else {
            if policy.required {
                return Err(Refusal::Encryption);
            }
            self.crypto.clear();
            None
        };
        self.formats = chosen.clone();
        // RFC 5761 §5.1.1: RTCP joins the RTP port when the offer asks for it, and our
        // answer says so; `remote_media` reads the same attribute.
        self.mux = section.rtcp_mux();
        let mut direction = audio.direction.reversed();
        if held {
            direction = match direction {
                Direction::SendRecv | Direction::SendOnly => Direction::SendOnly,
                _ => Direction::Inactive,
            };
        }
        let mut remote = remote_media(offer, &chosen);
        remote.srtp = keys;
        Ok((self.write(direction), remote))
    }

    /// Reads an answer to our offer: the formats it lists are the shared ones
    /// (RFC 3264 §6.1); an SRTP answer names one of our `a=crypto` lines by its tag
    /// (RFC 4568 §7.1.2), which we keep for later offers.
    pub(crate) fn read_answer(&mut self, body: &[u8]) -> Option<RemoteMedia> {
        let sdp = parse(body)?;
        let audio = sdp.audio()?;
        let section = sdp.media.get(audio.index)?;
        let formats = section.payload_formats();
        self.mux = self.mux && section.rtcp_mux();
        let mut remote = remote_media(&sdp, &formats);
        if section.is_secure_profile() {
            let agreed = section.crypto().into_iter().find_map(|theirs| {
                self.crypto
                    .iter()
                    .find(|c| c.tag == theirs.tag && c.suite == theirs.suite)
                    .map(|ours| (ours.clone(), theirs))
            });
            if let Some((ours, theirs)) = agreed {
                remote.srtp = Some(SrtpKeys {
                    suite: ours.suite,
                    local: ours.key.clone(),
                    remote: theirs.key,
                });
                self.crypto = vec![ours];
            }
        }
        Some(remote)
    }
}

fn crypto(tag: u32, suite: SrtpSuite, key: SrtpKey) -> CryptoAttribute {
    CryptoAttribute { tag, suite, key }
}

/// Our offer: every codec we have, static numbers where they exist, dynamic ones from
/// 101 for the rest.
fn offer_formats(media: &LocalMedia) -> Vec<PayloadFormat> {
    let mut next = DYNAMIC_BASE;
    media
        .codecs
        .iter()
        .map(|spec| {
            let format = spec.format(next);
            if spec.static_payload_type.is_none() {
                next = next.saturating_add(1);
            }
            format
        })
        .collect()
}

/// What the far end's description says, given the formats both sides listed (plain RTP:
/// the caller fills in the keys).
pub(crate) fn remote_media(sdp: &SessionDescription, shared: &[PayloadFormat]) -> RemoteMedia {
    let audio = sdp.audio();
    let is_event = |f: &PayloadFormat| f.encoding.eq_ignore_ascii_case(TELEPHONE_EVENT.encoding);
    RemoteMedia {
        addr: audio.and_then(|a| a.socket_addr()),
        codec: shared.iter().find(|f| !is_event(f)).cloned(),
        telephone_event: shared.iter().find(|f| is_event(f)).map(|f| f.payload_type),
        direction: audio.map_or(Direction::Inactive, |a| a.direction),
        srtp: None,
        rtcp: audio.as_ref().and_then(|a| rtcp_addr(sdp, a)),
        rtcp_mux: audio.is_some_and(|a| sdp.media.get(a.index).is_some_and(|m| m.rtcp_mux())),
    }
}

/// RFC 5761 §5.1.1: with `a=rtcp-mux` RTCP goes to the RTP address (the `a=rtcp` a
/// muxing peer may add names that same port, §5.1.3). Otherwise RFC 3605 §2.1: `a=rtcp` names the RTCP port (and maybe its address); without it
/// RTCP goes to the port above RTP (RFC 3550 §11).
fn rtcp_addr(sdp: &SessionDescription, audio: &AudioEndpoint) -> Option<SocketAddr> {
    let rtp = audio.socket_addr()?;
    if sdp.media.get(audio.index).is_some_and(|m| m.rtcp_mux()) {
        return Some(rtp);
    }
    let named = sdp.media.get(audio.index).and_then(|m| {
        m.attributes.iter().find_map(|a| match a {
            Attribute::Rtcp { port, connection } => Some((*port, connection.clone())),
            _ => None,
        })
    });
    match named {
        Some((port, connection)) => {
            let ip = connection
                .and_then(|c| c.address.parse().ok())
                .unwrap_or(rtp.ip());
            (port != 0).then(|| SocketAddr::new(ip, port))
        }
        None => rtp
            .port()
            .checked_add(1)
            .map(|p| SocketAddr::new(rtp.ip(), p)),
    }
}

pub(crate) fn parse(body: &[u8]) -> Option<SessionDescription> {
    if body.is_empty() {
        return None;
    }
    let text = std::str::from_utf8(body).ok()?;
    SessionDescription::parse(text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rtcp_of(extra: &str) -> Option<SocketAddr> {
        let text = format!(
            "v=0\r\no=- 1 1 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\n\
             m=audio 4000 RTP/AVP 0\r\n{extra}"
        );
        let sdp = SessionDescription::parse(&text).expect("sdp");
        remote_media(&sdp, &[]).rtcp
    }

    const PLAIN: SrtpPolicy = SrtpPolicy {
        keys_allowed: false,
        required: false,
    };

    fn local() -> LocalSdp {
        let media = LocalMedia {
            rtp: "192.0.2.1:7000".parse().unwrap(),
            rtcp_port: None,
            codecs: crate::call_media::default_offer(),
        };
        LocalSdp::new(media, 1, false)
    }

    fn offer(mux: bool) -> SessionDescription {
        let extra = if mux { "a=rtcp-mux\r\n" } else { "" };
        let text = format!(
            "v=0\r\no=- 1 1 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\n\
             m=audio 4000 RTP/AVP 0\r\n{extra}a=sendrecv\r\n"
        );
        SessionDescription::parse(&text).expect("sdp")
    }

    fn has_mux(body: &[u8]) -> bool {
        parse(body).expect("sdp").media[0].rtcp_mux()
    }

    #[test]
    fn our_offer_asks_for_rtcp_mux() {
        assert!(has_mux(&local().write(Direction::SendRecv)));
    }

    /// RFC 3605 §2.1: a=rtcp only when RTCP is not on the port above RTP.
    #[test]
    fn our_rtcp_port_is_written_only_when_it_is_not_the_one_above_rtp() {
        let rtcp_of = |sdp: &mut LocalSdp| {
            parse(&sdp.write(Direction::SendRecv)).expect("sdp").media[0].rtcp_port()
        };
        assert_eq!(rtcp_of(&mut local()), None);
        let mut moved = local();
        moved.media.rtcp_port = Some(7010);
        assert_eq!(rtcp_of(&mut moved), Some(7010));
    }

    #[test]
    fn an_answer_with_rtcp_mux_moves_rtcp_to_the_rtp_port() {
        let mut ours = local();
        ours.write(Direction::SendRecv);
        let answer = offer(true).to_string();
        let remote = ours.read_answer(answer.as_bytes()).expect("answer");
        assert!(remote.rtcp_mux);
        assert_eq!(remote.rtcp, remote.addr);
        assert_eq!(remote.rtcp, Some("192.0.2.5:4000".parse().unwrap()));
        // A re-offer keeps it (RFC 5761 §5.1.3).
        assert!(has_mux(&ours.write(Direction::SendOnly)));
    }

    #[test]
    fn an_answer_without_rtcp_mux_keeps_separate_ports_and_stops_offering_it() {
        let mut ours = local();
        ours.write(Direction::SendRecv);
        let answer = offer(false).to_string();
        let remote = ours.read_answer(answer.as_bytes()).expect("answer");
        assert!(!remote.rtcp_mux);
        assert_eq!(remote.rtcp, Some("192.0.2.5:4001".parse().unwrap()));
        assert!(!has_mux(&ours.write(Direction::SendOnly)));
    }

    #[test]
    fn an_offer_is_answered_with_rtcp_mux_exactly_when_it_asks_for_it() {
        for mux in [true, false] {
            let (body, remote) = local().answer(&offer(mux), false, PLAIN).expect("answer");
            assert_eq!(has_mux(&body), mux);
            assert_eq!(remote.rtcp_mux, mux);
            let port = if mux { 4000 } else { 4001 };
            assert_eq!(remote.rtcp.map(|a| a.port()), Some(port));
        }
    }

    #[test]
    fn rtcp_goes_to_the_port_above_rtp_unless_a_rtcp_names_another() {
        // RFC 3550 §11.
        assert_eq!(rtcp_of(""), Some("192.0.2.5:4001".parse().unwrap()));
        // RFC 3605: a port alone keeps the stream's address; one with an address moves it.
        assert_eq!(
            rtcp_of("a=rtcp:5003\r\n"),
            Some("192.0.2.5:5003".parse().unwrap())
        );
        assert_eq!(
            rtcp_of("a=rtcp:5003 IN IP4 198.51.100.7\r\n"),
            Some("198.51.100.7:5003".parse().unwrap())
        );
    }
}
