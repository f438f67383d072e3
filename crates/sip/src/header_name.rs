//! Canonical header names and compact forms.
//!
//! Headers are stored under one spelling so that lookups, serialisation and comparison do
//! not care whether a peer wrote `v`, `VIA` or `Via` (RFC 3261 §7.3.1, §7.3.3).

use std::borrow::Cow;

/// Compact forms: RFC 3261 §7.3.3, RFC 3515 (r), RFC 3841 (a, j, d), RFC 3892 (b),
/// RFC 4028 (x), RFC 6665 (o, u), RFC 8224 (y).
fn expand_compact(c: u8) -> Option<&'static str> {
    Some(match c.to_ascii_lowercase() {
        b'a' => "Accept-Contact",
        b'b' => "Referred-By",
        b'c' => "Content-Type",
        b'd' => "Request-Disposition",
        b'e' => "Content-Encoding",
        b'f' => "From",
        b'i' => "Call-ID",
        b'j' => "Reject-Contact",
        b'k' => "Supported",
        b'l' => "Content-Length",
        b'm' => "Contact",
        b'o' => "Event",
        b'r' => "Refer-To",
        b's' => "Subject",
        b't' => "To",
        b'u' => "Allow-Events",
        b'v' => "Via",
        b'x' => "Session-Expires",
        b'y' => "Identity",
        _ => return None,
    })
}

/// Full names with their conventional capitalisation.
const KNOWN: &[&str] = &[
    "Via",
    "From",
    "To",
    "Call-ID",
    "CSeq",
    "Contact",
    "Max-Forwards",
    "Content-Length",
    "Content-Type",
    "Expires",
    "Route",
    "Record-Route",
    "Authorization",
    "Proxy-Authorization",
    "WWW-Authenticate",
    "Proxy-Authenticate",
    "Authentication-Info",
    "User-Agent",
    "Server",
    "Allow",
    "Supported",
    "Require",
    "Proxy-Require",
    "Unsupported",
    "Accept",
    "Accept-Encoding",
    "Accept-Language",
    "Accept-Contact",
    "Alert-Info",
    "Allow-Events",
    "Call-Info",
    "Content-Disposition",
    "Content-Encoding",
    "Content-Language",
    "Date",
    "Error-Info",
    "Event",
    "Identity",
    "In-Reply-To",
    "Min-Expires",
    "Min-SE",
    "MIME-Version",
    "Organization",
    "P-Asserted-Identity",
    "P-Preferred-Identity",
    "Path",
    "Priority",
    "Privacy",
    "RAck",
    "RSeq",
    "Reason",
    "Refer-To",
    "Referred-By",
    "Reject-Contact",
    "Replaces",
    "Reply-To",
    "Request-Disposition",
    "Retry-After",
    "Service-Route",
    "Session-Expires",
    "Subject",
    "Subscription-State",
    "Timestamp",
    "Unsupported",
    "Warning",
];

/// The canonical spelling of a known header name or compact form.
pub(crate) fn known(name: &str) -> Option<&'static str> {
    if name.len() == 1 {
        return expand_compact(name.as_bytes()[0]);
    }
    KNOWN.iter().copied().find(|k| k.eq_ignore_ascii_case(name))
}

/// The name a header is stored under: the canonical spelling if known, else as written.
pub(crate) fn canonical(name: &str) -> Cow<'static, str> {
    match known(name) {
        Some(k) => Cow::Borrowed(k),
        None => Cow::Owned(name.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_and_case() {
        assert_eq!(canonical("v"), "Via");
        assert_eq!(canonical("I"), "Call-ID");
        assert_eq!(canonical("cseq"), "CSeq");
        assert_eq!(canonical("X-Custom"), "X-Custom");
        assert_eq!(known("q"), None);
    }
}
