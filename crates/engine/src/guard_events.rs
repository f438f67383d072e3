//! What the runtime does when the guard bans a source or lets one back in: the sockets'
//! block list follows, and the log says so (addresses are personal data).

use std::time::Instant;

use pbx::guard::GuardEvent;

use crate::net::Blocklist;
use crate::personal::Personal;

pub(crate) fn apply(blocked: &Blocklist, event: GuardEvent) {
    match event {
        GuardEvent::Banned(ban) => {
            let secs = ban
                .until
                .saturating_duration_since(Instant::now())
                .as_secs();
            tracing::warn!(
                source = %Personal(&ban.address),
                reason = ban.reason.as_str(),
                strikes = ban.strikes,
                secs,
                "source banned"
            );
            blocked.block(ban.address, ban.until);
        }
        GuardEvent::Lifted(address) => {
            tracing::info!(source = %Personal(&address), "ban lifted");
            blocked.unblock(address);
        }
    }
}
