//! The guard's allow-list at start: this machine's own addresses, always, and the owner's
//! saved list.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Instant;

use pbx::dialplan::AddressRule;
use pbx::guard::{Guard, GuardConfig};

/// Addresses never limited nor banned whatever the owner saves: the desktop app's softphone
/// and any tool on the same PC come from them, and a mistyped password there must not
/// block the owner from their own phone system. Loopback and the SIP listen addresses
/// (not a wildcard).
pub fn own_addresses(sip_addrs: &[SocketAddr]) -> Vec<IpAddr> {
    let mut own: Vec<IpAddr> = Vec::new();
    for ip in [
        IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(Ipv6Addr::LOCALHOST),
    ]
    .into_iter()
    .chain(sip_addrs.iter().map(SocketAddr::ip))
    {
        let ip = ip.to_canonical();
        if !ip.is_unspecified() && !own.contains(&ip) {
            own.push(ip);
        }
    }
    own
}

/// The owner's saved entries as rules; one that cannot be read is skipped with a warning
/// (the API refuses such entries, so only a hand-edited database has one).
pub(crate) fn saved_rules(store: &store::Store) -> Vec<AddressRule> {
    let entries = match store.guard_allow_list() {
        Ok(entries) => entries,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the allow-list; only this computer is allowed");
            return Vec::new();
        }
    };
    entries
        .iter()
        .filter_map(|entry| {
            let rule = pbx::guard::parse_allow_entry(entry);
            if rule.is_none() {
                tracing::warn!(entry, "allow-list entry skipped: not an address or network");
            }
            rule
        })
        .collect()
}

/// The guard with its default limits and both lists.
pub(crate) fn new_guard(now: Instant, sip_addrs: &[SocketAddr], store: &store::Store) -> Guard {
    let config = GuardConfig {
        allow: own_addresses(sip_addrs)
            .into_iter()
            .map(AddressRule::from)
            .collect(),
        ..GuardConfig::default()
    };
    let mut guard = Guard::new(now, config);
    guard.set_allow_list(saved_rules(store));
    guard
}
