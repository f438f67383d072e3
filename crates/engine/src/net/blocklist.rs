//! The sources the PBX's guard has banned, shared with the socket tasks so a banned
//! source's datagrams are dropped before they are parsed or queued for the core, and its
//! TCP and TLS connections are closed as soon as they are accepted.
//!
//! The core writes it (on each ban or lift from [`pbx::guard::Guard`]); the socket tasks
//! only read, once per datagram or connection, so a read-write lock held for a lookup is
//! all it takes.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, RwLock};
use std::time::Instant;

#[derive(Clone, Default)]
pub(crate) struct Blocklist {
    until: Arc<RwLock<HashMap<IpAddr, Instant>>>,
}

impl Blocklist {
    /// Whether anything from `source` should be dropped now. A ban past its end lets the
    /// source in even before the core has removed it.
    pub fn blocks(&self, source: IpAddr) -> bool {
        let map = self.until.read().unwrap_or_else(|p| p.into_inner());
        if map.is_empty() {
            return false;
        }
        map.get(&source.to_canonical())
            .is_some_and(|until| *until > Instant::now())
    }

    pub fn block(&self, source: IpAddr, until: Instant) {
        let mut map = self.until.write().unwrap_or_else(|p| p.into_inner());
        map.insert(source.to_canonical(), until);
    }

    pub fn unblock(&self, source: IpAddr) {
        let mut map = self.until.write().unwrap_or_else(|p| p.into_inner());
        map.remove(&source.to_canonical());
    }
}
