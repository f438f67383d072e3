//! The runtime that drives the softphone's sans-IO parts with real sockets and clocks
//! (tokio): one task per account owns its SIP socket and the [`UserAgent`]'s timers, and
//! each call gets an RTP socket and a 20 ms media loop between the network,
//! [`CallMedia`] and the audio devices.
//!
//! The application holds a [`Phone`] (cheap to clone): async commands go in, and
//! [`PhoneEvent`]s come out on a broadcast channel.
//!
//! [`UserAgent`]: crate::ua::UserAgent
//! [`CallMedia`]: crate::call_media::CallMedia

mod account;
mod call_loop;
mod handle;
mod net;
mod net_watch;
mod sip_socket;
mod tls;
mod waiting_tone;

pub use handle::{Phone, PhoneEvent, PhoneOptions, RuntimeError};
pub use net::LocalIp;
pub use tls::parse_fingerprint;
