//! The PBX's decisions: registrar/location and the B2BUA call model. Sans-IO: the runtime
//! feeds it datagrams and the time and applies what it asks for.

pub mod action;
mod call;
pub mod config;
mod core;
pub mod dialplan;
pub mod feature_codes;
pub mod guard;
pub mod media_endpoint;
pub mod media_relay;
mod mwi;
pub mod registrar;
mod srtp_policy;
pub mod trunk;
mod util;

pub use action::{
    Action, CallRecord, Direction, HangupBy, MediaSource, Outcome, PbxEvent, Side,
    VoicemailRecording,
};
pub use call::Forwarding;
pub use call::{AlwaysRecord, RecordingInfo, RecordingTrigger};
pub use call::{ConferenceJoin, ConferenceRoom};
pub use call::{LiveCall, LiveState, DEFAULT_MAX_MESSAGE, DEFAULT_SILENCE, RECORDINGS_DIR};
pub use config::PbxConfig;
pub use core::Pbx;
pub use media_endpoint::{EndpointId, EndpointPort, EndpointSrtp, EndpointUse, MediaEndpoints};
pub use media_relay::{MediaRelay, RelayId, RelayPorts};
pub use mwi::{message_summary, MESSAGE_SUMMARY};
pub use srtp_policy::{SrtpPolicy, SrtpRequirement};
pub use trunk::{TrunkState, TrunkStatus};
