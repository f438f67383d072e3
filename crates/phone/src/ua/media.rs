//! Offers and answers (RFC 3264) for the one audio stream of a call.

use media::sdp::{negotiate, Direction, PayloadFormat, SessionDescription, TELEPHONE_EVENT};

use super::types::{LocalMedia, RemoteMedia};

/// First dynamic payload type we number formats from (RFC 3551 §3).
const DYNAMIC_BASE: u8 = 101;

/// Our description across one call: the session id stays, the version grows with
/// every change (RFC 3264 §8).
#[derive(Debug, Clone)]
pub(crate) struct LocalSdp {
    pub(crate) media: LocalMedia,
    session_id: u64,
    version: u64,
    /// The formats we last wrote (an answer keeps the offerer's numbers).
    formats: Vec<PayloadFormat>,
}

impl LocalSdp {
    pub(crate) fn new(media: LocalMedia, session_id: u64) -> Self {
        let formats = offer_formats(&media);
        LocalSdp {
            media,
            session_id,
            version: 0,
            formats,
        }
    }

    /// Our description with `direction`; a new version when anything changed.
    pub(crate) fn write(&mut self, direction: Direction) -> Vec<u8> {
        self.version = self.version.wrapping_add(1);
        SessionDescription::new_audio(
            self.session_id,
            self.version,
            self.media.rtp,
            &self.formats,
            direction,
        )
        .to_string()
        .into_bytes()
    }

    /// Answers `offer` (RFC 3264 §6): the formats we share, in the offerer's numbers,
    /// and the direction that mirrors the offer, never sending while `held`. `None` when
    /// nothing is shared (the caller answers 488, RFC 3261 §13.3.1.3).
    pub(crate) fn answer(
        &mut self,
        offer: &SessionDescription,
        held: bool,
    ) -> Option<(Vec<u8>, RemoteMedia)> {
        let audio = offer.audio()?;
        let section = offer.media.get(audio.index)?;
        let chosen = negotiate(section, &self.media.codecs);
        if chosen.is_empty() {
            return None;
        }
        self.formats = chosen.clone();
        let mut direction = audio.direction.reversed();
        if held {
            direction = match direction {
                Direction::SendRecv | Direction::SendOnly => Direction::SendOnly,
                _ => Direction::Inactive,
            };
        }
        let remote = remote_media(offer, &chosen);
        Some((self.write(direction), remote))
    }
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

/// What the far end's description says, given the formats both sides listed.
pub(crate) fn remote_media(sdp: &SessionDescription, shared: &[PayloadFormat]) -> RemoteMedia {
    let audio = sdp.audio();
    let is_event = |f: &PayloadFormat| f.encoding.eq_ignore_ascii_case(TELEPHONE_EVENT.encoding);
    RemoteMedia {
        addr: audio.and_then(|a| a.socket_addr()),
        codec: shared.iter().find(|f| !is_event(f)).cloned(),
        telephone_event: shared.iter().find(|f| is_event(f)).map(|f| f.payload_type),
        direction: audio.map_or(Direction::Inactive, |a| a.direction),
    }
}

/// Reads an answer to our offer: the formats it lists are the shared ones (RFC 3264 §6.1).
pub(crate) fn read_answer(body: &[u8]) -> Option<RemoteMedia> {
    let sdp = parse(body)?;
    let audio = sdp.audio()?;
    let formats = sdp.media.get(audio.index)?.payload_formats();
    Some(remote_media(&sdp, &formats))
}

pub(crate) fn parse(body: &[u8]) -> Option<SessionDescription> {
    if body.is_empty() {
        return None;
    }
    let text = std::str::from_utf8(body).ok()?;
    SessionDescription::parse(text).ok()
}
