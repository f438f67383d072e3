//! What can be wrong with a dial plan or a piece of it.

use serde::{Deserialize, Serialize};

/// A value in the dial plan that cannot be used as it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DialPlanError {
    #[error("not an address, address range or host name: {0}")]
    BadAddress(String),
    #[error("unknown time zone: {0}")]
    BadTimeZone(String),
    #[error("not a time of day (HH:MM): {0}")]
    BadTime(String),
    #[error("not a date (YYYY-MM-DD): {0}")]
    BadDate(String),
    #[error("time out of range")]
    BadInstant,
}

/// One problem found by [`super::DialPlan::validate`], addressed to the field that holds it
/// (`names.3.number`: the fourth business name's number) so a form can show it in place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanIssue {
    pub field: String,
    pub message: String,
}
