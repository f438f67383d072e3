//! Connects the PBX's relay requests to the runtime's port pool: allocation happens
//! synchronously inside the PBX (the ports go into SDP at once); forwarding starts when
//! both sides' addresses are known.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};

use pbx::{MediaRelay, RelayId, Side};

use crate::relay::{self, RelayHandle, RelayPool, RelayPorts};

/// Relays allocated but not yet forwarding, shared between the PBX's allocator and the
/// core loop that applies relay actions.
type Pending = Arc<Mutex<HashMap<RelayId, PendingRelay>>>;

struct PendingRelay {
    ports: RelayPorts,
    a: Option<SocketAddr>,
    b: Option<SocketAddr>,
}

/// The [`MediaRelay`] the PBX owns.
pub(crate) struct PoolAllocator {
    pool: RelayPool,
    pending: Pending,
    next: u64,
}

impl MediaRelay for PoolAllocator {
    fn allocate(&mut self, a_ip: IpAddr, b_ip: IpAddr) -> Option<pbx::RelayPorts> {
        let ports = match self.pool.allocate_between(a_ip, b_ip) {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "RTP port allocation failed");
                return None;
            }
        };
        self.next += 1;
        let id = RelayId(self.next);
        let result = pbx::RelayPorts {
            id,
            a: ports.local_addr(relay::Side::A),
            b: ports.local_addr(relay::Side::B),
        };
        lock(&self.pending).insert(
            id,
            PendingRelay {
                ports,
                a: None,
                b: None,
            },
        );
        Some(result)
    }
}

/// Running and pending relays, driven by the PBX's actions.
pub(crate) struct Relays {
    pool: RelayPool,
    pending: Pending,
    running: HashMap<RelayId, RelayHandle>,
}

impl Relays {
    pub fn new(pool: RelayPool) -> (Relays, PoolAllocator) {
        let pending: Pending = Arc::default();
        let allocator = PoolAllocator {
            pool: pool.clone(),
            pending: pending.clone(),
            next: 0,
        };
        let relays = Relays {
            pool,
            pending,
            running: HashMap::new(),
        };
        (relays, allocator)
    }

    /// A side's phone address became known or changed.
    pub fn set_peer(&mut self, id: RelayId, side: Side, peer: SocketAddr) {
        let relay_side = match side {
            Side::A => relay::Side::A,
            Side::B => relay::Side::B,
        };
        if let Some(handle) = self.running.get(&id) {
            handle.update_peer(relay_side, peer);
            return;
        }
        let mut pending = lock(&self.pending);
        let Some(entry) = pending.get_mut(&id) else {
            return;
        };
        match side {
            Side::A => entry.a = Some(peer),
            Side::B => entry.b = Some(peer),
        }
        if let (Some(a), Some(b)) = (entry.a, entry.b) {
            let Some(entry) = pending.remove(&id) else {
                return;
            };
            drop(pending);
            match self.pool.start(entry.ports, a, b) {
                Ok(handle) => {
                    self.running.insert(id, handle);
                }
                Err(e) => tracing::warn!(error = %e, "relay did not start"),
            }
        }
    }

    pub fn close(&mut self, id: RelayId) {
        // Dropping the handle or the pending ports returns them to the pool.
        self.running.remove(&id);
        lock(&self.pending).remove(&id);
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
