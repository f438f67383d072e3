//! `click_to_call`: ready-to-paste links for a business name, for a website or an e-mail
//! footer.
//!
//! - `tel:` — the name's number, normalised: `tel:+442071234567` when it is a global
//!   (E.164) number (RFC 3966 §5.1.4); a number without `+` is given as the digits typed,
//!   which phones and browsers dial as a local number. `#` is percent-encoded.
//! - `sip:` — `sip:<name>@<host>` (RFC 3261 §19.1.1), the user part escaped; the host is
//!   the office's domain when one is configured, else the address the PBX takes SIP on
//!   (with its port unless 5060; for an "every interface" address, the address this
//!   computer uses towards the internet).
//! - `skype:NAME?call` — only for names that can be Skype names: 6 to 32 characters,
//!   starting with a letter, then letters, digits and `. , - _` (or a `live:` id). A name
//!   with `@`, spaces or other characters gets no Skype link.
//!
//! The HTML snippet has the same links with every text and attribute escaped, so a name
//! or label can never inject markup into the page it is pasted into.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};

use pbx::dialplan::normalize_number;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{Command, Ctx};
use crate::commands::names;
use crate::ApiError;

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ClickToCallRequest {
    /// The business name's id.
    pub id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ClickToCallResponse {
    /// `tel:+442071234567`
    pub tel: String,
    /// `sip:sales.acme@pbx.example.com`
    pub sip: String,
    /// `skype:sales.acme?call`; `null` when the name cannot be a Skype name.
    pub skype: Option<String>,
    /// The links as an HTML fragment, escaped, ready to paste.
    pub html: String,
}

impl Command for ClickToCallRequest {
    const NAME: &'static str = "click_to_call";
    type Response = ClickToCallResponse;

    async fn run(self, ctx: &Ctx) -> Result<ClickToCallResponse, ApiError> {
        let id = self.id;
        let name = ctx
            .store(move |s| names::find(s.load_dial_plan()?, id))
            .await?;
        let host = pbx_host(ctx.engine.sip_addrs().first().copied());
        Ok(links(&name.name, &name.number, &name.label, &host))
    }
}

/// The links and snippet for one name.
pub(crate) fn links(name: &str, number: &str, label: &str, host: &str) -> ClickToCallResponse {
    let tel = format!("tel:{}", tel_number(number));
    let sip = format!("sip:{}@{host}", sip_user(name));
    let skype = is_skype_name(name).then(|| format!("skype:{name}?call"));
    let mut html = format!(
        "<span class=\"click-to-call\">{}: <a href=\"{}\">{}</a> · <a href=\"{}\">{}</a>",
        escape(label),
        escape(&tel),
        escape(number),
        escape(&sip),
        escape(name)
    );
    if let Some(skype) = &skype {
        html.push_str(&format!(" · <a href=\"{}\">Skype</a>", escape(skype)));
    }
    html.push_str("</span>");
    ClickToCallResponse {
        tel,
        sip,
        skype,
        html,
    }
}

/// The number for a `tel:` URI: normalised, `#` percent-encoded (RFC 3966 §3 reserves it),
/// anything else that is not a digit, `+` or `*` dropped.
fn tel_number(number: &str) -> String {
    normalize_number(number)
        .chars()
        .filter_map(|c| match c {
            '0'..='9' | '+' | '*' => Some(c.to_string()),
            '#' => Some("%23".to_owned()),
            _ => None,
        })
        .collect()
}

/// RFC 3261 §25.1: `user = 1*( unreserved / escaped / user-unreserved )`; everything else
/// is percent-encoded.
fn sip_user(name: &str) -> String {
    let mut out = String::new();
    for b in name.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-_.!~*'()&=+$,;?/".contains(&b);
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Skype's rules for names: 6 to 32 characters, a letter first, then letters, digits and
/// `. , - _`; newer accounts have `live:` ids.
fn is_skype_name(name: &str) -> bool {
    let id = name.strip_prefix("live:").unwrap_or(name);
    let mut chars = id.chars();
    let first_is_letter = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || ".,-_".contains(c));
    let len_ok = if id.len() == name.len() {
        (6..=32).contains(&id.len())
    } else {
        !id.is_empty() && id.len() <= 32
    };
    first_is_letter && rest_ok && len_ok
}

/// The host part for `sip:` links: where the PBX takes SIP.
fn pbx_host(addr: Option<SocketAddr>) -> String {
    let Some(addr) = addr else {
        return "localhost".to_owned();
    };
    let ip = if addr.ip().is_unspecified() {
        // No route out (an offline machine): this computer is all that can be named.
        outward_ip(addr.ip()).unwrap_or(match addr.ip() {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
        })
    } else {
        addr.ip()
    };
    let host = match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("[{v6}]"),
    };
    if addr.port() == 5060 {
        host
    } else {
        format!("{host}:{}", addr.port())
    }
}

