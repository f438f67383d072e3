//! Applies the dial plan's toll-fraud limits to a call about to leave by a trunk: counts the
//! calls out in progress and turns a refusal into the caller's 403 and the record's reason.

use super::route::Refusal;
use super::{Onward, Phase};
use crate::action::Outcome;
use crate::core::Pbx;
use crate::dialplan::{OutboundInUse, TollRefusal};

impl Pbx {
    /// Refuses `dialled` from `caller` when the toll limits say so (emergency numbers
    /// always pass). Logged as a warning: a burst of these is what toll fraud looks like.
    pub(crate) fn toll_refusal(&self, caller: &str, dialled: &str) -> Option<Refusal> {
        let in_use = self.outbound_in_use(caller);
        let unix = i64::try_from(self.unix_now).unwrap_or(i64::MAX);
        let refused = self.plan.toll_check(dialled, in_use, unix).err()?;
        tracing::warn!(
            extension = caller,
            dialled,
            reason = refused.reason(),
            "call out refused by the toll limits"
        );
        let why = match refused {
            TollRefusal::Destination => format!("{dialled} is not an allowed destination"),
            TollRefusal::OfficeLimit => format!(
                "the office already has {} outside calls",
                self.plan.toll_limits.max_outbound_calls
            ),
            TollRefusal::ExtensionLimit => format!(
                "{caller} already has {} outside calls",
                self.plan.toll_limits.max_outbound_per_extension
            ),
            TollRefusal::AfterHours => "outside calls are closed after hours".to_string(),
            TollRefusal::LimitsUnreadable => {
                "the saved toll-fraud limits cannot be read: save them again (Outbound routes)"
                    .to_string()
            }
        };
        let detail = format!("403 {}: {why}", refused.reason());
        Some(Refusal::new(
            403,
            refused.reason(),
            Outcome::Failed,
            &detail,
        ))
    }

    /// Calls out through trunks that are not over: across the office and from `caller`.
    fn outbound_in_use(&self, caller: &str) -> OutboundInUse {
        let mut in_use = OutboundInUse::default();
        for call in self.calls.values() {
            if call.phase == Phase::Ended || !matches!(call.onward, Onward::Trunks { .. }) {
                continue;
            }
            in_use.office = in_use.office.saturating_add(1);
            if call.caller_extension.as_deref() == Some(caller) {
                in_use.extension = in_use.extension.saturating_add(1);
            }
        }
        in_use
    }
}
