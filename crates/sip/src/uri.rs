//! SIP, SIPS and tel URIs (RFC 3261 §19.1, RFC 3966), with other schemes kept opaque so the
//! layer above can answer 416 (RFC 3261 §8.2.2.1).
//!
//! User, password, parameter and header text is stored as written, escapes included, so a
//! parsed URI prints back byte for byte; [`Uri::user_unescaped`] gives the decoded form.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use crate::error::ParseError;
use crate::host::Host;
use crate::params::Params;
use crate::scan::{escapes_valid, unescape};
use crate::transport::Transport;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scheme {
    Sip,
    Sips,
    Tel,
    /// Any other scheme, lower-cased.
    Other(String),
}

impl Scheme {
    pub fn as_str(&self) -> &str {
        match self {
            Scheme::Sip => "sip",
            Scheme::Sips => "sips",
            Scheme::Tel => "tel",
            Scheme::Other(s) => s,
        }
    }
}

/// A URI. For `sip:`/`sips:` every field has its RFC 3261 meaning. For `tel:` the number is
/// in `user` and `host` is an empty domain. For other schemes the whole scheme-specific part
/// is in `user`, unparsed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Uri {
    pub scheme: Scheme,
    pub user: Option<String>,
    pub password: Option<String>,
    pub host: Host,
    pub port: Option<u16>,
    pub params: Params,
    /// `?name=value&...` headers (RFC 3261 §19.1.1), as written.
    pub headers: Vec<(String, String)>,
}

impl Uri {
    /// `sip:user@host`, escaping `user` as needed.
    pub fn sip(user: Option<&str>, host: Host) -> Uri {
        Uri {
            scheme: Scheme::Sip,
            user: user.map(escape_user),
            password: None,
            host,
            port: None,
            params: Params::new(),
            headers: Vec::new(),
        }
    }

    pub fn is_sip(&self) -> bool {
        matches!(self.scheme, Scheme::Sip | Scheme::Sips)
    }

    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// The user part with `%HH` escapes decoded, for comparisons (RFC 3261 §19.1.4).
    pub fn user_unescaped(&self) -> Option<Cow<'_, str>> {
        self.user.as_deref().map(unescape)
    }

    /// The `transport=` parameter, if it names a transport we have.
    pub fn transport(&self) -> Option<Transport> {
        self.params.get("transport").and_then(|t| t.parse().ok())
    }

    /// The `lr` parameter marks a loose router (RFC 3261 §16.12).
    pub fn is_loose_router(&self) -> bool {
        self.params.contains("lr")
    }

    fn parse_sip(scheme: Scheme, rest: &str) -> Result<Uri, ParseError> {
        // '@' cannot appear unescaped in params or headers, so the first one ends userinfo.
        let (userinfo, hostpart) = match rest.split_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, rest),
        };
        let (user, password) = match userinfo {
            None => (None, None),
            Some(ui) => {
                let (u, p) = match ui.split_once(':') {
                    Some((u, p)) => (u, Some(p)),
                    None => (ui, None),
                };
                if u.is_empty() || !u.bytes().all(is_user_char) || !escapes_valid(u) {
                    return Err(ParseError::Uri);
                }
                if let Some(p) = p {
                    if !p.bytes().all(is_password_char) || !escapes_valid(p) {
                        return Err(ParseError::Uri);
                    }
                }
                (Some(u.to_owned()), p.map(str::to_owned))
            }
        };
        let (before_headers, headers) = match hostpart.split_once('?') {
            Some((b, h)) => (b, Some(h)),
            None => (hostpart, None),
        };
        let (hostport, params) = match before_headers.split_once(';') {
            Some((h, p)) => (h, Some(p)),
            None => (before_headers, None),
        };
        let (host, port) = Host::parse_with_port(hostport).map_err(|_| ParseError::Uri)?;
        let params = match params {
            Some(p) => parse_uri_params(p)?,
            None => Params::new(),
        };
        let headers = match headers {
            Some(h) => parse_uri_headers(h)?,
            None => Vec::new(),
        };
        Ok(Uri {
            scheme,
            user,
            password,
            host,
            port,
            params,
            headers,
        })
    }

    fn parse_tel(rest: &str) -> Result<Uri, ParseError> {
        let (number, params) = match rest.split_once(';') {
            Some((n, p)) => (n, Some(p)),
            None => (rest, None),
        };
        // RFC 3966 §3: digits, visual separators, and for local numbers * # and hex digits.
        let ok = !number.is_empty()
            && number.bytes().all(|b| {
                b.is_ascii_alphanumeric()
                    || matches!(b, b'+' | b'-' | b'.' | b'(' | b')' | b'*' | b'#')
            });
        if !ok {
            return Err(ParseError::Uri);
        }
        Ok(Uri {
            scheme: Scheme::Tel,
            user: Some(number.to_owned()),
            password: None,
            host: Host::Domain(String::new()),
            port: None,
            params: match params {
                Some(p) => parse_uri_params(p)?,
                None => Params::new(),
            },
            headers: Vec::new(),
        })
    }
}

