//! Line-by-line reader for RFC 4566 §5 session descriptions.

use super::{
    attribute::parse_payload_type, Attribute, Connection, Field, MediaDescription, Origin,
    SessionDescription,
};
use crate::Error;

pub(super) fn parse(text: &str) -> Result<SessionDescription, Error> {
    let mut version_seen = false;
    let mut origin = None;
    let mut session_name = None;
    let mut connection = None;
    let mut fields = Vec::new();
    let mut attributes = Vec::new();
    let mut media: Vec<MediaDescription> = Vec::new();

    for (index, raw) in text.split('\n').enumerate() {
        let number = index + 1;
        let err = |reason| Error::Sdp {
            line: number,
            reason,
        };
        // RFC 4566 §5: lines end in CRLF, but parsers should also accept a bare LF.
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.trim().is_empty() {
            continue;
        }
        let mut chars = line.chars();
        let kind = chars.next().ok_or(err("empty line"))?;
        let value = chars
            .as_str()
            .strip_prefix('=')
            .ok_or(err("expected <type>=<value>"))?;
        if !version_seen {
            // RFC 4566 §5.1: the description starts with v=0.
            if kind != 'v' || value.trim() != "0" {
                return Err(err("expected v=0 first"));
            }
            version_seen = true;
            continue;
        }
        match (kind, media.last_mut()) {
            ('m', _) => media.push(parse_media(value).ok_or(err("bad m= line"))?),
            ('a', Some(m)) => m.attributes.push(Attribute::parse(value)),
            ('a', None) => attributes.push(Attribute::parse(value)),
            ('c', Some(m)) if m.connection.is_none() => {
                m.connection = Some(parse_connection(value).ok_or(err("bad c= line"))?);
            }
            ('c', None) if connection.is_none() => {
                connection = Some(parse_connection(value).ok_or(err("bad c= line"))?);
            }
            ('o', None) if origin.is_none() => {
                origin = Some(parse_origin(value).ok_or(err("bad o= line"))?);
            }
            ('s', None) if session_name.is_none() => session_name = Some(value.to_owned()),
            ('v', _) => return Err(err("repeated v= line")),
            (_, Some(m)) => m.fields.push(field(kind, value)),
            (_, None) => fields.push(field(kind, value)),
        }
    }

    if !version_seen {
        return Err(Error::SdpMissing("v="));
    }
    Ok(SessionDescription {
        origin: origin.ok_or(Error::SdpMissing("o="))?,
        session_name: session_name.ok_or(Error::SdpMissing("s="))?,
        connection,
        fields,
        attributes,
        media,
    })
}

fn field(kind: char, value: &str) -> Field {
    Field {
        kind,
        value: value.to_owned(),
    }
}

/// RFC 4566 §5.7: `<nettype> <addrtype> <connection-address>`. The address is kept as
/// written; IPv6 literals come without brackets (RFC 4566 §9 `IP6-address`).
pub(super) fn parse_connection(value: &str) -> Option<Connection> {
    let mut parts = value.split_whitespace();
    let connection = Connection {
        net_type: parts.next()?.to_owned(),
        addr_type: parts.next()?.to_owned(),
        address: parts.next()?.to_owned(),
    };
    parts.next().is_none().then_some(connection)
}

/// RFC 4566 §5.2: `<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>`.
fn parse_origin(value: &str) -> Option<Origin> {
    let mut parts = value.split_whitespace();
    let username = parts.next()?.to_owned();
    let session_id = parts.next()?.to_owned();
    let session_version = parts.next()?.parse().ok()?;
    let connection = Connection {
        net_type: parts.next()?.to_owned(),
        addr_type: parts.next()?.to_owned(),
        address: parts.next()?.to_owned(),
    };
    parts.next().is_none().then_some(Origin {
        username,
        session_id,
        session_version,
        connection,
    })
}

/// RFC 4566 §5.14: `<media> <port>[/<number of ports>] <proto> <fmt> ...`.
fn parse_media(value: &str) -> Option<MediaDescription> {
    let mut parts = value.split_whitespace();
    let media = parts.next()?.to_owned();
    let port_token = parts.next()?;
    let (port, port_count) = match port_token.split_once('/') {
        Some((port, count)) => (port.parse().ok()?, Some(count.parse().ok()?)),
        None => (port_token.parse().ok()?, None),
    };
    let proto = parts.next()?.to_owned();
    let formats: Vec<String> = parts.map(str::to_owned).collect();
    // RTP profiles carry payload type numbers; reject garbage there so later code can
    // rely on them (RFC 4566 §5.14: "<fmt> is a media payload type number").
    if proto.contains("RTP") && formats.iter().any(|f| parse_payload_type(f).is_none()) {
        return None;
    }
    Some(MediaDescription {
        media,
        port,
        port_count,
        proto,
        formats,
        connection: None,
        fields: Vec::new(),
        attributes: Vec::new(),
    })
}
