//! What can be wrong with a dial plan or a piece of it.

use serde::{Deserialize, Serialize};

/// A value in the dial plan that cannot be used as it is. Every one of these is the owner's
/// configuration at fault, never the network's: [`super::DialPlan::validate`] refuses a plan
/// that would produce one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DialPlanError {
    #[error("not an address or address range: {0}")]
    BadAddress(String),
    #[error("not an address, address range or host name: {0}")]
    BadAllowedEntry(String),
    #[error("unknown time zone: {0}")]
    BadTimeZone(String),
    #[error("not a time of day (HH:MM): {0}")]
    BadTime(String),
    #[error("not a date (YYYY-MM-DD): {0}")]
    BadDate(String),
    #[error("not a dial pattern: {0}")]
    BadPattern(String),
    #[error("time out of range: {0}")]
    BadInstant(i64),
}

/// One problem found by [`super::DialPlan::validate`], addressed to the field that holds it
/// (`names.3.number`: the fourth business name's number) so a form can show it in place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanIssue {
    pub field: String,
    pub message: String,
}

impl PlanIssue {
    pub(crate) fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        PlanIssue {
            field: field.into(),
            message: message.into(),
        }
    }
}