/// `unreserved / escaped / user-unreserved` (RFC 3261 §25.1).
fn is_user_char(b: u8) -> bool {
    is_unreserved(b)
        || matches!(
            b,
            b'%' | b'&' | b'=' | b'+' | b'$' | b',' | b';' | b'?' | b'/'
        )
}

fn is_password_char(b: u8) -> bool {
    is_unreserved(b) || matches!(b, b'%' | b'&' | b'=' | b'+' | b'$' | b',')
}

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'_' | b'.' | b'!' | b'~' | b'*' | b'\'' | b'(' | b')'
        )
}

/// `paramchar = param-unreserved / unreserved / escaped`.
fn is_param_char(b: u8) -> bool {
    is_unreserved(b) || matches!(b, b'%' | b'[' | b']' | b'/' | b':' | b'&' | b'+' | b'$')
}

/// `hnv-unreserved / unreserved / escaped`.
fn is_header_char(b: u8) -> bool {
    is_unreserved(b) || matches!(b, b'%' | b'[' | b']' | b'/' | b'?' | b':' | b'+' | b'$')
}

fn parse_uri_params(s: &str) -> Result<Params, ParseError> {
    let mut params = Vec::new();
    for piece in s.split(';') {
        let (name, value) = match piece.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (piece, None),
        };
        let valid = |t: &str, allow_empty: bool| {
            (allow_empty || !t.is_empty()) && t.bytes().all(is_param_char) && escapes_valid(t)
        };
        if !valid(name, false) || value.is_some_and(|v| !valid(v, false)) {
            return Err(ParseError::Uri);
        }
        params.push((name.to_owned(), value.map(str::to_owned)));
    }
    Ok(Params::from(params))
}

fn parse_uri_headers(s: &str) -> Result<Vec<(String, String)>, ParseError> {
    s.split('&')
        .map(|h| {
            let (n, v) = h.split_once('=').ok_or(ParseError::Uri)?;
            let valid = |t: &str| t.bytes().all(is_header_char) && escapes_valid(t);
            if n.is_empty() || !valid(n) || !valid(v) {
                return Err(ParseError::Uri);
            }
            Ok((n.to_owned(), v.to_owned()))
        })
        .collect()
}

