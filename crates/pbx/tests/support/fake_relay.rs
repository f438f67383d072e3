//! A [`MediaRelay`] that binds nothing: it hands out made-up port pairs and keeps a
//! shared log of them so a test can check SDP and relay actions against the real values.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use pbx::{MediaRelay, RelayId, RelayPorts};

/// Port pairs from 30000 upwards; `a` for the caller's side, `b` for the callee's.
#[derive(Debug, Default)]
pub struct FakeRelay {
    next: u64,
    log: Arc<Mutex<Vec<RelayPorts>>>,
}

impl FakeRelay {
    /// A relay and the log of every pair it will allocate.
    pub fn new() -> (FakeRelay, Arc<Mutex<Vec<RelayPorts>>>) {
        let relay = FakeRelay::default();
        let log = Arc::clone(&relay.log);
        (relay, log)
    }
}

impl MediaRelay for FakeRelay {
    fn allocate(&mut self, a_ip: IpAddr, b_ip: IpAddr) -> Option<RelayPorts> {
        let n = self.next;
        self.next += 1;
        let base = u16::try_from(30_000 + 4 * n).ok()?;
        let ports = RelayPorts {
            id: RelayId(n + 1),
            a: SocketAddr::new(a_ip, base),
            b: SocketAddr::new(b_ip, base + 2),
        };
        self.log.lock().ok()?.push(ports);
        Some(ports)
    }
}
