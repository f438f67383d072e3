//! How the PBX presents itself on the network.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use sip::Transport;

use crate::registrar::RegistrarConfig;

/// The PBX's view of its own addresses and policies.
#[derive(Debug, Clone)]
pub struct PbxConfig {
    /// Addresses we are reachable at, per transport, as written into Via and Contact. An
    /// outgoing request uses the first one matching the target's transport and IP family.
    pub local: Vec<(Transport, SocketAddr)>,
    /// IP written into SDP for the relay, per family; `None` for a family we don't serve.
    pub media_ipv4: Option<IpAddr>,
    pub media_ipv6: Option<IpAddr>,
    /// The office's public address (its router's, forwarding SIP and RTP ports to this
    /// PC), advertised in Contact and SDP instead of ours to peers outside the LAN, which
    /// cannot reach a private address. `None`: every peer gets our own address.
    pub public_ip: Option<IpAddr>,
    /// How long an extension rings before the caller hears "no answer" (480).
    pub ring_timeout: Duration,
    /// Product token for User-Agent / Server headers.
    pub user_agent: String,
    pub registrar: RegistrarConfig,
    /// Which phones must offer SRTP, and over which signalling keys are taken.
    pub srtp: crate::SrtpPolicy,
}

impl PbxConfig {
    pub fn new(local: Vec<(Transport, SocketAddr)>, registrar: RegistrarConfig) -> Self {
        let mut config = PbxConfig {
            local: Vec::new(),
            media_ipv4: None,
            media_ipv6: None,
            public_ip: None,
            ring_timeout: Duration::from_secs(60),
            user_agent: format!("Switchboard/{}", env!("CARGO_PKG_VERSION")),
            registrar,
            srtp: crate::SrtpPolicy::default(),
        };
        config.set_local(local);
        config
    }

    /// Takes new addresses (the host moved to another network) and advertises the relay
    /// on the first IP of each family among them.
    pub(crate) fn set_local(&mut self, local: Vec<(Transport, SocketAddr)>) {
        self.media_ipv4 = local.iter().map(|(_, a)| a.ip()).find(IpAddr::is_ipv4);
        self.media_ipv6 = local.iter().map(|(_, a)| a.ip()).find(IpAddr::is_ipv6);
        self.local = local;
    }

    /// Our address for talking to `peer` over `transport`: same transport and family
    /// if we have one, else anything on the transport.
    pub fn local_for(&self, transport: Transport, peer: SocketAddr) -> Option<SocketAddr> {
        let same =
            |(t, a): &&(Transport, SocketAddr)| *t == transport && a.is_ipv4() == peer.is_ipv4();
        let local = self
            .local
            .iter()
            .find(same)
            .or_else(|| self.local.iter().find(|(t, _)| *t == transport))
            .map(|(_, a)| *a)?;
        // The router forwards the same port number to us, so only the IP changes.
        Some(match self.public_for(peer.ip()) {
            Some(public) => SocketAddr::new(public, local.port()),
            None => local,
        })
    }

    /// The relay IP to advertise to a peer at `peer`.
    pub fn media_ip_for(&self, peer: IpAddr) -> Option<IpAddr> {
        if let Some(public) = self.public_for(peer) {
            return Some(public);
        }
        if peer.is_ipv4() {
            self.media_ipv4.or(self.media_ipv6)
        } else {
            self.media_ipv6.or(self.media_ipv4)
        }
    }

    /// The public address, when one is set and `peer` is outside the LAN in its family.
    fn public_for(&self, peer: IpAddr) -> Option<IpAddr> {
        self.public_ip
            .filter(|public| public.is_ipv4() == peer.is_ipv4() && is_outside_lan(peer))
    }
}

/// Whether an address is on the internet rather than this office's network: not
/// loopback, private (RFC 1918, RFC 4193), shared (RFC 6598, a carrier's NAT in front of
/// the office), link-local or unspecified.
pub fn is_outside_lan(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            let shared = a == 100 && (64..128).contains(&b);
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || shared)
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_outside_lan(IpAddr::V4(v4)),
            None => {
                let first = v6.segments()[0];
                let unique_local = first & 0xfe00 == 0xfc00;
                let link_local = first & 0xffc0 == 0xfe80;
                !(v6.is_loopback() || v6.is_unspecified() || unique_local || link_local)
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(public: Option<&str>) -> PbxConfig {
        let mut config = PbxConfig::new(
            vec![
                (Transport::Udp, "192.168.1.10:5060".parse().expect("addr")),
                (Transport::Tcp, "192.168.1.10:5060".parse().expect("addr")),
            ],
            RegistrarConfig::new("office"),
        );
        config.public_ip = public.map(|p| p.parse().expect("ip"));
        config
    }

    fn peer(s: &str) -> SocketAddr {
        s.parse().expect("addr")
    }

    #[test]
    fn a_phone_on_the_internet_is_given_the_public_address() {
        let config = config(Some("203.0.113.7"));
        assert_eq!(
            config.local_for(Transport::Tcp, peer("198.51.100.20:40000")),
            Some(peer("203.0.113.7:5060"))
        );
        assert_eq!(
            config.media_ip_for("198.51.100.20".parse().expect("ip")),
            Some("203.0.113.7".parse().expect("ip"))
        );
    }

    #[test]
    fn a_phone_on_the_lan_is_given_the_pc_address() {
        let config = config(Some("203.0.113.7"));
        for lan in [
            "192.168.1.20:5060",
            "10.1.2.3:5060",
            "127.0.0.1:5060",
            "100.64.0.9:5060",
        ] {
            assert_eq!(
                config.local_for(Transport::Udp, peer(lan)),
                Some(peer("192.168.1.10:5060")),
                "{lan}"
            );
            assert_eq!(
                config.media_ip_for(peer(lan).ip()),
                Some("192.168.1.10".parse().expect("ip"))
            );
        }
    }

    #[test]
    fn without_a_public_address_everyone_gets_the_pc_address() {
        let config = config(None);
        assert_eq!(
            config.local_for(Transport::Udp, peer("198.51.100.20:5060")),
            Some(peer("192.168.1.10:5060"))
        );
    }

    #[test]
    fn lan_ranges_of_both_families_are_recognised() {
        for inside in [
            "fd12::1",
            "fe80::1",
            "::1",
            "::ffff:192.168.0.1",
            "169.254.1.1",
        ] {
            assert!(!is_outside_lan(inside.parse().expect("ip")), "{inside}");
        }
        for outside in ["2001:db8::1", "8.8.8.8", "::ffff:8.8.8.8", "100.128.0.1"] {
            assert!(is_outside_lan(outside.parse().expect("ip")), "{outside}");
        }
    }
}
