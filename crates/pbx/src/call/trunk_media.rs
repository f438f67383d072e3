//! A trunk's codecs and DTMF mode applied to every SDP of a call through it.
//!
//! The relay passes packets through without transcoding, so both legs must agree on a
//! codec the provider accepts: every description crossing the PBX on such a call — the
//! offer and answer towards the provider and those towards the phones alike — keeps only
//! the trunk's codecs, ordered by the trunk's preference (RFC 3264 §5.1: the order of
//! the `m=` line is the writer's preference). RFC 4733 telephone-events survive only when
//! the trunk carries DTMF that way; in `info` and `inband` mode they are removed on both
//! sides, so phones signal digits by SIP INFO (relayed in-dialog) or as tones in the audio.

use std::time::Instant;

use media::sdp::{AudioRestriction, SessionDescription};
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

    /// Narrows `sdp` to the trunk's codecs and DTMF mode. A description with no codec in
    /// common — one that arrives where it can no longer be refused, such as the offer in
    /// a 2xx to an INVITE without SDP (RFC 3261 §13.2.1) — keeps its codecs, so the far
    /// end refuses it in its own way, but still loses the events the trunk does not use.
    pub fn shape(&self, sdp: &mut SessionDescription) {
        let events = self.telephone_event();
        if sdp.restrict_audio(&self.codecs, events) == AudioRestriction::NoCommonCodec {
            tracing::info!(
                trunk = %self.trunk,
                "a description shares no codec with the trunk; passed on unrestricted"
            );
            sdp.restrict_audio(&[] as &[&str], events);
        }
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

    /// The codecs as the owner wrote them, for a record's reason.
    pub fn codec_list(&self) -> String {
        if self.codecs.is_empty() {
            "any".to_owned()
        } else {
            self.codecs.join(", ")
        }
    }
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
