//! The runtime: owns sockets, the clock and the disk; drives the sans-IO `sip`, `media` and
//! `pbx` state machines and applies what they ask for.

mod advertise;
mod bridge;
mod cdr_writer;
mod conference;
mod core_loop;
mod forwarding;
mod guard_allow;
mod guard_events;
mod handle;
mod mail;
mod media_bridge;
pub mod media_endpoint;
pub mod music_upload;
mod net;
mod overload;
mod personal;
mod plan_sync;
mod public_address;
pub mod relay;
mod run;
mod srtp_settings;
pub mod stun;
mod trunk_net;

use std::net::SocketAddr;
use std::ops::RangeInclusive;
use std::path::PathBuf;

pub use conference::ParticipantInfo;
pub use guard_allow::own_addresses;
pub use handle::{BanInfo, Engine, EngineHandle, NotRunning, Registration, Status};
pub use net::tls_cert;
pub use pbx::{LiveCall, LiveState, Outcome, PbxEvent, TrunkState, TrunkStatus};
pub use personal::redact_personal_data;
pub use public_address::resolve_public_address;
pub(crate) use run::load_directory;
pub use run::{run, start};
pub use srtp_settings::policy as srtp_policy;

/// What `switchboard serve` needs to run the PBX.
#[derive(Debug, Clone)]
pub struct Config {
    /// Folder holding the database and audio files.
    pub data_dir: PathBuf,
    /// Each address is served over both UDP and TCP (IPv4 and IPv6 alike).
    pub listen: Vec<SocketAddr>,
    /// Each address is served over SIP over TLS (RFC 3261 §26.3.1), usually port 5061;
    /// empty: no TLS. The certificate comes from [`tls_cert::load_or_create`].
    pub tls_listen: Vec<SocketAddr>,
    /// UDP ports the RTP relay may use; each relayed call takes two.
    pub rtp_ports: RangeInclusive<u16>,
    /// Digest realm presented to phones.
    pub realm: String,
}

/// Why the PBX could not start or had to stop.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("cannot listen on {0}: {1}")]
    Bind(SocketAddr, #[source] std::io::Error),
    #[error("database: {0}")]
    Store(#[from] store::Error),
    #[error("tls certificate: {0}")]
    Tls(#[from] tls_cert::TlsCertError),
}
