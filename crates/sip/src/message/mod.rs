//! Requests, responses and their typed header accessors.

pub(crate) mod error_response;
pub(crate) mod name_addr;
pub(crate) mod parse;
pub(crate) mod via;
mod write;

use crate::headers::Headers;
use crate::method::Method;
use crate::scan::{parse_u32, trim_ws};
use crate::uri::Uri;
use name_addr::{Contacts, NameAddr};
use via::{CSeq, Via};

/// A SIP request. `body` is raw bytes; Content-Length is computed when serialising.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: Method,
    pub uri: Uri,
    pub headers: Headers,
    pub body: Vec<u8>,
}

/// A SIP response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub reason: String,
    pub headers: Headers,
    pub body: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Request(Request),
    Response(Response),
}

/// Typed accessors shared by requests and responses. Parsing has already validated the
/// headers these read, so on a parsed message `None` means "absent"; on a message built by
/// hand a malformed value also reads as `None`.
macro_rules! typed_accessors {
    ($t:ty) => {
        impl $t {
            /// Every Via entry, top first, comma-separated values split.
            pub fn vias(&self) -> Vec<Via> {
                self.headers
                    .get_all("Via")
                    .filter_map(Via::parse_list)
                    .flatten()
                    .collect()
            }

            pub fn top_via(&self) -> Option<Via> {
                let first = self.headers.get("Via")?;
                crate::scan::split_outside(first, b',')
                    .next()
                    .and_then(Via::parse)
            }

            pub fn from(&self) -> Option<NameAddr> {
                self.headers.get("From").and_then(NameAddr::parse)
            }

            pub fn to(&self) -> Option<NameAddr> {
                self.headers.get("To").and_then(NameAddr::parse)
            }

            pub fn call_id(&self) -> Option<&str> {
                self.headers.get("Call-ID")
            }

            pub fn cseq(&self) -> Option<CSeq> {
                self.headers.get("CSeq").and_then(|c| c.parse().ok())
            }

            /// All Contact values together; `None` when there is no Contact header.
            pub fn contacts(&self) -> Option<Contacts> {
                if !self.headers.contains("Contact") {
                    return None;
                }
                Contacts::parse(self.headers.get_all("Contact"))
            }

            /// The Expires header; an out-of-range value counts as absent
            /// (RFC 4475 §3.1.2.5).
            pub fn expires(&self) -> Option<u32> {
                self.headers
                    .get("Expires")
                    .and_then(|e| parse_u32(trim_ws(e)))
            }

            pub fn max_forwards(&self) -> Option<u32> {
                self.headers
                    .get("Max-Forwards")
                    .and_then(|m| parse_u32(trim_ws(m)))
            }

            /// The Content-Type value as written, parameters included.
            pub fn content_type(&self) -> Option<&str> {
                self.headers.get("Content-Type")
            }

            /// Route entries in order (RFC 3261 §20.34).
            pub fn routes(&self) -> Vec<NameAddr> {
                self.headers
                    .get_all("Route")
                    .filter_map(NameAddr::parse_list)
                    .flatten()
                    .collect()
            }

            /// Record-Route entries in order (RFC 3261 §20.30).
            pub fn record_routes(&self) -> Vec<NameAddr> {
                self.headers
                    .get_all("Record-Route")
                    .filter_map(NameAddr::parse_list)
                    .flatten()
                    .collect()
            }

            /// Comma-separated option tags or tokens of a header (Require, Supported,
            /// Allow, …), across all its lines.
            pub fn tokens<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
                self.headers
                    .get_all(name)
                    .flat_map(|v| v.split(','))
                    .map(trim_ws)
                    .filter(|t| !t.is_empty())
            }
        }
    };
}

typed_accessors!(Request);
typed_accessors!(Response);

impl Request {
    /// A request with no headers and no body.
    pub fn new(method: Method, uri: Uri) -> Request {
        Request {
            method,
            uri,
            headers: Headers::new(),
            body: Vec::new(),
        }
    }
}

