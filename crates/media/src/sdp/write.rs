//! Serialisation in the line order of RFC 4566 §5, with CRLF line ends.

use std::fmt::{self, Formatter};

use super::{Connection, Field, MediaDescription, SessionDescription};

pub(super) fn write_session(sdp: &SessionDescription, f: &mut Formatter<'_>) -> fmt::Result {
    let o = &sdp.origin;
    f.write_str("v=0\r\n")?;
    write!(
        f,
        "o={} {} {} {}\r\n",
        o.username, o.session_id, o.session_version, o.connection
    )?;
    write!(f, "s={}\r\n", sdp.session_name)?;
    write_fields(f, &sdp.fields, |k| session_rank(k) < C_RANK)?;
    if let Some(c) = &sdp.connection {
        write!(f, "c={c}\r\n")?;
    }
    write_fields(f, &sdp.fields, |k| session_rank(k) == C_RANK)?;
    write_fields(f, &sdp.fields, |k| session_rank(k) == B_RANK)?;
    // RFC 4566 §5.9: t= is mandatory; "0 0" means an unbounded session.
    if !sdp.fields.iter().any(|fl| fl.kind == 't') {
        f.write_str("t=0 0\r\n")?;
    }
    write_fields(f, &sdp.fields, |k| session_rank(k) > B_RANK)?;
    for a in &sdp.attributes {
        write!(f, "a={a}\r\n")?;
    }
    for m in &sdp.media {
        write_media(m, f)?;
    }
    Ok(())
}

fn write_media(m: &MediaDescription, f: &mut Formatter<'_>) -> fmt::Result {
    write!(f, "m={} {}", m.media, m.port)?;
    if let Some(count) = m.port_count {
        write!(f, "/{count}")?;
    }
    write!(f, " {}", m.proto)?;
    for format in &m.formats {
        write!(f, " {format}")?;
    }
    f.write_str("\r\n")?;
    // RFC 4566 §5: media-level order is i= c= b= k= a=.
    write_fields(f, &m.fields, |k| k == 'i')?;
    if let Some(c) = &m.connection {
        write!(f, "c={c}\r\n")?;
    }
    write_fields(f, &m.fields, |k| k == 'c')?;
    write_fields(f, &m.fields, |k| k == 'b')?;
    write_fields(f, &m.fields, |k| !matches!(k, 'i' | 'c' | 'b'))?;
    for a in &m.attributes {
        write!(f, "a={a}\r\n")?;
    }
    Ok(())
}

const C_RANK: u8 = 4;
const B_RANK: u8 = 5;

/// Position of a session-level line type in RFC 4566 §5's order (v o s i u e p c b t r z k a).
/// `t` and `r` share a rank so each `r=` stays after its `t=`.
fn session_rank(kind: char) -> u8 {
    match kind {
        'i' => 0,
        'u' => 1,
        'e' => 2,
        'p' => 3,
        'c' => C_RANK,
        'b' => B_RANK,
        't' | 'r' => 6,
        'z' => 7,
        'k' => 8,
        _ => 9,
    }
}

/// Writes, for each rank in turn, the fields whose kind `select`s — stable within a rank.
fn write_fields(
    f: &mut Formatter<'_>,
    fields: &[Field],
    select: impl Fn(char) -> bool,
) -> fmt::Result {
    let mut ranks: Vec<u8> = fields
        .iter()
        .filter(|fl| select(fl.kind))
        .map(|fl| session_rank(fl.kind))
        .collect();
    ranks.sort_unstable();
    ranks.dedup();
    for rank in ranks {
        for fl in fields
            .iter()
            .filter(|fl| select(fl.kind) && session_rank(fl.kind) == rank)
        {
            write!(f, "{}={}\r\n", fl.kind, fl.value)?;
        }
    }
    Ok(())
}

impl fmt::Display for Connection {
    /// `<nettype> <addrtype> <address>`; IPv6 addresses unbracketed, as RFC 4566 §9 has them.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.net_type, self.addr_type, self.address)
    }
}
