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
    /// How long an extension rings before the caller hears "no answer" (480).
    pub ring_timeout: Duration,
    /// Product token for User-Agent / Server headers.
    pub user_agent: String,
    pub registrar: RegistrarConfig,
}

impl PbxConfig {
    pub fn new(local: Vec<(Transport, SocketAddr)>, registrar: RegistrarConfig) -> Self {
        let mut config = PbxConfig {
            local: Vec::new(),
            media_ipv4: None,
            media_ipv6: None,
            ring_timeout: Duration::from_secs(60),
            user_agent: format!("Switchboard/{}", env!("CARGO_PKG_VERSION")),
            registrar,
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
        self.local
            .iter()
            .find(same)
            .or_else(|| self.local.iter().find(|(t, _)| *t == transport))
            .map(|(_, a)| *a)
    }

    /// The relay IP to advertise to a peer at `peer`.
    pub fn media_ip_for(&self, peer: IpAddr) -> Option<IpAddr> {
        if peer.is_ipv4() {
            self.media_ipv4.or(self.media_ipv6)
        } else {
            self.media_ipv6.or(self.media_ipv4)
        }
    }
}
