//! Checking a plan's trunks: what the PBX needs to reach the provider and to know its calls.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};

use super::address::{is_host_name, is_host_with_port, parse_allowed, split_host_port};
use super::number::is_phone_number;
use super::validate::Issues;
use super::{DialPlan, Trunk, TrunkAuth};

impl DialPlan {
    pub(super) fn check_trunks(&self, is_extension: &dyn Fn(&str) -> bool, issues: &mut Issues) {
        let mut contacts: HashMap<&str, &str> = HashMap::new();
        for (i, trunk) in self.trunks.iter().enumerate() {
            let f = |name: &str| format!("trunks.{i}.{name}");
            let host = trunk.host.trim();
            if host.is_empty() {
                issues.add(
                    f("host"),
                    "Enter the provider's host name or address".into(),
                );
            } else if !is_host(host) {
                let message = match split_host_port(host) {
                    Some((name, Some(_))) if is_host(name) => {
                        format!("Enter {name} here and the port in the port field")
                    }
                    _ => format!("{host} is not a host name or IP address"),
                };
                issues.add(f("host"), message);
            }
            if trunk.port == Some(0) {
                issues.add(f("port"), "The port must be between 1 and 65535".into());
            }
            if let Some(proxy) = trunk.outbound_proxy.as_deref().map(str::trim) {
                if !proxy.is_empty() && !is_host_with_port(proxy) {
                    let message = format!("{proxy} is not a host or host:port");
                    issues.add(f("outbound_proxy"), message);
                }
            }
            if trunk.channels == 0 {
                issues.add(f("channels"), "A trunk needs at least one channel".into());
            }
            check_auth(trunk, i, &mut contacts, issues);
            if let Some(user) = trunk.from_user.as_deref().filter(|u| !u.is_empty()) {
                if !is_sip_user(user) {
                    let message = format!("{user} cannot be used as a SIP user name");
                    issues.add(f("from_user"), message);
                }
            }
            if let Some(id) = trunk.caller_id.as_deref().filter(|c| !c.trim().is_empty()) {
                if !is_phone_number(id) {
                    issues.add(f("caller_id"), format!("{id} is not a phone number"));
                }
            }
            if let Some(overflow) = &trunk.overflow {
                self.check_destination(f("overflow"), overflow, is_extension, issues);
            }
            let default = &trunk.default_destination;
            self.check_destination(f("default_destination"), default, is_extension, issues);
        }
    }
}

fn check_auth<'a>(
    trunk: &'a Trunk,
    i: usize,
    contacts: &mut HashMap<&'a str, &'a str>,
    issues: &mut Issues,
) {
    let f = |name: &str| format!("trunks.{i}.auth.{name}");
    match &trunk.auth {
        TrunkAuth::Registration {
            username,
            password,
            auth_username,
            contact_user,
            ..
        } => {
            if username.trim().is_empty() {
                let message = "Enter the user name the provider gave you".to_string();
                issues.add(f("username"), message);
            } else if !is_sip_user(username.trim()) {
                let message = format!("{username} cannot be used as a SIP user name");
                issues.add(f("username"), message);
            }
            if password.is_empty() {
                issues.add(f("password"), "Enter the password".into());
            }
            if let Some(user) = auth_username.as_deref() {
                if user.chars().any(|c| c.is_control() || c == '"') {
                    let message = "The authentication user name has characters that cannot be sent";
                    issues.add(f("auth_username"), message.to_string());
                }
            }
            let contact = contact_user.as_str();
            if !contact.is_empty() {
                if !is_sip_user(contact) {
                    let message = format!("{contact} cannot be used as a SIP user name");
                    issues.add(f("contact_user"), message);
                } else if let Some(other) = contacts.insert(contact, &trunk.name) {
                    let message = format!("The trunk {other} already uses this contact");
                    issues.add(f("contact_user"), message);
                }
            }
        }
        TrunkAuth::Ip { allowed } => {
            if allowed.iter().all(|a| a.trim().is_empty()) {
                let message = "Add at least one address the provider calls from".to_string();
                issues.add(f("allowed"), message);
            }
            for (j, entry) in allowed.iter().enumerate() {
                if !entry.trim().is_empty() && parse_allowed(entry).is_err() {
                    let message = format!(
                        "{} is not an IP address, address range (CIDR) or host name",
                        entry.trim()
                    );
                    issues.add(format!("trunks.{i}.auth.allowed.{j}"), message);
                }
            }
        }
    }
}

/// A host the PBX can send to: a name, an IPv4 or IPv6 address, or `[IPv6]`.
fn is_host(s: &str) -> bool {
    s.parse::<IpAddr>().is_ok()
        || is_host_name(s)
        || s.strip_prefix('[')
            .and_then(|r| r.strip_suffix(']'))
            .is_some_and(|inner| inner.parse::<Ipv6Addr>().is_ok())
}

/// RFC 3261 §25.1 `user`: unreserved and user-unreserved characters only, so the value can
/// go into a SIP URI without escaping and cannot inject anything.
fn is_sip_user(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    '-' | '_'
                        | '.'
                        | '!'
                        | '~'
                        | '*'
                        | '\''
                        | '('
                        | ')'
                        | '&'
                        | '='
                        | '+'
                        | '$'
                        | ','
                        | ';'
                        | '?'
                        | '/'
                )
        })
}
