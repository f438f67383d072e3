//! A simulated office for the call-model tests: the PBX, phones built on the `sip` crate,
//! a fake RTP relay and a seeded network, all on a virtual clock.
#![allow(dead_code)]

pub mod fake_relay;
pub mod net;
pub mod sdp;
pub mod sim_phone;
pub mod transfer_office;
pub mod trunk_calls;
pub mod trunk_office;
pub mod world;

use std::net::SocketAddr;

use pbx::registrar::{Directory, DirectoryEntry, RegistrarConfig};
use pbx::{Action, CallRecord, PbxConfig};
use sip::Transport;

pub use fake_relay::FakeRelay;
pub use sim_phone::{CallState, SimPhone};
pub use world::World;

pub const REALM: &str = "office.example";
/// Where the PBX listens; its relay advertises the same IP.
pub const PBX_ADDR: &str = "192.168.1.1:5060";
/// Wall-clock seconds at the start of every test (2024-11-01).
pub const UNIX_START: u64 = 1_730_419_200;

pub fn addr(s: &str) -> SocketAddr {
    s.parse().expect("test address")
}

/// Alice (100), Bob (101) and Carol (102, who never registers a phone).
pub fn directory() -> Directory {
    [
        DirectoryEntry::with_password("100", "Alice", REALM, "alice-secret"),
        DirectoryEntry::with_password("101", "Bob", REALM, "bob-secret"),
        DirectoryEntry::with_password("102", "Carol", REALM, "carol-secret"),
    ]
    .into_iter()
    .collect()
}

pub fn config() -> PbxConfig {
    PbxConfig::new(
        vec![(Transport::Udp, addr(PBX_ADDR))],
        RegistrarConfig::new(REALM),
    )
}

/// Alice's desk phone.
pub fn alice(seed: u64) -> SimPhone {
    SimPhone::new(
        "100",
        "alice-secret",
        "192.168.1.20:5060",
        "192.168.1.20:4000",
        seed,
    )
}

/// Bob's desk phone.
pub fn bob(seed: u64) -> SimPhone {
    SimPhone::new(
        "101",
        "bob-secret",
        "192.168.1.30:5060",
        "192.168.1.30:4100",
        seed,
    )
}

/// Bob's softphone on another PC.
pub fn bob_softphone(seed: u64) -> SimPhone {
    SimPhone::new(
        "101",
        "bob-secret",
        "192.168.1.31:5062",
        "192.168.1.31:4200",
        seed,
    )
}

/// The call records among the PBX's actions.
pub fn records(actions: &[Action]) -> Vec<&CallRecord> {
    actions
        .iter()
        .filter_map(|a| match a {
            Action::CallRecord(r) => Some(r),
            _ => None,
        })
        .collect()
}