/// Escapes what may not appear literally in the user part.
pub(crate) fn escape_user(user: &str) -> String {
    let mut out = String::with_capacity(user.len());
    for b in user.bytes() {
        if is_user_char(b) && b != b'%' {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl FromStr for Uri {
    type Err = ParseError;

    fn from_str(s: &str) -> Result<Self, ParseError> {
        let (scheme, rest) = s.split_once(':').ok_or(ParseError::Uri)?;
        // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
        let scheme_ok = scheme
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic())
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        if !scheme_ok {
            return Err(ParseError::Uri);
        }
        if scheme.eq_ignore_ascii_case("sip") {
            Uri::parse_sip(Scheme::Sip, rest)
        } else if scheme.eq_ignore_ascii_case("sips") {
            Uri::parse_sip(Scheme::Sips, rest)
        } else if scheme.eq_ignore_ascii_case("tel") {
            Uri::parse_tel(rest)
        } else {
            let ok = !rest.is_empty()
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_graphic() && !matches!(b, b'<' | b'>' | b'"'));
            if !ok {
                return Err(ParseError::Uri);
            }
            Ok(Uri {
                scheme: Scheme::Other(scheme.to_ascii_lowercase()),
                user: Some(rest.to_owned()),
                password: None,
                host: Host::Domain(String::new()),
                port: None,
                params: Params::new(),
                headers: Vec::new(),
            })
        }
    }
}

impl fmt::Display for Uri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:", self.scheme.as_str())?;
        match self.scheme {
            Scheme::Sip | Scheme::Sips => {
                if let Some(u) = &self.user {
                    f.write_str(u)?;
                    if let Some(p) = &self.password {
                        write!(f, ":{p}")?;
                    }
                    f.write_str("@")?;
                }
                write!(f, "{}", self.host)?;
                if let Some(p) = self.port {
                    write!(f, ":{p}")?;
                }
                write!(f, "{}", self.params)?;
                for (i, (n, v)) in self.headers.iter().enumerate() {
                    let sep = if i == 0 { '?' } else { '&' };
                    write!(f, "{sep}{n}={v}")?;
                }
                Ok(())
            }
            Scheme::Tel => {
                f.write_str(self.user.as_deref().unwrap_or_default())?;
                write!(f, "{}", self.params)
            }
            Scheme::Other(_) => f.write_str(self.user.as_deref().unwrap_or_default()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt(s: &str) -> Uri {
        let u: Uri = s.parse().unwrap();
        assert_eq!(u.to_string(), s);
        u
    }

    #[test]
    fn sip_uri_fields() {
        let u = rt("sip:alice:secret@example.com:5070;transport=tcp;lr?Subject=hi&X=1");
        assert_eq!(u.user(), Some("alice"));
        assert_eq!(u.password.as_deref(), Some("secret"));
        assert_eq!(u.port, Some(5070));
        assert_eq!(u.transport(), Some(Transport::Tcp));
        assert!(u.is_loose_router());
        assert_eq!(u.headers.len(), 2);
    }

    #[test]
    fn user_with_semicolons_and_escapes() {
        let u = rt("sip:user;par=u%40example.net@example.com");
        assert_eq!(u.user(), Some("user;par=u%40example.net"));
        assert_eq!(u.user_unescaped().unwrap(), "user;par=u@example.net");
        assert!(u.params.is_empty());
    }

    #[test]
    fn tel_and_opaque() {
        let t = rt("tel:+1-201-555-0123;phone-context=example.com");
        assert_eq!(t.scheme, Scheme::Tel);
        assert_eq!(t.user(), Some("+1-201-555-0123"));
        let o = rt("soap.beep://192.0.2.103:3002");
        assert_eq!(o.scheme, Scheme::Other("soap.beep".into()));
    }

    #[test]
    fn whitespace_and_brackets_refused() {
        assert!("sip:user@example.com; lr".parse::<Uri>().is_err());
        assert!("<sip:user@example.com>".parse::<Uri>().is_err());
        assert!("sip:2001:db8::10".parse::<Uri>().is_err());
        assert!("sip:@example.com".parse::<Uri>().is_err());
    }

    #[test]
    fn constructor_escapes_user() {
        let u = Uri::sip(Some("a b"), Host::Domain("x.example".into()));
        assert_eq!(u.to_string(), "sip:a%20b@x.example");
    }
}
