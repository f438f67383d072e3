//! A trunk's codecs and DTMF mode applied to the provider's side of a call through it.
//!
//! The provider only ever sees the trunk's codecs, ordered by the trunk's preference
//! (RFC 3264 §5.1: the order of the `m=` line is the writer's preference), and RFC 4733
//! telephone-events only when the trunk carries DTMF that way. The phone keeps its own
//! codecs: when it shares one with the trunk, packets are relayed unchanged; when it
//! shares none, the offer towards the provider lists the trunk's codecs the relay can
//! transcode to, and the relay transcodes (see `transcoding`). In `info` and `inband`
//! mode events are removed on both sides, so phones signal digits by SIP INFO (relayed
//! in-dialog) or as tones in the audio.

use std::time::Instant;

use media::sdp::{is_transcodable, AudioRestriction, SessionDescription};
use sip::transaction::ServerKey;
use sip::{Host, Request, Response};

use super::anchor::sdp_of;
use crate::core::Pbx;
use crate::dialplan::{DtmfMode, Trunk};

/// What a call through a trunk may carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TrunkMedia {
    /// The trunk's name, for logs and records.
    pub trunk: String,
    /// Codec names in preference order; empty: whatever is offered.
    pub codecs: Vec<String>,
    pub dtmf: DtmfMode,
}

