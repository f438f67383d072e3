//! The addresses an IP-authenticated trunk's calls may come from.

use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use super::DialPlanError;

/// One allowed source: an address with an optional port, or a CIDR range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressRule {
    net: IpAddr,
    prefix: u8,
    port: Option<u16>,
}

impl FromStr for AddressRule {
    type Err = DialPlanError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || DialPlanError::BadAddress(s.to_string());
        if let Ok(ip) = s.parse::<IpAddr>() {
            let prefix = if ip.is_ipv4() { 32 } else { 128 };
            return Ok(AddressRule {
                net: ip,
                prefix,
                port: None,
            });
        }
        if let Ok(sa) = s.parse::<SocketAddr>() {
            let prefix = if sa.is_ipv4() { 32 } else { 128 };
            return Ok(AddressRule {
                net: sa.ip(),
                prefix,
                port: Some(sa.port()),
            });
        }
        Err(bad())
    }
}

impl AddressRule {
    /// Whether a datagram or connection from `source` is covered by this rule.
    pub fn matches(&self, source: SocketAddr) -> bool {
        source.ip() == self.net && self.port.map_or(true, |p| p == source.port())
    }
}
