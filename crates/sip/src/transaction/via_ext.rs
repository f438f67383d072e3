//! Via handling the transaction layer owns: the branch of outgoing requests
//! (RFC 3261 §8.1.1.7), `received`/`rport` on incoming ones (§18.2.1, RFC 3581 §4), where
//! responses go (§18.2.2), and the server-side matching key (§17.2.3).

use std::net::SocketAddr;

use super::build::MAGIC_COOKIE;
use super::{Peer, TransactionError};
use crate::scan::split_outside;
use crate::{Host, Request, Transport, Via};

/// Notes on the top Via where the request really came from, and returns the address
/// responses must go to along with the (updated) top Via, so callers need not parse it
/// again.
///
/// RFC 3261 §18.2.1: add `received` when the sent-by host is not the source address.
/// RFC 3581 §4: when the client asked for `rport`, fill it with the source port and always
/// add `received`. Responses then go back to the source (§18.2.2 and RFC 3581 §4 for
/// unreliable transports; the same connection for reliable ones).
pub(crate) fn stamp_received(req: &mut Request, source: Peer) -> Option<(Peer, Via)> {
    let first = req.headers.get("Via")?;
    let mut parts = split_outside(first, b',');
    let top_text = parts.next()?;
    let rest = first
        .get(top_text.len()..)
        .map(|r| r.trim_start_matches([',', ' ', '\t']).to_owned())
        .unwrap_or_default();
    let mut top = Via::parse(top_text)?;
    let ip = source.addr.ip();
    let rport = top.has_rport();
    let changed = if rport {
        top.set_received(ip);
        top.set_rport(source.addr.port());
        true
    } else if top.host.ip() != Some(ip) {
        top.set_received(ip);
        true
    } else {
        false
    };
    if changed {
        req.headers.remove_first("Via");
        if !rest.is_empty() {
            req.headers.push_front("Via", rest);
        }
        req.headers.push_front("Via", top.to_string());
    }
    let reply_to = if source.transport.is_reliable() || rport {
        source.addr
    } else {
        // §18.2.2: to the received address, at the sent-by port (default 5060/5061).
        let port = top.port.unwrap_or_else(|| source.transport.default_port());
        SocketAddr::new(ip, port)
    };
    let peer = Peer {
        transport: source.transport,
        addr: reply_to,
    };
    Some((peer, top))
}

/// Gives `req` a top Via with a fresh branch: sets the branch on a Via the TU wrote
/// without one, or adds a whole Via (with `rport`, so NATed replies find us) when there
/// is none. Returns the branch, or `Err` when the TU's top Via does not parse (adding a
/// second Via above it would send a request every peer rejects).
pub(crate) fn ensure_branch(
    req: &mut Request,
    new_branch: impl FnOnce() -> String,
    transport: Transport,
    host: &Host,
    port: Option<u16>,
) -> Result<String, TransactionError> {
    let written = req.headers.contains("Via");
    match req.top_via() {
        None if written => Err(TransactionError::BadVia),
        Some(via) => {
            if let Some(branch) = via.branch().filter(|b| b.starts_with(MAGIC_COOKIE)) {
                return Ok(branch.to_owned());
            }
            let first = req.headers.get("Via").ok_or(TransactionError::BadVia)?;
            let top_text = split_outside(first, b',')
                .next()
                .ok_or(TransactionError::BadVia)?;
            let rest = first
                .get(top_text.len()..)
                .map(|r| r.trim_start_matches([',', ' ', '\t']).to_owned())
                .unwrap_or_default();
            let mut via = via;
            let branch = new_branch();
            via.params.set("branch", Some(&branch));
            req.headers.remove_first("Via");
            if !rest.is_empty() {
                req.headers.push_front("Via", rest);
            }
            req.headers.push_front("Via", via.to_string());
            Ok(branch)
        }
        None => {
            let branch = new_branch();
            let mut via = Via::new(transport, host.clone(), port, &branch);
            via.params.push("rport", None);
            req.headers.push_front("Via", via.to_string());
            Ok(branch)
        }
    }
}

/// The server transaction key of a request (§17.2.3): its top Via branch and sent-by.
/// Requests from RFC 2543 clients (no magic cookie) get a key made of what §17.2.3
/// compares for them instead — Call-ID, CSeq number, From tag and the top Via — which
/// their retransmissions and their ACK for a non-2xx share.
pub(crate) fn server_key_parts(req: &Request, via: &Via) -> Option<(String, String)> {
    let mut sent_by = match &via.host {
        Host::Domain(d) => d.to_ascii_lowercase(),
        other => other.to_string(),
    };
    if let Some(port) = via.port {
        sent_by.push(':');
        sent_by.push_str(&port.to_string());
    }
    let branch = match via.branch() {
        Some(b) if b.starts_with(MAGIC_COOKIE) => b.to_owned(),
        _ => {
            let cseq = req.cseq()?;
            let from_tag = req.from().and_then(|f| f.tag().map(str::to_owned));
            format!(
                "rfc2543;{};{};{};{}",
                req.call_id()?,
                cseq.seq,
                from_tag.unwrap_or_default(),
                via
            )
        }
    };
    Some((branch, sent_by))
}
