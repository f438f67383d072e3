//! Anchoring media at the relay (the B2BUA hides each phone's address from the other).
//! Every SDP that crosses the PBX goes through [`reanchor`].

use std::collections::VecDeque;

use media::sdp::SessionDescription;

use super::trunk_media::TrunkMedia;
use crate::action::{Action, Side};
use crate::media_relay::RelayPorts;

/// A message body received from side `from`, made ready for the other side.
///
/// When it is SDP and the call has a relay, the sender's audio address is queued for the
/// relay (`RelayPeer`) and the SDP is rewritten to point at the relay's socket on the
/// receiving side. On a call through a trunk, the SDP is also narrowed to what the trunk
/// carries (see [`TrunkMedia`]). Other bodies pass unchanged. `None` when there is no body.
pub(crate) fn reanchor(
    actions: &mut VecDeque<Action>,
    relay: Option<RelayPorts>,
    trunk: Option<&TrunkMedia>,
    from: Side,
    content_type: Option<&str>,
    body: &[u8],
) -> Option<(String, Vec<u8>)> {
    if body.is_empty() {
        return None;
    }
    let passthrough = || {
        content_type
            .map(|ct| (ct.to_owned(), body.to_vec()))
            .or_else(|| Some(("application/sdp".to_owned(), body.to_vec())))
    };
    let Ok(Some(mut sdp)) = sdp_of(content_type, body) else {
        return passthrough();
    };
    if relay.is_none() && trunk.is_none() {
        return passthrough();
    }
    if let Some(trunk) = trunk {
        trunk.shape(&mut sdp);
    }
    if let Some(ports) = relay {
        if let Some(peer) = sdp.audio().and_then(|a| a.socket_addr()) {
            actions.push_back(Action::RelayPeer {
                id: ports.id,
                side: from,
                peer,
            });
        }
        // The keys this side may press arrive as these events (RFC 4733 §7.1.1).
        let payload_types = telephone_events(&sdp);
        if !payload_types.is_empty() {
            actions.push_back(Action::DtmfEvents {
                id: ports.id,
                payload_types,
            });
        } else if let Some(format) = g711(&sdp) {
            // Without events its keys are tones in the audio (a trunk in in-band mode).
            actions.push_back(Action::DtmfInband {
                id: ports.id,
                side: from,
                format,
            });
        }
        // Each leg's SRTP ends at the relay; the other side sees plain RTP.
        super::srtp::terminate(actions, ports, from, &mut sdp);
        sdp.anchor(ports.addr_for(from.other()), None);
    }
    Some(("application/sdp".to_owned(), sdp.to_string().into_bytes()))
}

/// The SDP in a body, if the body is SDP. `Err` when it claims to be SDP but does not
/// parse.
pub(crate) fn sdp_of(
    content_type: Option<&str>,
    body: &[u8],
) -> Result<Option<SessionDescription>, ()> {
    if body.is_empty() {
        return Ok(None);
    }
    let is_sdp = content_type
        .map(|ct| {
            ct.trim()
                .to_ascii_lowercase()
                .starts_with("application/sdp")
        })
        .unwrap_or(false);
    if !is_sdp {
        return Ok(None);
    }
    let text = std::str::from_utf8(body).map_err(|_| ())?;
    SessionDescription::parse(text).map(Some).map_err(|_| ())
}

/// The first G.711 format of the audio stream, the one in-band keys are listened for in.
fn g711(sdp: &SessionDescription) -> Option<media::sdp::PayloadFormat> {
    let audio = sdp.media.get(sdp.audio()?.index)?;
    audio.payload_formats().into_iter().find(|f| {
        f.encoding.eq_ignore_ascii_case("PCMU") || f.encoding.eq_ignore_ascii_case("PCMA")
    })
}

/// The payload types a description gives RFC 4733 telephone-events, at any clock rate.
fn telephone_events(sdp: &SessionDescription) -> Vec<u8> {
    sdp.audio()
        .and_then(|a| sdp.media.get(a.index))
        .map(|m| {
            m.payload_formats()
                .into_iter()
                .filter(|f| f.encoding.eq_ignore_ascii_case("telephone-event"))
                .map(|f| f.payload_type)
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::media_relay::RelayId;

    const MUXED: &str = "v=0\r\no=- 1 1 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\n\
                         t=0 0\r\nm=audio 4000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\n\
                         a=rtpmap:101 telephone-event/8000\r\na=rtcp-mux\r\na=sendrecv\r\n";

    /// RFC 5761 §5.1.1: the relay keeps RTP and RTCP on separate sockets, so an offer
    /// with `a=rtcp-mux` reaches the callee without it, the callee's answer therefore
    /// has none, and the caller keeps its separate RTCP port.
    #[test]
    fn rtcp_mux_is_left_out_of_both_directions_of_an_anchored_call() {
        let ports = RelayPorts {
            id: RelayId(7),
            a: "203.0.113.5:30000".parse().unwrap(),
            b: "203.0.113.5:30002".parse().unwrap(),
        };
        for from in [Side::A, Side::B] {
            let mut actions = VecDeque::new();
            let (_, body) = reanchor(
                &mut actions,
                Some(ports),
                None,
                from,
                Some("application/sdp"),
                MUXED.as_bytes(),
            )
            .expect("a body");
            let sdp = SessionDescription::parse(std::str::from_utf8(&body).unwrap()).unwrap();
            let audio = sdp.audio().unwrap();
            assert!(!sdp.media[audio.index].rtcp_mux(), "{sdp}");
            assert_eq!(audio.socket_addr(), Some(ports.addr_for(from.other())));
        }
    }

    #[test]
    fn without_a_relay_rtcp_mux_passes_between_the_phones() {
        let mut actions = VecDeque::new();
        let (_, body) = reanchor(
            &mut actions,
            None,
            None,
            Side::A,
            Some("application/sdp"),
            MUXED.as_bytes(),
        )
        .expect("a body");
        assert!(String::from_utf8_lossy(&body).contains("a=rtcp-mux"));
    }
}
