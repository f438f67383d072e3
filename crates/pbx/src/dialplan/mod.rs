//! Inbound routes and outbound routes: which trunk a call came from, which business name
//! it called and where it should ring; which trunk an outgoing number leaves by.
//!
//! Everything here is pure: functions of the plan, the dialled string and, for business
//! hours, the wall-clock time passed in as Unix seconds.

mod address;
mod error;
mod hours;
mod model;
mod names;
mod number;
mod pattern;
mod route;
mod toll;
mod validate;
mod validate_graph;
mod validate_trunks;

pub use address::{parse_allowed, AddressRule, AllowedEntry};
pub use error::{DialPlanError, PlanIssue};
pub use model::*;
pub use names::{
    default_label, parse_name_list, parse_name_list_numbered, LineError, NameListEntry,
};
pub use number::{is_dialable, normalize_number};
pub use pattern::pattern_matches;
pub use route::{RingStep, Terminal};
pub use toll::{OutboundInUse, TollLimits, TollRefusal};
