//! The responses a registrar sends, decided before the sip message is built.

use std::fmt::Write;

use sip::{Request, Response};

/// Status line and registrar-specific headers of a response; the common headers (Via,
/// From, To with tag, Call-ID, CSeq) come from the request when it is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reply {
    pub status: u16,
    pub reason: &'static str,
    pub headers: Vec<(&'static str, String)>,
}

impl Reply {
    fn bare(status: u16, reason: &'static str) -> Self {
        Reply {
            status,
            reason,
            headers: Vec::new(),
        }
    }

    pub(crate) fn ok(headers: Vec<(&'static str, String)>) -> Self {
        Reply {
            status: 200,
            reason: "OK",
            headers,
        }
    }

    pub(crate) fn bad_request(reason: &'static str) -> Self {
        Self::bare(400, reason)
    }

    /// RFC 3261 §10.3 step 7 says an out-of-order update "fails" without naming a
    /// status; 400 tells the phone its request, not the server, was wrong.
    pub(crate) fn out_of_order() -> Self {
        Self::bare(400, "CSeq Out Of Order")
    }

    /// RFC 3261 §10.3 step 7, §21.4.17: 423 with the shortest interval we accept.
    pub(crate) fn interval_too_brief(min_expires: u32) -> Self {
        Reply {
            status: 423,
            reason: "Interval Too Brief",
            headers: vec![("Min-Expires", min_expires.to_string())],
        }
    }

    /// RFC 3261 §10.3 step 2 / §8.2.2.3: 420 listing the extensions we lack.
    pub(crate) fn bad_extension(unsupported: &[&str]) -> Self {
        Reply {
            status: 420,
            reason: "Bad Extension",
            headers: vec![("Unsupported", unsupported.join(", "))],
        }
    }

    /// RFC 3261 §10.3 step 1 for a configured domain list.
    pub(crate) fn domain_not_served() -> Self {
        Self::bare(404, "Not Found")
    }

    /// RFC 3261 §10.3 step 4: authenticated, but not as this address-of-record.
    pub(crate) fn forbidden() -> Self {
        Self::bare(403, "Forbidden")
    }

    pub(crate) fn too_many_contacts() -> Self {
        Self::bare(403, "Too Many Contacts")
    }

    /// RFC 3261 §22.2: one WWW-Authenticate per offered algorithm.
    pub(crate) fn challenge(values: Vec<String>) -> Self {
        Reply {
            status: 401,
            reason: "Unauthorized",
            headers: values
                .into_iter()
                .map(|v| ("WWW-Authenticate", v))
                .collect(),
        }
    }
}

impl Reply {
    /// The response to `req`: its Via, From, To (with our tag added), Call-ID and CSeq,
    /// then the registrar's headers.
    pub(crate) fn into_response(self, req: &Request, tag: u64) -> Response {
        let mut resp = Response::for_request(req, self.status, self.reason);
        // RFC 3261 §8.2.6.2: a UAS adds a To tag unless the request had one.
        let has_tag = req.to().is_some_and(|to| to.tag().is_some());
        if !has_tag {
            if let Some(to) = req.headers.get("To") {
                let mut value = String::with_capacity(to.len() + 21);
                value.push_str(to);
                let _ = write!(value, ";tag={tag:016x}");
                resp.headers.set("To", value);
            }
        }
        for (name, value) in self.headers {
            resp.headers.push(name, value);
        }
        resp
    }
}
