//! Whether this PC runs the office phone system or is only a phone connecting to an office
//! elsewhere (chosen on the first-run screen). A row of the `settings` table: a missing row
//! means the phone system, as it was before the choice existed.

use rusqlite::{params, OptionalExtension};

use crate::db::Store;
use crate::Result;

pub(crate) const PHONE_ONLY: &str = "phone_only";

impl Store {
    /// True when this PC is only a phone: the PBX is not started here.
    pub fn phone_only(&self) -> Result<bool> {
        Ok(self.chosen_phone_only()? == Some(true))
    }

    /// The first-run choice, or `None` while it has not been made: a new desktop install
    /// asks before it opens a SIP port, so "not asked yet" differs from "the phone system".
    pub fn chosen_phone_only(&self) -> Result<Option<bool>> {
        let value: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                [PHONE_ONLY],
                |r| r.get(0),
            )
            .optional()?;
        Ok(value.map(|v| v == "true"))
    }

    /// Records the choice. The desktop app applies it at once; `switchboard serve` at its
    /// next start.
    pub fn set_phone_only(&self, phone_only: bool, now_unix: i64) -> Result<()> {
        self.conn.execute(
            "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (key) DO UPDATE SET value = ?2, updated_at = ?3",
            params![
                PHONE_ONLY,
                if phone_only { "true" } else { "false" },
                now_unix
            ],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::Store;

    #[test]
    fn a_new_database_runs_the_phone_system_and_the_choice_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert!(!store.phone_only().unwrap());
        assert_eq!(store.chosen_phone_only().unwrap(), None, "not asked yet");
        store.set_phone_only(true, 10).unwrap();
        assert_eq!(store.chosen_phone_only().unwrap(), Some(true));
        assert!(store.phone_only().unwrap());
        // Other settings still read without complaint, and saving them keeps the choice.
        let settings = store.settings().unwrap();
        store.save_settings(&settings, 11).unwrap();
        assert!(Store::open(dir.path()).unwrap().phone_only().unwrap());
        store.set_phone_only(false, 12).unwrap();
        assert!(!store.phone_only().unwrap());
        assert_eq!(
            store.chosen_phone_only().unwrap(),
            Some(false),
            "chosen, not unasked"
        );
    }
}
