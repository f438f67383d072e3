//! The two headers that name a transfer's target: Refer-To (RFC 3515 §2.1) and
//! Replaces (RFC 3891 §6.1), read without trusting anything in them.

use sip::{NameAddr, Request};

/// What a REFER asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ReferTo {
    /// The user part of the Refer-To URI: the number to ring.
    pub number: String,
    /// Attended transfer: the dialog the target is already in with the transferor.
    pub replaces: Option<Replaces>,
}

/// A Replaces value (RFC 3891 §6.1): the dialog, named from the recipient's side — the
/// to-tag is the recipient's (our) tag, the from-tag the other party's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Replaces {
    pub call_id: String,
    pub to_tag: String,
    pub from_tag: String,
    pub early_only: bool,
}

impl Replaces {
    pub fn parse(value: &str) -> Option<Replaces> {
        let mut parts = value.split(';');
        let call_id = parts.next()?.trim().to_owned();
        if call_id.is_empty() {
            return None;
        }
        let (mut to_tag, mut from_tag, mut early_only) = (None, None, false);
        for part in parts {
            let (name, value) = match part.split_once('=') {
                Some((n, v)) => (n.trim(), Some(v.trim())),
                None => (part.trim(), None),
            };
            match (name.to_ascii_lowercase().as_str(), value) {
                ("to-tag", Some(v)) => to_tag = Some(v.to_owned()),
                ("from-tag", Some(v)) => from_tag = Some(v.to_owned()),
                ("early-only", _) => early_only = true,
                _ => {}
            }
        }
        Some(Replaces {
            call_id,
            to_tag: to_tag?,
            from_tag: from_tag?,
            early_only,
        })
    }
}

/// Reads the one Refer-To of a REFER (RFC 3515 §2.4.1: exactly one). The Replaces of an
/// attended transfer travels as a URI header, percent-encoded (RFC 3891 §6.1).
pub(crate) fn refer_to(request: &Request) -> Option<ReferTo> {
    let mut values = request.headers.get_all("Refer-To");
    let value = values.next()?;
    if values.next().is_some() {
        return None;
    }
    let addr: NameAddr = value.trim().parse().ok()?;
    let number = addr.uri.user_unescaped()?.trim().to_owned();
    if number.is_empty() {
        return None;
    }
    let replaces = match addr
        .uri
        .headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("Replaces"))
    {
        Some((_, v)) => Some(Replaces::parse(&percent_decode(v))?),
        None => None,
    };
    Some(ReferTo { number, replaces })
}

/// Decodes `%HH` escapes; a broken escape is kept as written.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes.get(i), hex) {
            (Some(b'%'), Some(b)) => {
                out.push(b);
                i += 3;
            }
            (Some(&b), _) => {
                out.push(b);
                i += 1;
            }
            (None, _) => break,
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sip::Method;

    fn refer(value: &str) -> Request {
        let mut r = Request::new(Method::Refer, "sip:pbx@192.168.1.1".parse().unwrap());
        r.headers.push("Refer-To", value);
        r
    }

    #[test]
    fn a_blind_refer_names_a_number() {
        let t = refer_to(&refer("<sip:102@192.168.1.1>")).unwrap();
        assert_eq!(t.number, "102");
        assert_eq!(t.replaces, None);
        assert_eq!(refer_to(&refer("sip:103@pbx")).unwrap().number, "103");
    }

    #[test]
    fn an_attended_refer_names_the_dialog_to_replace() {
        let t = refer_to(&refer(
            "<sip:102@pbx?Replaces=abc%40host%3Bto-tag%3Dpbx1%3Bfrom-tag%3Dphone2>",
        ))
        .unwrap();
        assert_eq!(
            t.replaces,
            Some(Replaces {
                call_id: "abc@host".into(),
                to_tag: "pbx1".into(),
                from_tag: "phone2".into(),
                early_only: false,
            })
        );
    }

    #[test]
    fn refer_without_a_usable_target_is_refused() {
        assert_eq!(
            refer_to(&Request::new(Method::Refer, "sip:x@y".parse().unwrap())),
            None
        );
        assert_eq!(refer_to(&refer("<sip:pbx>")), None);
        assert_eq!(
            refer_to(&refer("<sip:102@pbx?Replaces=only-a-call-id>")),
            None
        );
        let mut two = refer("<sip:102@pbx>");
        two.headers.push("Refer-To", "<sip:103@pbx>");
        assert_eq!(refer_to(&two), None);
        assert_eq!(percent_decode("a%4"), "a%4");
    }

    proptest::proptest! {
        #[test]
        fn odd_headers_never_panic(value in "\\PC{0,80}") {
            let _ = Replaces::parse(&value);
            let _ = percent_decode(&value);
            let _ = refer_to(&refer(&value));
        }

        #[test]
        fn a_written_replaces_reads_back(
            call_id in "[a-zA-Z0-9.@-]{1,30}",
            to_tag in "[a-zA-Z0-9-]{1,20}",
            from_tag in "[a-zA-Z0-9-]{1,20}",
        ) {
            let value = format!("{call_id};to-tag={to_tag};from-tag={from_tag}");
            let escaped = value.replace(';', "%3B").replace('=', "%3D").replace('@', "%40");
            let t = refer_to(&refer(&format!("<sip:102@pbx?Replaces={escaped}>")));
            let expected = Replaces { call_id, to_tag, from_tag, early_only: false };
            proptest::prop_assert_eq!(t.and_then(|t| t.replaces), Some(expected));
        }
    }
}
