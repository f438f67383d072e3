//! Load generator for a running `switchboard serve`: simulated phones that register, call
//! each other and exchange G.711 RTP through the PBX, measured from the outside.
//!
//! Everything talks to the PBX over UDP on the addresses it is given; nothing here starts
//! or inspects the daemon except by reading `/proc/PID` when a pid is passed.

pub mod auth;
pub mod callee;
pub mod caller;
pub mod calls;
pub mod extensions;
pub mod histogram;
pub mod media;
pub mod message;
pub mod process;
pub mod register;
pub mod relay;
pub mod retransmit;
pub mod sdp;
pub mod wire;
