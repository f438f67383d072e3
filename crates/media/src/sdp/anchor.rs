//! Reading a peer's audio address and rewriting a description so media flows through the
//! PBX's relay ("anchoring"), the way a B2BUA hides each leg's address from the other.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use super::{Attribute, Connection, Direction, SessionDescription};

/// Where and how a peer wants to exchange audio, as read from its description.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AudioEndpoint {
    /// Position of the audio `m=` section, to match offer and answer (RFC 3264 §6).
    pub index: usize,
    /// The effective `c=` address; `None` when missing or not an IP literal (an FQDN).
    pub address: Option<IpAddr>,
    /// The `m=` port; 0 means the stream is rejected or disabled.
    pub port: u16,
    /// The effective direction (media attribute, else session attribute, else sendrecv).
    pub direction: Direction,
}

impl AudioEndpoint {
    /// The address to send RTP to, or `None` while there is nowhere to send: no usable
    /// address, the unspecified address (hold), or port 0.
    pub fn socket_addr(&self) -> Option<SocketAddr> {
        let ip = self.address.filter(|ip| !ip.is_unspecified())?;
        (self.port != 0).then(|| SocketAddr::new(ip, self.port))
    }

    /// Whether the writer is putting the call on hold: RFC 3264 §8.4 (a=sendonly or
    /// a=inactive) or the older RFC 2543 style of a 0.0.0.0 connection address.
    pub fn is_hold(&self) -> bool {
        let unspecified = self.address.is_some_and(|ip| ip.is_unspecified());
        unspecified || matches!(self.direction, Direction::SendOnly | Direction::Inactive)
    }
}

impl SessionDescription {
    /// The audio stream: the first `m=audio` section with a non-zero port, else the first
    /// `m=audio` section at all.
    pub fn audio(&self) -> Option<AudioEndpoint> {
        let index = self.audio_index()?;
        let media = self.media.get(index)?;
        Some(AudioEndpoint {
            index,
            address: self.connection_for(media).and_then(Connection::ip),
            port: media.port,
            direction: self.direction_for(media),
        })
    }

    fn audio_index(&self) -> Option<usize> {
        let is_audio = |m: &&super::MediaDescription| m.media.eq_ignore_ascii_case("audio");
        let mut audio = self.media.iter().enumerate().filter(|(_, m)| is_audio(m));
        let first = audio.clone().next().map(|(i, _)| i);
        audio.find(|(_, m)| m.port != 0).map(|(i, _)| i).or(first)
    }

    /// Rewrites the description so the peer sends its audio to `relay`, keeping codecs,
    /// direction and unknown attributes.
    ///
    /// - `c=` (session level, and media level where needed) becomes the relay address; a
    ///   hold written as 0.0.0.0 stays an unspecified address (of the relay's family) so
    ///   the hold still reads as one.
    /// - the audio `m=` port becomes the relay port (a rejected stream keeps port 0).
    /// - `o=` takes the relay address and its version goes up by one: a peer re-offering
    ///   the same version therefore yields the same rewritten version, and a changed offer
    ///   a higher one, as RFC 3264 §8 requires.
    /// - `a=rtcp` is replaced by `rtcp_port` (when the relay relays RTCP) or dropped, so
    ///   RTCP defaults to the port above RTP (RFC 3550 §11).
    /// - `a=rtcp-mux` is dropped (RFC 5761 §5.1.1: an answer without it keeps RTCP on its
    ///   own port): the relay keeps RTP and RTCP on separate sockets, so the peer's
    ///   answer to this offer, or this answer to the peer's offer, never agrees to mux.
    /// - ICE candidates are dropped: they name the peer's own addresses, which the anchored
    ///   call must not use.
    /// - other media sections get port 0: only the audio stream is relayed, and their
    ///   media would otherwise bypass the PBX.
    pub fn anchor(&mut self, relay: SocketAddr, rtcp_port: Option<u16>) {
        let audio = self.audio();
        let was_hold = audio.is_some_and(|a| a.address.is_some_and(|ip| ip.is_unspecified()));
        let media_ip = if was_hold {
            unspecified_like(relay.ip())
        } else {
            relay.ip()
        };
        let connection = Connection::new(media_ip);

        self.origin.connection = Connection::new(relay.ip());
        self.origin.session_version = self.origin.session_version.wrapping_add(1);
        let session_has_c = self.connection.is_some();
        if session_has_c {
            self.connection = Some(connection.clone());
        }

        let audio_index = audio.map(|a| a.index);
        for (index, media) in self.media.iter_mut().enumerate() {
            let is_audio = Some(index) == audio_index;
            if media.connection.is_some() || (is_audio && !session_has_c) {
                media.connection = Some(connection.clone());
            }
            media.attributes.retain(|a| !is_replaced(a));
            if !is_audio {
                media.port = 0;
                continue;
            }
            if media.port != 0 {
                media.port = relay.port();
            }
            media.port_count = None;
            if let Some(port) = rtcp_port {
                media.attributes.push(Attribute::Rtcp {
                    port,
                    connection: Some(connection.clone()),
                });
            }
        }
    }
}

/// Attributes `anchor` removes from the audio section.
fn is_replaced(attribute: &Attribute) -> bool {
    match attribute {
        Attribute::Rtcp { .. } => true,
        Attribute::Other { name, .. } if name == "rtcp-mux" => true,
        // RFC 8839 §5.1: candidates carry transport addresses of the peer itself.
        Attribute::Other { name, .. } => {
            matches!(
                name.as_str(),
                "candidate" | "remote-candidates" | "end-of-candidates"
            )
        }
        _ => false,
    }
}

fn unspecified_like(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
    }
}
