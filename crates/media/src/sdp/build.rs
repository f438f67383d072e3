//! Descriptions the PBX writes itself, when it is the media endpoint (prompts, music on
//! hold, voicemail) rather than a relay between two phones.

use std::net::SocketAddr;

use super::{
    Attribute, CodecSpec, Connection, Direction, Field, MediaDescription, Origin, PayloadFormat,
    SessionDescription, OPUS, TELEPHONE_EVENT,
};

impl CodecSpec {
    /// This codec as a format numbered `payload_type`: the static number if it has one,
    /// else `payload_type` (RFC 3551 §3 dynamic range 96–127). Telephone-event gets the
    /// DTMF events 0–16 (RFC 4733 §2.5.1.3, §3.2). Opus is written `opus/48000/2`
    /// (RFC 7587 §7) and asks for in-band FEC (RFC 7587 §6.1 `useinbandfec=1`), so a lost
    /// packet can be rebuilt from the next one.
    pub fn format(&self, payload_type: u8) -> PayloadFormat {
        let (channels, fmtp) = if self.encoding == TELEPHONE_EVENT.encoding {
            (None, Some("0-16".to_owned()))
        } else if self.encoding == OPUS.encoding {
            (Some(2), Some("useinbandfec=1".to_owned()))
        } else {
            (None, None)
        };
        PayloadFormat {
            payload_type: self.static_payload_type.unwrap_or(payload_type),
            encoding: self.encoding.to_owned(),
            clock_rate: self.clock_rate,
            channels,
            fmtp,
        }
    }
}

impl SessionDescription {
    /// A one-stream audio description: RTP/AVP at `addr` with `formats`, 20 ms packets.
    ///
    /// `session_id` stays fixed for the dialog and `version` grows with every change
    /// (RFC 3264 §8); the caller keeps both.
    pub fn new_audio(
        session_id: u64,
        version: u64,
        addr: SocketAddr,
        formats: &[PayloadFormat],
        direction: Direction,
    ) -> Self {
        let connection = Connection::new(addr.ip());
        let mut media = MediaDescription {
            media: "audio".to_owned(),
            port: addr.port(),
            port_count: None,
            proto: "RTP/AVP".to_owned(),
            formats: Vec::new(),
            connection: None,
            fields: Vec::new(),
            attributes: vec![Attribute::Ptime(20), Attribute::Direction(direction)],
        };
        media.set_payload_formats(formats);
        SessionDescription {
            origin: Origin {
                username: "-".to_owned(),
                session_id: session_id.to_string(),
                session_version: version,
                connection: connection.clone(),
            },
            session_name: "-".to_owned(),
            connection: Some(connection),
            fields: vec![Field {
                kind: 't',
                value: "0 0".to_owned(),
            }],
            attributes: Vec::new(),
            media: vec![media],
        }
    }
}
