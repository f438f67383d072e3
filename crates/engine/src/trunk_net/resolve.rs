//! Turns each trunk's host names into addresses: the target its requests go to, and the
//! address rules its IP-mode calls are accepted from. DNS is reached through [`Dns`] so the
//! choices here are tested without a network.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use pbx::dialplan::TrunkId;
use sip::transaction::Peer;

use super::target::{HostPort, TrunkLookup};

/// A lookup that takes longer than this is treated as failed, so one dead DNS server does
/// not hold up the other trunks for minutes.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(10);

/// Host name resolution.
pub(crate) trait Dns {
    /// Every address of `host`, each with `port`, in the system's order of preference.
    fn lookup(
        &self,
        host: &str,
        port: u16,
    ) -> impl Future<Output = io::Result<Vec<SocketAddr>>> + Send;
}

/// The operating system's resolver (getaddrinfo on a blocking thread, via tokio).
pub(crate) struct SystemDns;

impl Dns for SystemDns {
    async fn lookup(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        Ok(tokio::net::lookup_host((host, port)).await?.collect())
    }
}

/// What the PBX is told about one trunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ResolvedTrunk {
    pub id: TrunkId,
    pub target: Option<Peer>,
    /// Address rules in the dial plan's syntax (`203.0.113.5`, `203.0.113.5:5060`), one
    /// per address of each allowed host name. (The PBX reads the literal entries itself.)
    pub allowed: Vec<String>,
}

/// Resolves trunks, remembering the last good answer per name so a passing DNS failure
/// on a periodic refresh does not take a working trunk down.
pub(crate) struct Resolver<D> {
    dns: D,
    /// Whether the PBX has a socket to send from, per address family (IPv4, IPv6).
    families: (bool, bool),
    last_good: HashMap<HostPort, Vec<SocketAddr>>,
}

impl<D: Dns> Resolver<D> {
    /// `ipv4`/`ipv6`: whether the PBX has a socket of that family to send from.
    pub fn new(dns: D, ipv4: bool, ipv6: bool) -> Resolver<D> {
        Resolver {
            dns,
            families: (ipv4, ipv6),
            last_good: HashMap::new(),
        }
    }

    pub async fn resolve_all(&mut self, lookups: &[TrunkLookup]) -> Vec<ResolvedTrunk> {
        let mut out = Vec::with_capacity(lookups.len());
        for lookup in lookups {
            out.push(self.resolve(lookup).await);
        }
        // Names no trunk uses any more are forgotten.
        let in_use: Vec<HostPort> = lookups.iter().flat_map(names_of).collect();
        self.last_good.retain(|k, _| in_use.contains(k));
        out
    }

    async fn resolve(&mut self, lookup: &TrunkLookup) -> ResolvedTrunk {
        let mut target = None;
        if let Some(name) = &lookup.target {
            let addrs = self.addresses(lookup.id, name).await;
            // getaddrinfo already orders by RFC 6724 preference; take the first we can reach.
            target = addrs
                .into_iter()
                .find(|a| self.can_send(a))
                .map(|addr| Peer {
                    transport: lookup.transport,
                    addr,
                });
            if target.is_none() {
                tracing::warn!(trunk = lookup.id, host = %name.host, "no usable address for the trunk");
            }
        }
        let mut allowed = Vec::new();
        for host in &lookup.allowed_hosts {
            let name = HostPort {
                host: host.host.clone(),
                port: host.port.unwrap_or(0),
            };
            for addr in self.addresses(lookup.id, &name).await {
                let rule = match host.port {
                    Some(_) => addr.to_string(),
                    None => addr.ip().to_string(),
                };
                if !allowed.contains(&rule) {
                    allowed.push(rule);
                }
            }
        }
        ResolvedTrunk {
            id: lookup.id,
            target,
            allowed,
        }
    }

    fn can_send(&self, addr: &SocketAddr) -> bool {
        if addr.is_ipv4() {
            self.families.0
        } else {
            self.families.1
        }
    }

    /// The addresses of a name now, else the last ones it had, else none.
    async fn addresses(&mut self, trunk: TrunkId, name: &HostPort) -> Vec<SocketAddr> {
        let answer = tokio::time::timeout(LOOKUP_TIMEOUT, self.dns.lookup(&name.host, name.port))
            .await
            .unwrap_or_else(|_| Err(io::Error::from(io::ErrorKind::TimedOut)));
        match answer {
            Ok(addrs) if !addrs.is_empty() => {
                self.last_good.insert(name.clone(), addrs.clone());
                addrs
            }
            Ok(_) => self.fallback(trunk, name, "no addresses"),
            Err(e) => self.fallback(trunk, name, &e.to_string()),
        }
    }