/// The address this computer sends from towards the internet: a connected UDP socket picks
/// it without sending anything. The target is a documentation address (RFC 5737 / 3849).
fn outward_ip(family: IpAddr) -> Option<IpAddr> {
    let (bind, target): (SocketAddr, SocketAddr) = match family {
        IpAddr::V4(_) => (
            (Ipv4Addr::UNSPECIFIED, 0).into(),
            (Ipv4Addr::new(192, 0, 2, 1), 9).into(),
        ),
        IpAddr::V6(_) => (
            (Ipv6Addr::UNSPECIFIED, 0).into(),
            (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), 9).into(),
        ),
    };
    let socket = UdpSocket::bind(bind).ok()?;
    socket.connect(target).ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_unspecified()).then_some(ip)
}

/// HTML text and attribute escaping.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_global_number_becomes_an_e164_tel_link() {
        let l = links("sales.acme", "0044 20-7123 4567", "Sales", "pbx.example");
        assert_eq!(l.tel, "tel:+442071234567");
        assert_eq!(l.sip, "sip:sales.acme@pbx.example");
        assert_eq!(l.skype.as_deref(), Some("skype:sales.acme?call"));
        assert_eq!(
            l.html,
            "<span class=\"click-to-call\">Sales: <a href=\"tel:+442071234567\">0044 20-7123 4567</a> · \
             <a href=\"sip:sales.acme@pbx.example\">sales.acme</a> · \
             <a href=\"skype:sales.acme?call\">Skype</a></span>"
        );
    }

    #[test]
    fn markup_in_names_and_labels_is_escaped() {
        let l = links("<b>x\"y</b>", "123#", "A&B <script>", "10.0.0.1");
        assert_eq!(l.skype, None);
        assert_eq!(l.tel, "tel:123%23");
        assert_eq!(l.sip, "sip:%3Cb%3Ex%22y%3C/b%3E@10.0.0.1");
        assert!(
            l.html.contains(">A&amp;B &lt;script&gt;: <a "),
            "{}",
            l.html
        );
        assert!(!l.html.contains("<script>"));
        assert!(!l.html.contains("<b>"));
        assert!(l.html.contains("&lt;b&gt;x&quot;y&lt;/b&gt;"));
    }

    #[test]
    fn skype_names_follow_skypes_rules() {
        assert!(is_skype_name("sales.acme"));
        assert!(is_skype_name("live:abc123"));
        assert!(!is_skype_name("bob"), "too short");
        assert!(!is_skype_name("1sales.acme"), "must start with a letter");
        assert!(!is_skype_name("sales@acme.com"));
        assert!(!is_skype_name("sales acme"));
        assert!(!is_skype_name(&"a".repeat(33)));
    }

    #[test]
    fn the_pbx_host_carries_its_port_unless_standard() {
        assert_eq!(
            pbx_host(Some("192.0.2.7:5060".parse().unwrap())),
            "192.0.2.7"
        );
        assert_eq!(
            pbx_host(Some("192.0.2.7:5070".parse().unwrap())),
            "192.0.2.7:5070"
        );
        assert_eq!(
            pbx_host(Some("[2001:db8::5]:5060".parse().unwrap())),
            "[2001:db8::5]"
        );
        assert_eq!(pbx_host(None), "localhost");
        let any = pbx_host(Some("0.0.0.0:5060".parse().unwrap()));
        assert!(!any.starts_with("0.0.0.0"), "{any}");
    }
}
