//! What the owner sees about each trunk: its registration status and line usage.

use serde::{Deserialize, Serialize};

use crate::dialplan::TrunkId;

/// A trunk's state as the API and UI show it. Durations are whole seconds as of the
/// latest change (the event that carried it), not counted down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TrunkStatus {
    /// Switched off by the owner: no registration, no calls.
    Disabled,
    /// IP-authenticated: nothing to register; calls are accepted from its addresses.
    Ip,
    /// Waiting for the provider's host name to be resolved.
    Resolving,
    /// A REGISTER is on its way and no registration is in place yet.
    Registering,
    /// The provider accepted the registration for `expires_in` seconds; it is refreshed
    /// well before that.
    Registered { expires_in: u64 },
    /// The last attempt failed (`reason` in plain words, with the provider's answer);
    /// the next one is in `retry_in` seconds.
    Failing { reason: String, retry_in: u64 },
    /// The provider refused the credentials. Retrying would look like an attack to the
    /// provider, so nothing more is sent until the trunk is changed.
    Rejected { reason: String },
}

/// One trunk for the dashboard: status and "2 of 3 lines busy".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrunkState {
    pub id: TrunkId,
    pub name: String,
    pub status: TrunkStatus,
    pub lines_in_use: u32,
    pub channels: u32,
}
