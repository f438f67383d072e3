//! Notices when the network under the trunks changes: a laptop moves to another Wi-Fi, a
//! DHCP lease brings a new address, or the link comes back after being down. The provider
//! then still holds a registration for an address the PBX no longer has, so the trunks must
//! re-register at once instead of waiting for the refresh (RFC 5626 §4.4.1 reasons the same
//! way for flows).
//!
//! The check is the source address the operating system picks towards each target: a UDP
//! socket `connect` chooses a route and a local address without sending anything.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, UdpSocket};

/// A documentation address (RFC 5737) that is never answered: it stands for "the internet"
/// so that a network coming back is noticed even before any trunk host has resolved.
pub(crate) const INTERNET_PROBE: SocketAddr = SocketAddr::V4(std::net::SocketAddrV4::new(
    std::net::Ipv4Addr::new(192, 0, 2, 1),
    9,
));

/// The last local address seen towards each target.
#[derive(Debug, Default)]
pub(crate) struct NetworkWatch {
    routes: HashMap<SocketAddr, Option<IpAddr>>,
}

impl NetworkWatch {
    /// Records what one round of probes found (`None`: no route) and says whether the
    /// network changed since the last round: a target now reached from another local
    /// address, or reached again after having no route. A target seen for the first time
    /// only sets the baseline; a route going away is no reason to re-register (nothing
    /// would get through), its return is.
    pub fn observe(
        &mut self,
        probes: impl IntoIterator<Item = (SocketAddr, Option<IpAddr>)>,
    ) -> bool {
        let mut changed = false;
        let mut now = HashMap::new();
        for (target, local) in probes {
            match (self.routes.get(&target), local) {
                (Some(Some(before)), Some(after)) if *before != after => changed = true,
                (Some(None), Some(_)) => changed = true,
                _ => {}
            }
            now.insert(target, local);
        }
        self.routes = now;
        changed
    }
}

/// The local address the operating system would send from towards `target`, or `None`
/// when it has no route there (interface down, no default route).
pub(crate) fn local_address_towards(target: SocketAddr) -> Option<IpAddr> {
    let any: SocketAddr = if target.is_ipv4() {
        SocketAddr::from(([0, 0, 0, 0], 0))
    } else {
        SocketAddr::from(([0u16; 8], 0))
    };
    let socket = UdpSocket::bind(any).ok()?;
    socket.connect(target).ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_unspecified()).then_some(ip)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a(s: &str) -> SocketAddr {
        s.parse().expect("addr")
    }
    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().expect("ip"))
    }

    #[test]
    fn first_sight_is_no_change() {
        let mut w = NetworkWatch::default();
        assert!(!w.observe([(a("203.0.113.5:5060"), ip("192.168.1.10"))]));
        assert!(!w.observe([(a("203.0.113.5:5060"), ip("192.168.1.10"))]));
    }

    #[test]
    fn a_new_local_address_is_a_change() {
        let mut w = NetworkWatch::default();
        w.observe([(a("203.0.113.5:5060"), ip("192.168.1.10"))]);
        assert!(w.observe([(a("203.0.113.5:5060"), ip("10.0.0.4"))]));
        assert!(!w.observe([(a("203.0.113.5:5060"), ip("10.0.0.4"))]));
    }

    #[test]
    fn the_network_coming_back_is_a_change_going_away_is_not() {
        let mut w = NetworkWatch::default();
        w.observe([(a("203.0.113.5:5060"), ip("192.168.1.10"))]);
        assert!(!w.observe([(a("203.0.113.5:5060"), None)]));
        assert!(!w.observe([(a("203.0.113.5:5060"), None)]));
        assert!(w.observe([(a("203.0.113.5:5060"), ip("192.168.1.10"))]));
    }

    #[test]
    fn started_offline_then_online_is_a_change() {
        let mut w = NetworkWatch::default();
        assert!(!w.observe([(INTERNET_PROBE, None)]));
        assert!(w.observe([(INTERNET_PROBE, ip("192.168.1.10"))]));
    }

    #[test]
    fn targets_that_come_and_go_set_a_new_baseline() {
        let mut w = NetworkWatch::default();
        w.observe([(a("203.0.113.5:5060"), ip("192.168.1.10"))]);
        // The trunk moved to another host: its first probe is a baseline.
        assert!(!w.observe([(a("198.51.100.9:5060"), ip("10.0.0.4"))]));
        // The old host is forgotten, so its return is a baseline too.
        assert!(!w.observe([(a("203.0.113.5:5060"), ip("10.0.0.4"))]));
    }

    #[test]
    fn loopback_is_reached_from_loopback() {
        assert_eq!(local_address_towards(a("127.0.0.1:5060")), ip("127.0.0.1"));
    }
}
