//! Requests the transaction layer builds itself: the ACK for a non-2xx final response
//! (RFC 3261 §17.1.1.3), CANCEL (§9.1), and the automatic 100 Trying (§17.2.1).

use rand::Rng;

use crate::{CSeq, Method, Request, Response};

/// The RFC 3261 branch prefix that marks a globally unique branch (§8.1.1.7).
pub(crate) const MAGIC_COOKIE: &str = "z9hG4bK";

/// A fresh branch: the magic cookie plus 16 random base-36 characters (~82 bits).
pub(crate) fn new_branch(rng: &mut impl Rng) -> String {
    random_token(rng, MAGIC_COOKIE, 16)
}

/// A random token for tags and branches.
pub(crate) fn random_token(rng: &mut impl Rng, prefix: &str, len: usize) -> String {
    const ALPHABET: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut s = String::with_capacity(prefix.len() + len);
    s.push_str(prefix);
    for _ in 0..len {
        let i = rng.gen_range(0..ALPHABET.len());
        s.push(char::from(ALPHABET.get(i).copied().unwrap_or(b'0')));
    }
    s
}

/// Copies the headers a request derived from `original` keeps: From, Call-ID, the top
/// Via (only), Route, and CSeq with the new method.
fn derived(original: &Request, method: Method) -> Option<Request> {
    let cseq = original.cseq()?;
    let via = original.top_via()?;
    let mut req = Request::new(method.clone(), original.uri.clone());
    req.headers.push("Via", via.to_string());
    req.headers.push("Max-Forwards", "70");
    for name in ["From", "Call-ID"] {
        req.headers.push(name, original.headers.get(name)?);
    }
    for route in original.headers.get_all("Route") {
        req.headers.push("Route", route);
    }
    req.headers.push(
        "CSeq",
        CSeq {
            seq: cseq.seq,
            method,
        }
        .to_string(),
    );
    Some(req)
}

/// The ACK for a non-2xx final response (§17.1.1.3): the INVITE's Request-URI, Call-ID,
/// From, CSeq number, top Via and Route, and the To of the response (with its tag).
pub(crate) fn ack_for_failure(invite: &Request, response: &Response) -> Option<Request> {
    let mut ack = derived(invite, Method::Ack)?;
    ack.headers.push("To", response.headers.get("To")?);
    Some(ack)
}

/// CANCEL for a pending request (§9.1): the same Request-URI, Call-ID, To, From, CSeq
/// number, top Via (so it lands on the same branch) and Route.
pub(crate) fn cancel_for(request: &Request) -> Option<Request> {
    let mut cancel = derived(request, Method::Cancel)?;
    cancel.headers.push("To", request.headers.get("To")?);
    Some(cancel)
}

/// 100 Trying copies Timestamp and never carries a To tag (§8.2.6.1).
pub(crate) fn trying_for(invite: &Request) -> Vec<u8> {
    Response::for_request(invite, 100, "Trying").to_bytes()
}
