//! Building the requests and responses a simulated phone sends, with the sip crate's types.

use std::net::SocketAddr;

use sip::{Method, Request, Response, Uri};

/// Random text for tags, Call-IDs and cnonces (RFC 3261 §19.3: at least 32 bits of
/// randomness).
pub fn token() -> String {
    format!("{:016x}", rand::random::<u64>())
}

/// A Via branch with the RFC 3261 magic cookie (§8.1.1.7).
pub fn branch() -> String {
    format!("z9hG4bK{:016x}", rand::random::<u64>())
}

/// `sip:user@addr`, or `sip:addr` without a user.
pub fn sip_uri(user: Option<&str>, addr: SocketAddr) -> String {
    match user {
        Some(u) => format!("sip:{u}@{addr}"),
        None => format!("sip:{addr}"),
    }
}

/// The headers every request of a phone carries.
pub struct RequestSpec<'a> {
    pub method: Method,
    /// Request-URI, as text; also the digest `uri`.
    pub uri: &'a str,
    /// Our socket, for Via.
    pub local: SocketAddr,
    pub branch: &'a str,
    /// Full From value, tag included.
    pub from: &'a str,
    /// Full To value, with the tag once the dialog has one.
    pub to: &'a str,
    pub call_id: &'a str,
    pub cseq: u32,
}

impl RequestSpec<'_> {
    /// The request with Via (rport, RFC 3581), Max-Forwards, From, To, Call-ID and CSeq,
    /// then `extra` headers in order and the body.
    pub fn build(&self, extra: &[(&str, &str)], body: Option<(&str, Vec<u8>)>) -> Vec<u8> {
        let uri: Uri = match self.uri.parse() {
            Ok(u) => u,
            Err(_) => return Vec::new(),
        };
        let mut r = Request::new(self.method.clone(), uri);
        r.headers.push(
            "Via",
            format!("SIP/2.0/UDP {};branch={};rport", self.local, self.branch),
        );
        r.headers.push("Max-Forwards", "70");
        r.headers.push("From", self.from);
        r.headers.push("To", self.to);
        r.headers.push("Call-ID", self.call_id);
        r.headers
            .push("CSeq", format!("{} {}", self.cseq, self.method.as_str()));
        for (name, value) in extra {
            r.headers.push(name, *value);
        }
        if let Some((content_type, body)) = body {
            r.headers.push("Content-Type", content_type);
            r.body = body;
        }
        r.to_bytes()
    }
}

/// A response to `request` with our To tag where the request had none (RFC 3261 §8.2.6.2).
pub fn response(request: &Request, status: u16, to_tag: &str) -> Response {
    let mut resp = Response::for_request(request, status, sip::default_reason(status));
    if let Some(mut to) = request.to() {
        if to.tag().is_none() && status > 100 {
            to.set_tag(to_tag);
            resp.headers.set("To", to.to_string());
        }
    }
    resp
}
