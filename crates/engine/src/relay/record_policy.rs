//! Hands the owner's always-on recording flags from the database to the PBX (at start and
//! whenever the database changes).

use pbx::{AlwaysRecord, Pbx};
use store::Store;

/// Reads the flags and gives them to the PBX; on a database error the PBX keeps the
/// flags it had.
pub fn sync_always_record(pbx: &mut Pbx, store: &Store) {
    match store.always_record() {
        Ok(flags) => pbx.set_always_record(AlwaysRecord {
            extensions: flags.extensions.into_iter().collect(),
            ring_groups: flags.ring_groups.into_iter().collect(),
            business_names: flags.business_names.into_iter().collect(),
        }),
        Err(e) => tracing::warn!(error = %e, "always-on recording flags could not be read"),
    }
}