impl TrunkMedia {
    pub fn of(trunk: &Trunk) -> TrunkMedia {
        TrunkMedia {
            trunk: trunk.name.clone(),
            codecs: trunk
                .codecs
                .iter()
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty())
                .collect(),
            dtmf: trunk.dtmf,
        }
    }

    fn telephone_event(&self) -> bool {
        self.dtmf == DtmfMode::Rfc4733
    }

    /// Whether an offer in `body` leaves a codec the trunk carries. Bodies that are not
    /// SDP (or unreadable, which is refused elsewhere) and descriptions without an
    /// enabled audio stream have nothing to refuse.
    pub fn accepts(&self, content_type: Option<&str>, body: &[u8]) -> bool {
        match sdp_of(content_type, body) {
            Ok(Some(sdp)) => sdp.offers_any_codec(&self.codecs),
            _ => true,
        }
    }

    /// Whether a phone's offer in `body` can be carried through the trunk, transcoding
    /// if need be: it shares a codec with the trunk, or it has a codec the relay decodes
    /// and the trunk takes one the relay encodes. Only when neither holds is the call
    /// refused (RFC 3261 §21.4.26).
    pub fn reachable(&self, content_type: Option<&str>, body: &[u8]) -> bool {
        let Ok(Some(sdp)) = sdp_of(content_type, body) else {
            return true;
        };
        if sdp.offers_any_codec(&self.codecs) {
            return true;
        }
        let own_transcodable = sdp
            .audio()
            .and_then(|a| sdp.media.get(a.index))
            .is_some_and(|m| m.payload_formats().iter().any(is_transcodable));
        let mut widened = sdp;
        widened.add_transcodable_codecs();
        own_transcodable && widened.offers_any_codec(&self.codecs)
    }

    /// Narrows `sdp` to the trunk's codecs and DTMF mode. A description with no codec in
    /// common keeps its codecs but still loses the events the trunk does not use: it is
    /// one for a phone that is transcoded (its offer or answer, rewritten afterwards to
    /// the codec the provider agreed on), or one that arrives where it can no longer be
    /// refused, such as the offer in a 2xx to an INVITE without SDP (RFC 3261 §13.2.1),
    /// which the far end then refuses in its own way.
    pub fn shape(&self, sdp: &mut SessionDescription) {
        let events = self.telephone_event();
        if sdp.restrict_audio(&self.codecs, events) == AudioRestriction::NoCommonCodec {
            tracing::debug!(
                trunk = %self.trunk,
                "a description shares no codec with the trunk; its codecs are kept"
            );
            sdp.restrict_audio(&[] as &[&str], events);
        }
    }

    /// The call's offer (`sdp`, possibly already widened with transcodable codecs) as the
    /// provider gets it. When the phone's own offer (`caller`) shares codecs with the
    /// trunk, only those are offered, in the trunk's order, so the provider picks one the
    /// phone sends and nothing is transcoded. Otherwise, when the call's media passes the
    /// relay (`relayed`), the trunk's codecs the relay can transcode to are offered.
    pub fn offer(
        &self,
        sdp: &mut SessionDescription,
        caller: Option<&SessionDescription>,
        relayed: bool,
    ) {
        if self.codecs.is_empty() {
            return self.shape(sdp);
        }
        let shared = caller
            .map(|c| {
                let mut c = c.clone();
                if c.restrict_audio(&self.codecs, false) == AudioRestriction::Restricted {
                    voice_encodings(&c)
                } else {
                    Vec::new()
                }
            })
            .unwrap_or_default();
        let events = self.telephone_event();
        if !shared.is_empty() && sdp.restrict_audio(&shared, events) == AudioRestriction::Restricted
        {
            return;
        }
        if relayed {
            sdp.add_transcodable_codecs();
        }
        self.shape(sdp);
    }

    /// [`TrunkMedia::shape`] on a message body; other bodies pass unchanged.
    pub fn shape_body(&self, content_type: &str, body: &[u8]) -> (String, Vec<u8>) {
        match sdp_of(Some(content_type), body) {
            Ok(Some(mut sdp)) => {
                self.shape(&mut sdp);
                ("application/sdp".to_owned(), sdp.to_string().into_bytes())
            }
            _ => (content_type.to_owned(), body.to_vec()),
        }
    }

    /// [`TrunkMedia::offer`] on the call's offer body, `caller` being the phone's own
    /// offer (its INVITE's body); other bodies pass unchanged.
    pub fn offer_body(
        &self,
        content_type: &str,
        body: &[u8],
        caller: (Option<&str>, &[u8]),
        relayed: bool,
    ) -> (String, Vec<u8>) {
        match sdp_of(Some(content_type), body) {
            Ok(Some(mut sdp)) => {
                let caller = sdp_of(caller.0, caller.1).ok().flatten();
                self.offer(&mut sdp, caller.as_ref(), relayed);
                ("application/sdp".to_owned(), sdp.to_string().into_bytes())
            }
            _ => (content_type.to_owned(), body.to_vec()),
        }
    }

    /// The codecs as the owner wrote them, for a record's reason.
    pub fn codec_list(&self) -> String {
        if self.codecs.is_empty() {
            "any".to_owned()
        } else {
            self.codecs.join(", ")
        }
    }
}

/// The voice codecs of the audio stream, in the description's order.
fn voice_encodings(sdp: &SessionDescription) -> Vec<String> {
    sdp.audio()
        .and_then(|a| sdp.media.get(a.index))
        .map(|m| {
            m.payload_formats()
                .into_iter()
                .map(|f| f.encoding)
                .filter(|e| !e.eq_ignore_ascii_case("telephone-event"))
                .collect()
        })
        .unwrap_or_default()
}

impl Pbx {
    /// Answers an offer the trunk cannot carry: 488 with a 305 warning
    /// (RFC 3261 §21.4.26, §20.43 "Incompatible media format").
    pub(crate) fn not_acceptable(&mut self, now: Instant, key: &ServerKey, request: &Request) {
        let mut response = Response::for_request(request, 488, "Not Acceptable Here");
        response.headers.push("Warning", self.incompatible_media());
        self.send_response(now, key, response);
    }

    /// The Warning value that goes with a 488 (RFC 3261 §20.43: code 305, our host).
    pub(crate) fn incompatible_media(&self) -> String {
        let agent = self.config.local.first().map_or_else(
            || "pbx".to_owned(),
            |(_, addr)| Host::from(addr.ip()).to_string(),
        );
        format!("305 {agent} \"Incompatible media format\"")
    }
}
