//! Checks a UAS makes before acting on a request (RFC 3261 §8.2.1–§8.2.3).
//!
//! Parsing already refused malformed headers; these checks need the whole request:
//! presence of the mandatory headers, method support, the Request-URI scheme, Require
//! and the body's type and encoding.

use crate::headers::Headers;
use crate::message::{default_reason, Request, Response};
use crate::method::Method;
use crate::scan::trim_ws;
use crate::uri::Scheme;

/// Why a request is refused: the status, its reason phrase and the headers the RFC asks
/// to send with it (Unsupported with 420, Accept with 415, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub status: u16,
    pub reason: String,
    pub headers: Headers,
}

impl Rejection {
    fn new(status: u16) -> Rejection {
        Rejection {
            status,
            reason: default_reason(status).to_owned(),
            headers: Headers::new(),
        }
    }

    /// A 400 whose reason phrase says what is wrong (RFC 3261 §21.4.1 suggests this).
    fn bad(detail: &str) -> Rejection {
        Rejection {
            reason: format!("Bad Request ({detail})"),
            ..Rejection::new(400)
        }
    }

    fn with(mut self, name: &str, value: String) -> Rejection {
        self.headers.push(name, value);
        self
    }

    /// The response to send: [`Response::for_request`] plus the rejection's headers.
    pub fn to_response(&self, req: &Request) -> Response {
        let mut resp = Response::for_request(req, self.status, &self.reason);
        for (n, v) in self.headers.iter() {
            resp.headers.push(n, v);
        }
        resp
    }
}

/// What this UAS supports; [`check_request`] uses the defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestCheck {
    /// Option tags accepted in Require (RFC 3261 §8.2.2.3).
    pub supported: Vec<String>,
    /// Body types understood (RFC 3261 §8.2.3), as `type/subtype`.
    pub accept: Vec<String>,
}

impl Default for RequestCheck {
    fn default() -> Self {
        RequestCheck {
            supported: Vec::new(),
            accept: [
                "application/sdp",
                "multipart/mixed",
                "message/sipfrag",
                "text/plain",
                "application/dtmf-relay",
                "application/simple-message-summary",
                "application/pidf+xml",
                "application/dialog-info+xml",
            ]
            .into_iter()
            .map(str::to_owned)
            .collect(),
        }
    }
}

/// Checks `req` with [`RequestCheck::default`].
pub fn check_request(req: &Request) -> Result<(), Rejection> {
    RequestCheck::default().check(req)
}

impl RequestCheck {
    pub fn check(&self, req: &Request) -> Result<(), Rejection> {
        // RFC 3261 §8.1.1: every request carries these; §20 makes all but Via single.
        for name in ["Via", "From", "To", "Call-ID", "CSeq"] {
            match req.headers.count(name) {
                0 => return Err(Rejection::bad(&format!("missing {name}"))),
                1 => {}
                _ if name == "Via" => {}
                _ => return Err(Rejection::bad(&format!("duplicate {name}"))),
            }
        }
        for name in ["Max-Forwards", "Content-Type", "Content-Length"] {
            if req.headers.count(name) > 1 {
                return Err(Rejection::bad(&format!("duplicate {name}")));
            }
        }

        // RFC 3261 §8.2.1: an unknown method is 501 (the layer above may answer 405 for a
        // method it knows but does not allow here).
        if !req.method.is_known() {
            return Err(Rejection::new(501));
        }
        let cseq = req.cseq().ok_or_else(|| Rejection::bad("CSeq"))?;
        if cseq.method != req.method {
            return Err(Rejection::bad("CSeq method mismatch"));
        }

        // RFC 3261 §8.2.2.1: a Request-URI scheme we cannot handle is 416.
        if !matches!(req.uri.scheme, Scheme::Sip | Scheme::Sips | Scheme::Tel) {
            return Err(Rejection::new(416));
        }
        // RFC 3261 §19.1.1: headers in a Request-URI are not allowed (RFC 4475 §3.1.2.13).
        if !req.uri.headers.is_empty() {
            return Err(Rejection::bad("headers in Request-URI"));
        }

        // RFC 3261 §8.2.2.3: ACK and CANCEL are never refused for Require.
        if !matches!(req.method, Method::Ack | Method::Cancel) {
            let unsupported: Vec<&str> = req
                .tokens("Require")
                .filter(|t| !self.supported.iter().any(|s| s.eq_ignore_ascii_case(t)))
                .collect();
            if !unsupported.is_empty() {
                return Err(Rejection::new(420).with("Unsupported", unsupported.join(", ")));
            }
        }

        self.check_body(req)?;

        // Our answer to an INVITE carries SDP; a client that refuses it gets 406
        // (RFC 4475 §3.3.15).
        if req.method == Method::Invite && req.headers.contains("Accept") {
            let ok = req.tokens("Accept").any(|a| {
                let essence = mime_essence(a);
                matches!(
                    essence.as_str(),
                    "application/sdp" | "application/*" | "*/*"
                )
            });
            if !ok {
                return Err(Rejection::new(406).with("Accept", "application/sdp".into()));
            }
        }
        Ok(())
    }

    /// RFC 3261 §8.2.3: a body we cannot decode or do not understand is 415, with
    /// Accept-Encoding or Accept saying what would work.
    fn check_body(&self, req: &Request) -> Result<(), Rejection> {
        if req.body.is_empty() {
            return Ok(());
        }
        let encoded = req
            .tokens("Content-Encoding")
            .any(|e| !e.eq_ignore_ascii_case("identity"));
        if encoded {
            return Err(Rejection::new(415).with("Accept-Encoding", "identity".into()));
        }
        // RFC 3261 §7.4.1: a body without Content-Type is application/sdp only by
        // convention; treat it as such rather than refuse.
        let essence = req
            .content_type()
            .map(mime_essence)
            .unwrap_or_else(|| "application/sdp".to_owned());
        if !self.accept.iter().any(|a| a.eq_ignore_ascii_case(&essence)) {
            return Err(Rejection::new(415).with("Accept", self.accept.join(", ")));
        }
        Ok(())
    }
}

/// `type/subtype` of a media type, lower-cased and without parameters.
fn mime_essence(value: &str) -> String {
    let base = value.split(';').next().unwrap_or_default();
    trim_ws(base)
        .split('/')
        .map(trim_ws)
        .collect::<Vec<_>>()
        .join("/")
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn essence_ignores_case_space_and_params() {
        assert_eq!(mime_essence(" Application / SDP ;x=1"), "application/sdp");
    }
}
