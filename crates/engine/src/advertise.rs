//! The addresses the PBX writes into Via, Contact and SDP. An explicit listen address is
//! advertised as it is. A wildcard (0.0.0.0, ::) cannot be: it stands for whichever
//! interface currently routes to the internet, found with a UDP `connect` that sends
//! nothing. That interface changes when the PC moves to another network or was offline
//! at start (loopback is advertised then), so the answer is looked up again whenever the
//! network watcher reports a change.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use sip::Transport;

/// Documentation addresses (RFC 5737, RFC 3849) that stand for "the internet" when
/// asking the operating system which local address it would send from.
const PROBE_V4: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)), 9);
const PROBE_V6: SocketAddr = SocketAddr::new(
    IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1)),
    9,
);

/// Asks which local address the operating system would send from towards a target
/// (`None`: no route there).
pub(crate) type Probe = Box<dyn Fn(SocketAddr) -> Option<IpAddr> + Send>;

/// What the PBX advertises, and how to find it again.
pub(crate) struct Advertised {
    /// Each address we listen on (possibly a wildcard), with the port actually bound.
    listens: Vec<SocketAddr>,
    /// Each address we take SIP over TLS on (possibly a wildcard), with the port bound.
    tls: Vec<SocketAddr>,
    probe: Probe,
    current: Vec<(Transport, SocketAddr)>,
}

impl Advertised {
    /// Works out the addresses to advertise for `listens` (as bound) now.
    pub fn new(listens: Vec<SocketAddr>, probe: Probe) -> Advertised {
        let current = addresses(&listens, &[], &probe);
        Advertised {
            listens,
            tls: Vec::new(),
            probe,
            current,
        }
    }

    /// Adds the addresses served over TLS (advertised as `TLS` in Via and Contact).
    pub fn with_tls(mut self, tls: Vec<SocketAddr>) -> Advertised {
        self.current = addresses(&self.listens, &tls, &self.probe);
        self.tls = tls;
        self
    }

    /// The addresses for [`pbx::PbxConfig::local`]: each listen address over UDP and TCP.
    pub fn current(&self) -> &[(Transport, SocketAddr)] {
        &self.current
    }

    /// Looks again after a network change; the new addresses when they differ.
    pub fn refresh(&mut self) -> Option<&[(Transport, SocketAddr)]> {
        let now = addresses(&self.listens, &self.tls, &self.probe);
        if now == self.current {
            return None;
        }
        self.current = now;
        Some(&self.current)
    }
}

fn addresses(
    listens: &[SocketAddr],
    tls: &[SocketAddr],
    probe: &Probe,
) -> Vec<(Transport, SocketAddr)> {
    let advertised =
        |listen: &SocketAddr| SocketAddr::new(advertised_ip(listen.ip(), probe), listen.port());
    listens
        .iter()
        .flat_map(|listen| {
            let a = advertised(listen);
            [(Transport::Udp, a), (Transport::Tcp, a)]
        })
        .chain(
            tls.iter()
                .map(|listen| (Transport::Tls, advertised(listen))),
        )
        .collect()
}

/// A listen address itself, or for a wildcard the local address towards the internet,
/// falling back to loopback while there is no route (offline).
fn advertised_ip(listen: IpAddr, probe: &Probe) -> IpAddr {
    if !listen.is_unspecified() {
        return listen;
    }
    let (target, loopback) = match listen {
        IpAddr::V4(_) => (PROBE_V4, IpAddr::V4(Ipv4Addr::LOCALHOST)),
        IpAddr::V6(_) => (PROBE_V6, IpAddr::V6(Ipv6Addr::LOCALHOST)),
    };
    probe(target)
        .filter(|ip| !ip.is_unspecified() && ip.is_ipv4() == listen.is_ipv4())
        .unwrap_or(loopback)
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use super::*;

    fn a(s: &str) -> SocketAddr {
        s.parse().expect("addr")
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    /// The local address towards the internet over IPv4 and over IPv6 (`None`: no route).
    type Routes = Arc<Mutex<(Option<IpAddr>, Option<IpAddr>)>>;

    /// A probe answering from a route table the test changes as the network moves.
    fn routes() -> (Probe, Routes) {
        let table = Arc::new(Mutex::new((None, None)));
        let shared = Arc::clone(&table);
        let probe: Probe = Box::new(move |target: SocketAddr| {
            let (v4, v6) = *shared.lock().expect("routes");
            if target.is_ipv4() {
                v4
            } else {
                v6
            }
        });
        (probe, table)
    }

    fn both(addr: &str) -> Vec<(Transport, SocketAddr)> {
        vec![(Transport::Udp, a(addr)), (Transport::Tcp, a(addr))]
    }

    #[test]
    fn a_wildcard_follows_the_network_and_an_explicit_address_never_moves() {
        let (probe, table) = routes();
        *table.lock().expect("routes") = (Some(ip("192.168.1.23")), Some(ip("2001:db8:5::23")));
        let listens = vec![a("0.0.0.0:5060"), a("[::]:5060"), a("127.0.0.1:5070")];
        let mut advertised = Advertised::new(listens, probe);
        let mut expected = both("192.168.1.23:5060");
        expected.extend(both("[2001:db8:5::23]:5060"));
        expected.extend(both("127.0.0.1:5070"));
        assert_eq!(advertised.current(), expected.as_slice());

        // Nothing moved: nothing to tell the PBX.
        assert_eq!(advertised.refresh(), None);

        // Wi-Fi to tethering: a new IPv4 address, no IPv6 route any more.
        *table.lock().expect("routes") = (Some(ip("172.20.10.2")), None);
        let mut expected = both("172.20.10.2:5060");
        expected.extend(both("[::1]:5060"));
        expected.extend(both("127.0.0.1:5070"));
        assert_eq!(advertised.refresh(), Some(expected.as_slice()));
        assert_eq!(advertised.current(), expected.as_slice());
    }

    #[test]
    fn started_offline_advertises_loopback_until_the_network_comes() {
        let (probe, table) = routes();
        let mut advertised = Advertised::new(vec![a("0.0.0.0:5080")], probe);
        assert_eq!(advertised.current(), both("127.0.0.1:5080").as_slice());
        assert_eq!(advertised.refresh(), None);

        *table.lock().expect("routes") = (Some(ip("10.0.0.8")), None);
        assert_eq!(advertised.refresh(), Some(both("10.0.0.8:5080").as_slice()));
    }

    #[test]
    fn a_probe_answering_in_the_wrong_family_is_not_advertised() {
        let probe: Probe = Box::new(|_| Some(ip("192.168.1.23")));
        let advertised = Advertised::new(vec![a("[::]:5060")], probe);
        assert_eq!(advertised.current(), both("[::1]:5060").as_slice());
    }
}
