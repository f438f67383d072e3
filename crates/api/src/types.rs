//! Shapes shared by several commands and events, as the screens see them. They are the
//! API's own, not the store's or the PBX's, so those can change without breaking the UI.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// An extension, with the phones registered to it right now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Extension {
    /// 2 to 10 digits; also the phones' SIP user name.
    pub number: String,
    pub name: String,
    /// Unix seconds.
    pub created_at: i64,
    /// At least one phone is registered.
    pub registered: bool,
    /// May call out through the trunks (emergency numbers are always allowed).
    pub outbound_allowed: bool,
    /// Its calls are always encrypted (SRTP); false: as the office rule says (Settings).
    pub srtp_required: bool,
    pub devices: Vec<Device>,
}

/// A phone registered to an extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct Device {
    pub extension: String,
    /// The SIP contact the phone registered.
    pub contact: String,
    /// Where its packets come from (differs from the contact behind NAT).
    pub address: String,
    pub transport: Transport,
    pub user_agent: Option<String>,
    /// Seconds until the registration lapses unless the phone refreshes it.
    pub expires_in: u64,
}

impl From<engine::Registration> for Device {
    fn from(r: engine::Registration) -> Device {
        Device {
            extension: r.extension,
            contact: r.contact,
            address: r.source.to_string(),
            transport: r.transport.into(),
            user_agent: r.user_agent,
            expires_in: r.expires_in,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Transport {
    Udp,
    Tcp,
    Tls,
}

impl From<sip::Transport> for Transport {
    fn from(t: sip::Transport) -> Transport {
        match t {
            sip::Transport::Udp => Transport::Udp,
            sip::Transport::Tcp => Transport::Tcp,
            sip::Transport::Tls => Transport::Tls,
        }
    }
}

/// How a call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Answered,
    /// Every phone called was busy.
    Busy,
    /// It rang and nobody answered.
    NoAnswer,
    /// The extension exists but no phone was registered or reachable.
    Unavailable,
    /// The number dialled matched nothing.
    NotFound,
    /// The caller hung up before anyone answered.
    Cancelled,
    Failed,
}

impl From<pbx::Outcome> for Outcome {
    fn from(o: pbx::Outcome) -> Outcome {
        match o {
            pbx::Outcome::Answered => Outcome::Answered,
            pbx::Outcome::Busy => Outcome::Busy,
            pbx::Outcome::NoAnswer => Outcome::NoAnswer,
            pbx::Outcome::Unavailable => Outcome::Unavailable,
            pbx::Outcome::NotFound => Outcome::NotFound,
            pbx::Outcome::Cancelled => Outcome::Cancelled,
            pbx::Outcome::Failed => Outcome::Failed,
        }
    }
}

impl From<store::Outcome> for Outcome {
    fn from(o: store::Outcome) -> Outcome {
        match o {
            store::Outcome::Answered => Outcome::Answered,
            store::Outcome::Busy => Outcome::Busy,
            store::Outcome::NoAnswer => Outcome::NoAnswer,
            store::Outcome::Unavailable => Outcome::Unavailable,
            store::Outcome::NotFound => Outcome::NotFound,
            store::Outcome::Cancelled => Outcome::Cancelled,
            store::Outcome::Failed => Outcome::Failed,
        }
    }
}

impl From<Outcome> for store::Outcome {
    fn from(o: Outcome) -> store::Outcome {
        match o {
            Outcome::Answered => store::Outcome::Answered,
            Outcome::Busy => store::Outcome::Busy,
            Outcome::NoAnswer => store::Outcome::NoAnswer,
            Outcome::Unavailable => store::Outcome::Unavailable,
            Outcome::NotFound => store::Outcome::NotFound,
            Outcome::Cancelled => store::Outcome::Cancelled,
            Outcome::Failed => store::Outcome::Failed,
        }
    }
}

/// A trunk's live state: the status line and "2 of 3 lines busy".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct TrunkState {
    pub id: i64,
    pub name: String,
    pub status: TrunkStatus,
    pub lines_in_use: u32,
    pub channels: u32,
}

/// What a trunk is doing, for the owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TrunkStatus {
    /// Switched off by the owner.
    Disabled,
    /// IP mode: nothing to sign in to; calls are taken from the trunk's addresses.
    Ip,
    /// Looking up the provider's address.
    Resolving,
    /// Signing in to the provider.
    Registering,
    /// Signed in; renewed before `expires_in` seconds pass.
    Registered { expires_in: u64 },
    /// Signing in failed; tries again in `retry_in` seconds.
    Failing { reason: String, retry_in: u64 },
    /// The provider refused the credentials: no more attempts until the trunk is saved
    /// again (retrying would look like an attack to the provider).
    Rejected { reason: String },
}

/// Which way a call went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Between the office's phones.
    Internal,
    /// From outside, through a trunk.
    Inbound,
    /// To outside, through a trunk.
    Outbound,
}

impl From<pbx::Direction> for Direction {
    fn from(d: pbx::Direction) -> Direction {
        match d {
            pbx::Direction::Internal => Direction::Internal,
            pbx::Direction::Inbound => Direction::Inbound,
            pbx::Direction::Outbound => Direction::Outbound,
        }
    }
}

impl From<store::Direction> for Direction {
    fn from(d: store::Direction) -> Direction {
        match d {
            store::Direction::Internal => Direction::Internal,
            store::Direction::Inbound => Direction::Inbound,
            store::Direction::Outbound => Direction::Outbound,
        }
    }
}

impl From<Direction> for store::Direction {
    fn from(d: Direction) -> store::Direction {
        match d {
            Direction::Internal => store::Direction::Internal,
            Direction::Inbound => store::Direction::Inbound,
            Direction::Outbound => store::Direction::Outbound,
        }
    }
}

impl From<pbx::TrunkState> for TrunkState {
    fn from(s: pbx::TrunkState) -> TrunkState {
        TrunkState {
            id: s.id,
            name: s.name,
            status: match s.status {
                pbx::TrunkStatus::Disabled => TrunkStatus::Disabled,
                pbx::TrunkStatus::Ip => TrunkStatus::Ip,
                pbx::TrunkStatus::Resolving => TrunkStatus::Resolving,
                pbx::TrunkStatus::Registering => TrunkStatus::Registering,
                pbx::TrunkStatus::Registered { expires_in } => {
                    TrunkStatus::Registered { expires_in }
                }
                pbx::TrunkStatus::Failing { reason, retry_in } => {
                    TrunkStatus::Failing { reason, retry_in }
                }
                pbx::TrunkStatus::Rejected { reason } => TrunkStatus::Rejected { reason },
            },
            lines_in_use: s.lines_in_use,
            channels: s.channels,
        }
    }
}
