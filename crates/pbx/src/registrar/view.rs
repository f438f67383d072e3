//! What the registrar reads from a REGISTER, taken out of the sip message once.

use sip::{Host, NameAddr, Request, Scheme};

use super::key::canonical_uri;

/// The fields of a REGISTER that RFC 3261 §10.3 acts on.
#[derive(Debug)]
pub(crate) struct RegisterView<'a> {
    pub request_host: &'a Host,
    /// The To URI's user, unescaped: the extension whose bindings change.
    pub aor_user: Option<String>,
    pub call_id: &'a str,
    pub cseq: u32,
    /// The Expires header (RFC 3261 §10.2.1.1).
    pub expires: Option<u32>,
    pub contacts: Contacts,
    /// Require option tags; we support none (RFC 3261 §10.3 step 2).
    pub unsupported: Vec<&'a str>,
    /// The first `Digest` credentials; other schemes are ignored and challenged
    /// (RFC 4475 §3.3.8 regaut01).
    pub authorization: Option<&'a str>,
    pub user_agent: Option<&'a str>,
}

#[derive(Debug)]
pub(crate) enum Contacts {
    /// No Contact: the phone only asks for its current bindings (RFC 3261 §10.2.3).
    Query,
    /// `Contact: *` (RFC 3261 §10.2.2).
    Wildcard,
    List(Vec<ContactSpec>),
}

/// One Contact value, reduced to what a binding keeps.
#[derive(Debug)]
pub(crate) struct ContactSpec {
    /// The URI as the phone wrote it, escapes and `?headers` included.
    pub uri: String,
    /// Header parameters other than `expires`, printed (`;q=0.5;+sip.instance="<…>"`).
    pub params: String,
    pub expires: Option<u32>,
    /// `+sip.instance` without its quotes (RFC 5626 §4.1).
    pub instance: Option<String>,
    pub reg_id: Option<u32>,
}

impl ContactSpec {
    fn from_name_addr(addr: &NameAddr) -> Result<Self, &'static str> {
        if !matches!(addr.uri.scheme, Scheme::Sip | Scheme::Sips) {
            return Err("Unsupported Contact Scheme");
        }
        let mut params = String::new();
        let mut instance = None;
        let mut reg_id = None;
        for (name, value) in addr.params.iter() {
            if name.eq_ignore_ascii_case("expires") {
                continue;
            }
            if name.eq_ignore_ascii_case("+sip.instance") {
                instance = value.map(|v| v.trim_matches('"').to_owned());
            } else if name.eq_ignore_ascii_case("reg-id") {
                reg_id = Some(value.and_then(|v| v.parse().ok()).ok_or("Invalid reg-id")?);
            }
            params.push(';');
            params.push_str(name);
            if let Some(value) = value {
                params.push('=');
                params.push_str(value);
            }
        }
        Ok(ContactSpec {
            uri: addr.uri.to_string(),
            params,
            expires: addr.expires(),
            instance: instance.filter(|i| !i.is_empty()),
            reg_id,
        })
    }

    /// Whether two contacts of one request name the same binding.
    pub(crate) fn same_binding(&self, other: &ContactSpec) -> bool {
        match (&self.instance, &other.instance) {
            (Some(a), Some(b)) => a == b && self.reg_id == other.reg_id,
            (None, None) => canonical_uri(&self.uri) == canonical_uri(&other.uri),
            _ => false,
        }
    }
}

impl<'a> RegisterView<'a> {
    /// Reads a REGISTER; `Err` carries the reason phrase of the 400 to send.
    pub(crate) fn from_request(req: &'a Request) -> Result<Self, &'static str> {
        let call_id = req.call_id().ok_or("Missing Call-ID")?;
        let cseq = req.cseq().ok_or("Missing CSeq")?.seq;
        let to = req.to().ok_or("Missing To")?;
        let aor_user = match to.uri.scheme {
            Scheme::Sip | Scheme::Sips => to.uri.user_unescaped().map(|u| u.into_owned()),
            _ => None,
        };
        let contacts = match req.contacts() {
            Some(sip::Contacts::Wildcard) => Contacts::Wildcard,
            Some(sip::Contacts::List(list)) => Contacts::List(
                list.iter()
                    .map(ContactSpec::from_name_addr)
                    .collect::<Result<_, _>>()?,
            ),
            // RFC 4475 §3.1.2.8 regbadct: a Contact that does not parse is a 400, not a
            // query.
            None if req.headers.contains("Contact") => return Err("Invalid Contact"),
            None => Contacts::Query,
        };
        Ok(RegisterView {
            request_host: &req.uri.host,
            aor_user,
            call_id,
            cseq,
            expires: req.expires(),
            contacts,
            unsupported: req.tokens("Require").collect(),
            authorization: req.headers.get_all("Authorization").find(|v| is_digest(v)),
            user_agent: req.headers.get("User-Agent"),
        })
    }
}

pub(crate) fn is_digest(value: &str) -> bool {
    let value = value.trim_start();
    let scheme_ok = value
        .get(..6)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("digest"));
    scheme_ok && value.get(6..7).is_some_and(|c| c == " " || c == "\t")
}
