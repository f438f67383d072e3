//! Trunks at run time: registering with providers (RFC 3261 §10.2, retries per
//! RFC 5626 §4.5), telling which trunk an inbound call came from, and counting the
//! channels in use. The dial plan says what the trunks are; this says how they are.

mod account;
mod answer;
mod backoff;
mod glue;
mod nat;
mod registration;
mod status;
mod trunks;

#[cfg(test)]
mod tests;

pub use status::{TrunkState, TrunkStatus};
pub(crate) use trunks::Trunks;
