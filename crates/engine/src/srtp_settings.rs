//! The owner's saved SRTP rules, as the PBX applies them.

use pbx::{SrtpPolicy, SrtpRequirement};
use store::{SrtpRequired, SrtpSettings};

/// The saved rules in the PBX's terms.
pub fn policy(saved: SrtpSettings) -> SrtpPolicy {
    SrtpPolicy {
        require: match saved.required {
            SrtpRequired::Off => SrtpRequirement::Off,
            SrtpRequired::Remote => SrtpRequirement::Remote,
            SrtpRequired::All => SrtpRequirement::All,
        },
        keys_over_plain_signalling: saved.keys_over_plain_signalling,
    }
}

/// The rules saved in the database, for the PBX at start (the defaults when unreadable).
pub(crate) fn load(store: &store::Store) -> SrtpPolicy {
    match store.srtp_settings() {
        Ok(saved) => policy(saved),
        Err(e) => {
            tracing::warn!(error = %e, "cannot read the SRTP settings; nothing is required");
            SrtpPolicy::default()
        }
    }
}
