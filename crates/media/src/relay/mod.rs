//! The decisions of an RTP relay, without the sockets: which source to accept on a leg
//! and where to send that leg's media.

mod leg;

pub use leg::{LatchConfig, Leg, Verdict};
