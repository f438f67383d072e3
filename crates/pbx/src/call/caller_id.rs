//! Who is calling from a trunk, and how the ringing phones show it:
//! `"[Sales] Jane Doe" <sip:+447700900123@pbx>`, so staff know which business name the
//! caller dialled before they answer.

use sip::{NameAddr, Request, Scheme, Uri};

use crate::dialplan::{Trunk, TrunkAuth};

/// The caller as a trunk presents them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TrunkCaller {
    /// Digits (or whatever the provider sent) of the caller's number; `anonymous` when
    /// the provider withheld it.
    pub number: String,
    pub name: Option<String>,
}

/// Reads the caller from From, or from P-Asserted-Identity when the trunk is trusted to
/// assert identities (RFC 3325 §9.1: only a trusted network's assertion means anything;
/// from anyone else it is ignored).
pub(crate) fn trunk_caller(request: &Request, trust_pai: bool) -> TrunkCaller {
    let from = request.from();
    let asserted = trust_pai
        .then(|| request.headers.get("P-Asserted-Identity"))
        .flatten()
        // RFC 3325 §9.1: the header may list a sip: and a tel: identity; the first will do.
        .and_then(|v| v.split(',').next())
        .and_then(|v| v.trim().parse::<NameAddr>().ok());
    let number = asserted
        .as_ref()
        .and_then(|a| number_of(&a.uri))
        .or_else(|| from.as_ref().and_then(|f| number_of(&f.uri)))
        .unwrap_or_else(|| "anonymous".to_owned());
    let name = asserted
        .and_then(|a| a.display_name)
        .or_else(|| from.and_then(|f| f.display_name))
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty());
    TrunkCaller { number, name }
}

/// The user part of a sip:/sips: URI, or the number of a tel: URI.
fn number_of(uri: &Uri) -> Option<String> {
    match uri.scheme {
        Scheme::Sip | Scheme::Sips | Scheme::Tel => uri
            .user_unescaped()
            .map(|u| u.trim().to_owned())
            .filter(|u| !u.is_empty()),
        Scheme::Other(_) => None,
    }
}

/// The display name the ringing phones get: the business name's label in brackets, then
/// the caller's name, or their number when they sent none. Without a business name, the
/// caller's name as it came.
pub(crate) fn shown_name(label: Option<&str>, caller: &TrunkCaller) -> Option<String> {
    let label = label.map(str::trim).filter(|l| !l.is_empty());
    match (label, &caller.name) {
        (Some(label), Some(name)) => Some(format!("[{label}] {name}")),
        (Some(label), None) => Some(format!("[{label}] {}", caller.number)),
        (None, name) => name.clone(),
    }
}

/// The number the provider delivered. In registration mode, a Request-URI carrying our
/// registered contact user names the trunk, not the number, so the number is in To;
/// otherwise the Request-URI user, falling back to To when that matches no business
/// name (providers differ in where they put it).
pub(crate) fn called_number(
    trunk: &Trunk,
    request: &Request,
    is_business_number: impl Fn(&str) -> bool,
) -> String {
    let to_user = || {
        request
            .to()
            .and_then(|t| number_of(&t.uri))
            .unwrap_or_default()
    };
    let ruri_user = number_of(&request.uri);
    if let (TrunkAuth::Registration { contact_user, .. }, Some(user)) = (&trunk.auth, &ruri_user) {
        if !contact_user.is_empty() && user == contact_user {
            return to_user();
        }
    }
    match ruri_user {
        Some(user) if is_business_number(&user) => user,
        Some(user) => {
            let to = to_user();
            if to.is_empty() {
                user
            } else {
                to
            }
        }
        None => to_user(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invite(extra: &[(&str, &str)]) -> Request {
        let mut r = Request::new(
            sip::Method::Invite,
            "sip:+442071234567@192.168.1.1".parse().unwrap(),
        );
        r.headers.push(
            "From",
            "\"Jane Doe\" <sip:+447700900123@provider.example>;tag=1",
        );
        r.headers.push("To", "<sip:+442070000000@192.168.1.1>");
        for (n, v) in extra {
            r.headers.push(n, *v);
        }
        r
    }

    #[test]
    fn pai_is_used_only_when_trusted() {
        let r = invite(&[("P-Asserted-Identity", "\"Real Name\" <tel:+447700900999>")]);
        let trusted = trunk_caller(&r, true);
        assert_eq!(trusted.number, "+447700900999");
        assert_eq!(trusted.name.as_deref(), Some("Real Name"));
        let untrusted = trunk_caller(&r, false);
        assert_eq!(untrusted.number, "+447700900123");
        assert_eq!(untrusted.name.as_deref(), Some("Jane Doe"));
    }

    #[test]
    fn label_prefixes_the_name_or_the_number() {
        let jane = TrunkCaller {
            number: "+447700900123".into(),
            name: Some("Jane Doe".into()),
        };
        assert_eq!(
            shown_name(Some("Sales"), &jane).as_deref(),
            Some("[Sales] Jane Doe")
        );
        let nameless = TrunkCaller {
            name: None,
            ..jane.clone()
        };
        assert_eq!(
            shown_name(Some("Sales"), &nameless).as_deref(),
            Some("[Sales] +447700900123")
        );
        assert_eq!(shown_name(None, &jane).as_deref(), Some("Jane Doe"));
        assert_eq!(shown_name(None, &nameless), None);
    }

    fn trunk(auth: TrunkAuth) -> Trunk {
        Trunk {
            id: 1,
            name: "Provider".into(),
            enabled: true,
            host: "203.0.113.5".into(),
            port: None,
            transport: crate::dialplan::TrunkTransport::Udp,
            outbound_proxy: None,
            auth,
            channels: 2,
            codecs: Vec::new(),
            dtmf: crate::dialplan::DtmfMode::Rfc4733,
            from_user: None,
            caller_id: None,
            trust_pai: false,
            overflow: None,
            default_destination: crate::dialplan::Destination::Hangup,
        }
    }

    #[test]
    fn the_number_is_the_request_uri_user_else_the_to_user() {
        let ip = trunk(TrunkAuth::Ip {
            allowed: vec!["203.0.113.5".into()],
        });
        let r = invite(&[]);
        assert_eq!(called_number(&ip, &r, |_| true), "+442071234567");
        assert_eq!(
            called_number(&ip, &r, |n| n == "+442070000000"),
            "+442070000000",
            "the Request-URI user names no business: To"
        );
    }

    #[test]
    fn a_request_uri_naming_our_contact_user_takes_the_number_from_to() {
        let reg = trunk(TrunkAuth::Registration {
            username: "acme".into(),
            password: "pw".into(),
            auth_username: None,
            contact_user: "sb-7f3a9c".into(),
            expires: 3600,
        });
        let mut r = invite(&[]);
        r.uri = "sip:sb-7f3a9c@192.168.1.1".parse().unwrap();
        assert_eq!(called_number(&reg, &r, |_| true), "+442070000000");
    }
}
