//! Reading a provider's answer to REGISTER: how long it granted, when to come back,
//! and a reason in words the owner can read.

use std::net::SocketAddr;

use sip::{NameAddr, Response};

/// The lifetime granted to our contact (RFC 3261 §10.2.4): its `expires` parameter in
/// the 200's Contact list, else the Expires header. `None` when the 200 says neither.
/// Our contact is the one at `contact` with our user part, else any with our user part.
pub(crate) fn granted_expiry(
    response: &Response,
    contact_user: &str,
    contact: SocketAddr,
) -> Option<u32> {
    let contacts = response.contacts();
    let addrs = contacts.as_ref().map(|c| c.addrs()).unwrap_or(&[]);
    let user_is_ours = |a: &&NameAddr| a.uri.user_unescaped().as_deref() == Some(contact_user);
    let ours = addrs
        .iter()
        .filter(user_is_ours)
        .find(|a| {
            a.uri.host.ip() == Some(contact.ip()) && a.uri.port.unwrap_or(5060) == contact.port()
        })
        .or_else(|| addrs.iter().find(user_is_ours))
        // Some providers rewrite the user part; with one contact it can only be ours.
        .or(match addrs {
            [only] => Some(only),
            _ => None,
        });
    ours.and_then(|a| a.expires())
        .or_else(|| response.expires())
}

/// Seconds from `Retry-After: 120 (maintenance);duration=60` (RFC 3261 §20.33).
pub(crate) fn retry_after(response: &Response) -> Option<u64> {
    let value = response.headers.get("Retry-After")?.trim_start();
    let digits = value
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(value.len());
    value.get(..digits)?.parse().ok()
}

/// RFC 3261 §10.3 step 7: the shortest lifetime the registrar accepts, from a 423.
pub(crate) fn min_expires(response: &Response) -> Option<u32> {
    response
        .headers
        .get("Min-Expires")
        .and_then(|v| v.trim().parse().ok())
}

/// `503 Service Unavailable`, with the provider's reason phrase cut to something
/// printable and short: it is shown in the UI and written to logs.
pub(crate) fn status_text(response: &Response) -> String {
    let reason: String = response
        .reason
        .chars()
        .filter(|c| !c.is_control())
        .take(80)
        .collect();
    let reason = reason.trim();
    if reason.is_empty() {
        response.status.to_string()
    } else {
        format!("{} {}", response.status, reason)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok_with(headers: &[(&str, &str)]) -> Response {
        let mut r = Response::new(200, "OK");
        for (n, v) in headers {
            r.headers.push(n, *v);
        }
        r
    }

    #[test]
    fn our_contact_expiry_wins_over_the_header() {
        let r = ok_with(&[
            ("Contact", "<sip:other@192.0.2.9>;expires=3600"),
            ("Contact", "<sip:tk-abc@192.0.2.1:5060>;expires=120"),
            ("Expires", "600"),
        ]);
        let at = "192.0.2.1:5060".parse().expect("addr");
        assert_eq!(granted_expiry(&r, "tk-abc", at), Some(120));
        assert_eq!(
            granted_expiry(&ok_with(&[("Expires", "600")]), "x", at),
            Some(600)
        );
        assert_eq!(granted_expiry(&ok_with(&[]), "x", at), None);
        // A moved contact listed next to ours: the address decides.
        let moved = ok_with(&[
            ("Contact", "<sip:tk-abc@10.0.0.2:5060>;expires=30"),
            ("Contact", "<sip:tk-abc@192.0.2.1>;expires=90"),
        ]);
        assert_eq!(granted_expiry(&moved, "tk-abc", at), Some(90));
    }

    #[test]
    fn retry_after_ignores_comment_and_parameters() {
        let r = ok_with(&[("Retry-After", "120 (maintenance);duration=60")]);
        assert_eq!(retry_after(&r), Some(120));
        assert_eq!(retry_after(&ok_with(&[("Retry-After", "soon")])), None);
        assert_eq!(
            retry_after(&ok_with(&[("Retry-After", "99999999999999999999999")])),
            None
        );
    }

    #[test]
    fn status_text_drops_control_characters() {
        let r = Response::new(503, "Down\u{1b}[31m for\tmaintenance");
        assert_eq!(status_text(&r), "503 Down[31m formaintenance");
        assert_eq!(status_text(&Response::new(500, "")), "500");
    }
}