impl Response {
    /// A response with no headers and no body.
    pub fn new(status: u16, reason: &str) -> Response {
        Response {
            status,
            reason: reason.to_owned(),
            headers: Headers::new(),
            body: Vec::new(),
        }
    }

    /// A response to `req` carrying its Via (all, in order), From, To, Call-ID and CSeq
    /// (RFC 3261 §8.2.6.2), and for 100 its Timestamp (§8.2.6.1). The caller adds a To tag
    /// where a dialog needs one.
    pub fn for_request(req: &Request, status: u16, reason: &str) -> Response {
        let mut resp = Response::new(status, reason);
        for (name, value) in req.headers.iter() {
            let copy = matches!(name, "Via" | "From" | "To" | "Call-ID" | "CSeq")
                || (status == 100 && name == "Timestamp");
            if copy {
                resp.headers.push(name, value);
            }
        }
        resp
    }

    /// Class of the status: 1 for provisional, 2 for success, …
    pub fn class(&self) -> u16 {
        self.status / 100
    }
}

impl Message {
    pub fn headers(&self) -> &Headers {
        match self {
            Message::Request(r) => &r.headers,
            Message::Response(r) => &r.headers,
        }
    }

    pub fn headers_mut(&mut self) -> &mut Headers {
        match self {
            Message::Request(r) => &mut r.headers,
            Message::Response(r) => &mut r.headers,
        }
    }

    pub fn body(&self) -> &[u8] {
        match self {
            Message::Request(r) => &r.body,
            Message::Response(r) => &r.body,
        }
    }

    pub fn top_via(&self) -> Option<Via> {
        match self {
            Message::Request(r) => r.top_via(),
            Message::Response(r) => r.top_via(),
        }
    }

    pub fn call_id(&self) -> Option<&str> {
        self.headers().get("Call-ID")
    }

    pub fn cseq(&self) -> Option<CSeq> {
        match self {
            Message::Request(r) => r.cseq(),
            Message::Response(r) => r.cseq(),
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Message::Request(r) => r.to_bytes(),
            Message::Response(r) => r.to_bytes(),
        }
    }
}

impl From<Request> for Message {
    fn from(r: Request) -> Self {
        Message::Request(r)
    }
}

impl From<Response> for Message {
    fn from(r: Response) -> Self {
        Message::Response(r)
    }
}

/// The usual reason phrase for a status code (RFC 3261 §21 and extensions).
pub fn default_reason(status: u16) -> &'static str {
    match status {
        100 => "Trying",
        180 => "Ringing",
        181 => "Call Is Being Forwarded",
        182 => "Queued",
        183 => "Session Progress",
        200 => "OK",
        202 => "Accepted",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Moved Temporarily",
        305 => "Use Proxy",
        380 => "Alternative Service",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        410 => "Gone",
        413 => "Request Entity Too Large",
        414 => "Request-URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Unsupported URI Scheme",
        420 => "Bad Extension",
        421 => "Extension Required",
        423 => "Interval Too Brief",
        480 => "Temporarily Unavailable",
        481 => "Call/Transaction Does Not Exist",
        482 => "Loop Detected",
        483 => "Too Many Hops",
        484 => "Address Incomplete",
        485 => "Ambiguous",
        486 => "Busy Here",
        487 => "Request Terminated",
        488 => "Not Acceptable Here",
        489 => "Bad Event",
        491 => "Request Pending",
        493 => "Undecipherable",
        500 => "Server Internal Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Server Time-out",
        505 => "Version Not Supported",
        513 => "Message Too Large",
        600 => "Busy Everywhere",
        603 => "Decline",
        604 => "Does Not Exist Anywhere",
        606 => "Not Acceptable",
        _ => match status / 100 {
            1 => "Progress",
            2 => "OK",
            3 => "Redirect",
            4 => "Client Error",
            5 => "Server Error",
            _ => "Global Failure",
        },
    }
}