    fn fallback(&self, trunk: TrunkId, name: &HostPort, error: &str) -> Vec<SocketAddr> {
        let previous = self.last_good.get(name).cloned().unwrap_or_default();
        tracing::warn!(
            trunk,
            host = %name.host,
            error,
            keeping_previous = !previous.is_empty(),
            "cannot resolve trunk host"
        );
        previous
    }
}

fn names_of(lookup: &TrunkLookup) -> Vec<HostPort> {
    let mut names: Vec<HostPort> = lookup.target.iter().cloned().collect();
    names.extend(lookup.allowed_hosts.iter().map(|h| HostPort {
        host: h.host.clone(),
        port: h.port.unwrap_or(0),
    }));
    names
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use sip::Transport;

    use super::super::fake_dns::FakeDns;
    use super::super::target::AllowedHost;
    use super::*;

    fn lookup(host: &str, port: u16) -> TrunkLookup {
        TrunkLookup {
            id: 7,
            transport: Transport::Udp,
            target: Some(HostPort {
                host: host.into(),
                port,
            }),
            allowed_hosts: vec![],
        }
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime")
    }

    #[test]
    fn target_is_the_first_address_of_a_served_family() {
        let dns = Arc::new(FakeDns::default());
        dns.set(
            "sip.example.com",
            &["2001:db8::5", "203.0.113.5", "203.0.113.6"],
        );
        let mut v4_only = Resolver::new(dns.clone(), true, false);
        let got = rt().block_on(v4_only.resolve_all(&[lookup("sip.example.com", 5080)]));
        assert_eq!(
            got[0].target,
            Some(Peer {
                transport: Transport::Udp,
                addr: "203.0.113.5:5080".parse().expect("addr"),
            })
        );
        let mut both = Resolver::new(dns.clone(), true, true);
        let got = rt().block_on(both.resolve_all(&[lookup("sip.example.com", 5080)]));
        assert_eq!(
            got[0].target.map(|p| p.addr),
            Some("[2001:db8::5]:5080".parse().expect("addr"))
        );
    }

    #[test]
    fn a_failed_refresh_keeps_the_last_good_address() {
        let dns = Arc::new(FakeDns::default());
        let mut resolver = Resolver::new(dns.clone(), true, true);
        let rt = rt();
        assert_eq!(
            rt.block_on(resolver.resolve_all(&[lookup("sip.example.com", 5060)]))[0].target,
            None,
            "unknown name has no target"
        );
        dns.set("sip.example.com", &["203.0.113.5"]);
        let first = rt.block_on(resolver.resolve_all(&[lookup("sip.example.com", 5060)]));
        dns.forget("sip.example.com");
        let again = rt.block_on(resolver.resolve_all(&[lookup("sip.example.com", 5060)]));
        assert_eq!(first, again);
        assert!(again[0].target.is_some());
    }

    #[test]
    fn names_no_trunk_uses_are_forgotten() {
        let dns = Arc::new(FakeDns::default());
        dns.set("old.example.com", &["203.0.113.5"]);
        let mut resolver = Resolver::new(dns.clone(), true, true);
        let rt = rt();
        rt.block_on(resolver.resolve_all(&[lookup("old.example.com", 5060)]));
        rt.block_on(resolver.resolve_all(&[]));
        dns.forget("old.example.com");
        let got = rt.block_on(resolver.resolve_all(&[lookup("old.example.com", 5060)]));
        assert_eq!(got[0].target, None);
    }

    #[test]
    fn allowed_host_names_become_address_rules() {
        let dns = Arc::new(FakeDns::default());
        dns.set("gw.example.com", &["203.0.113.7", "2001:db8::7"]);
        dns.set("gw2.example.com", &["198.51.100.1"]);
        let mut l = lookup("gw.example.com", 5060);
        l.allowed_hosts = vec![
            AllowedHost {
                host: "gw.example.com".into(),
                port: None,
            },
            AllowedHost {
                host: "gw2.example.com".into(),
                port: Some(5070),
            },
            AllowedHost {
                host: "gone.example.com".into(),
                port: None,
            },
        ];
        let mut resolver = Resolver::new(dns.clone(), true, false);
        let got = rt().block_on(resolver.resolve_all(&[l]));
        assert_eq!(
            got[0].allowed,
            vec!["203.0.113.7", "2001:db8::7", "198.51.100.1:5070"]
        );
    }
}
