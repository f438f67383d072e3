//! `sip:`, `tel:` and `callto:` links clicked anywhere on the PC: the desktop opens this app
//! with the link as its argument (the .desktop file's `x-scheme-handler/…`, or a second
//! launch handing its arguments to the running one), and the app dials what the link names.

/// The schemes the app takes calls from.
pub const SCHEMES: [&str; 3] = ["sip", "tel", "callto"];

/// The first argument that is a call link, if any.
pub fn find_link(args: &[String]) -> Option<&str> {
    args.iter()
        .map(String::as_str)
        .find(|a| scheme_of(a).is_some())
}

fn scheme_of(link: &str) -> Option<&'static str> {
    let (scheme, _) = link.split_once(':')?;
    // RFC 3986 §3.1: schemes are case-insensitive.
    SCHEMES
        .into_iter()
        .find(|s| s.eq_ignore_ascii_case(scheme.trim()))
}

/// What to dial for `link`, or `None` when it names nothing callable. `office` is the host
/// the phone registers to: a `sip:` address there is dialled as its user part alone (an
/// extension), any other host is kept whole (`user@host`).
pub fn number_to_dial(link: &str, office: Option<&str>) -> Option<String> {
    let scheme = scheme_of(link)?;
    let (_, rest) = link.split_once(':')?;
    let rest = percent_decode(rest.trim());
    // `callto://…` and `sip://…` are common in web pages, though not in any RFC.
    let rest = rest.trim_start_matches('/');
    // RFC 3261 §19.1.1 and RFC 3966 §3: parameters (`;transport=udp`, `;phone-context=…`)
    // and headers (`?subject=…`) follow the address.
    let address = rest.split([';', '?']).next().unwrap_or_default().trim();
    let number = match scheme {
        "tel" => visual_separators_removed(address),
        _ => match address.split_once('@') {
            Some((user, host)) => {
                let user = user.split(':').next().unwrap_or_default();
                if user.is_empty() {
                    return None;
                }
                if is_office(host, office) {
                    phone_number_or_name(user)
                } else {
                    format!("{}@{}", phone_number_or_name(user), host)
                }
            }
            None => phone_number_or_name(address),
        },
    };
    (!number.is_empty() && !number.chars().any(char::is_whitespace)).then_some(number)
}

/// A user part that looks like a phone number (`+1 (555) 010-0199`) loses its visual
/// separators; a name (`alice`) is kept as it is.
fn phone_number_or_name(user: &str) -> String {
    let digits = visual_separators_removed(user);
    if !digits.is_empty()
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || "+*#".contains(c))
    {
        digits
    } else {
        user.trim().to_owned()
    }
}

/// RFC 3966 §5.1.1: `-`, `.`, `(`, `)` and spaces only help people read a number.
fn visual_separators_removed(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '-' | '.' | '(' | ')' | ' ' | '\u{a0}'))
        .collect()
}

/// Whether `host` (maybe with a port) is the office the phone registers to.
fn is_office(host: &str, office: Option<&str>) -> bool {
    let Some(office) = office else {
        return false;
    };
    let bare = |h: &str| -> String {
        let h = h.trim();
        let h = match h.strip_prefix('[') {
            // [v6]:port
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => match h.rsplit_once(':') {
                Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
                _ => h,
            },
        };
        h.to_ascii_lowercase()
    };
    bare(host) == bare(office)
}

/// `%2B` → `+`; a broken escape is kept as written.
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFICE: Option<&str> = Some("pbx.example.com:5060");

    fn dial(link: &str) -> Option<String> {
        number_to_dial(link, OFFICE)
    }

    #[test]
    fn tel_links_lose_their_visual_separators_and_parameters() {
        assert_eq!(dial("tel:+1-555-010-0199").as_deref(), Some("+15550100199"));
        assert_eq!(dial("tel:(0)20 7946.0958").as_deref(), Some("02079460958"));
        assert_eq!(
            dial("tel:201;phone-context=example.com").as_deref(),
            Some("201")
        );
        assert_eq!(
            dial("TEL:%2B44%2020%207946%200958").as_deref(),
            Some("+442079460958")
        );
    }

    #[test]
    fn sip_links_to_the_office_dial_the_extension() {
        assert_eq!(dial("sip:201@pbx.example.com").as_deref(), Some("201"));
        assert_eq!(
            dial("sip:201@PBX.example.com:5060;transport=udp").as_deref(),
            Some("201")
        );
        assert_eq!(
            dial("sips:201@pbx.example.com"),
            None,
            "sips is not offered"
        );
        assert_eq!(
            number_to_dial("sip:201@[::1]:5070", Some("[::1]:5060")).as_deref(),
            Some("201")
        );
    }

    #[test]
    fn sip_links_elsewhere_keep_their_host() {
        assert_eq!(
            dial("sip:alice@other.example.org").as_deref(),
            Some("alice@other.example.org")
        );
        assert_eq!(
            number_to_dial("sip:201@pbx.example.com", None).as_deref(),
            Some("201@pbx.example.com"),
            "without an account no host is the office"
        );
    }

    #[test]
    fn callto_links_in_both_spellings() {
        assert_eq!(
            dial("callto:+1 555 010 0199").as_deref(),
            Some("+15550100199")
        );
        assert_eq!(dial("callto://201").as_deref(), Some("201"));
    }

    #[test]
    fn links_without_anything_to_call_are_refused() {
        assert_eq!(dial("tel:"), None);
        assert_eq!(dial("sip:@pbx.example.com"), None);
        assert_eq!(dial("https://example.com"), None);
        assert_eq!(dial("sip:two words@elsewhere"), None);
    }

    #[test]
    fn the_link_is_found_among_the_arguments() {
        let args: Vec<String> = ["switchboard-desktop", "--hidden", "Sip:201@x"]
            .map(String::from)
            .to_vec();
        assert_eq!(find_link(&args), Some("Sip:201@x"));
        assert_eq!(find_link(&args[..2]), None);
        assert_eq!(percent_decode("100%"), "100%");
    }
}
