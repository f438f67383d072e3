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

/// Full names with their conventional capitalisation, grouped by length so a lookup compares
/// against a handful of candidates.
fn candidates(len: usize) -> &'static [&'static str] {
    match len {
        2 => &["To"],
        3 => &["Via"],
        4 => &["From", "CSeq", "Date", "Path", "RAck", "RSeq"],
        5 => &["Route", "Allow", "Event"],
        6 => &["Server", "Accept", "Min-SE", "Reason"],
        7 => &[
            "Call-ID", "Contact", "Expires", "Require", "Privacy", "Subject", "Warning",
        ],
        8 => &["Identity", "Priority", "Refer-To", "Replaces", "Reply-To"],
        9 => &["Supported", "Call-Info", "Timestamp"],
        10 => &["User-Agent", "Alert-Info", "Error-Info"],
        11 => &[
            "Unsupported",
            "In-Reply-To",
            "Min-Expires",
            "Referred-By",
            "Retry-After",
        ],
        12 => &[
            "Max-Forwards",
            "Content-Type",
            "Record-Route",
            "Allow-Events",
            "MIME-Version",
            "Organization",
        ],
        13 => &["Authorization", "Proxy-Require", "Service-Route"],
        14 => &["Content-Length", "Accept-Contact", "Reject-Contact"],
        15 => &["Accept-Encoding", "Accept-Language", "Session-Expires"],
        16 => &["WWW-Authenticate", "Content-Encoding", "Content-Language"],
        18 => &["Proxy-Authenticate", "Subscription-State"],
        19 => &[
            "Proxy-Authorization",
            "Authentication-Info",
            "Content-Disposition",
            "P-Asserted-Identity",
            "Request-Disposition",
        ],
        20 => &["P-Preferred-Identity"],
        _ => &[],
    }
}

/// The canonical spelling of a known header name or compact form.
pub(crate) fn known(name: &str) -> Option<&'static str> {
    if let [c] = name.as_bytes() {
        return expand_compact(*c);
    }
    candidates(name.len())
        .iter()
        .copied()
        .find(|k| k.eq_ignore_ascii_case(name))
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
