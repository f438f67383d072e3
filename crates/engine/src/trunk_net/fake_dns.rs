//! A DNS that answers from a table, for tests.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use super::resolve::Dns;

/// A name missing from the table fails like NXDOMAIN.
#[derive(Default)]
pub(crate) struct FakeDns {
    table: Mutex<HashMap<String, Vec<IpAddr>>>,
}

impl FakeDns {
    pub fn set(&self, host: &str, ips: &[&str]) {
        let ips = ips.iter().map(|s| s.parse().expect("ip")).collect();
        self.table
            .lock()
            .expect("lock")
            .insert(host.to_owned(), ips);
    }

    pub fn forget(&self, host: &str) {
        self.table.lock().expect("lock").remove(host);
    }
}

impl Dns for Arc<FakeDns> {
    async fn lookup(&self, host: &str, port: u16) -> io::Result<Vec<SocketAddr>> {
        let found = self.table.lock().expect("lock").get(host).cloned();
        match found {
            Some(ips) => Ok(ips
                .into_iter()
                .map(|ip| SocketAddr::new(ip, port))
                .collect()),
            None => Err(io::Error::new(io::ErrorKind::NotFound, "no such host")),
        }
    }
}
