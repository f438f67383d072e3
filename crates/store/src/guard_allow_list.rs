//! The owner's allow-list for the PBX's guard: addresses and networks never rate limited
//! nor banned (the office's own network, a provider's servers). One row of the `settings`
//! table, one entry a line, as typed; the API checks each entry before saving, and the
//! runtime skips (and logs) one it cannot read, so a hand-edited row never stops the PBX.

use rusqlite::{params, OptionalExtension};

use crate::{Result, Store};

const GUARD_ALLOW_LIST: &str = "guard_allow_list";

/// Most entries kept: an office lists a few networks, not thousands of hosts.
pub const ALLOW_LIST_MAX: usize = 200;

impl Store {
    /// The saved entries, in the owner's order; empty when never saved.
    pub fn guard_allow_list(&self) -> Result<Vec<String>> {
        let value: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM settings WHERE key = ?1",
                [GUARD_ALLOW_LIST],
                |r| r.get(0),
            )
            .optional()?;
        Ok(value
            .unwrap_or_default()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect())
    }

    /// Replaces the list in one write (the caller has checked every entry).
    pub fn save_guard_allow_list(&self, entries: &[String], now_unix: i64) -> Result<()> {
        let value = entries
            .iter()
            .map(|e| e.trim())
            .filter(|e| !e.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        self.conn.execute(
            "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (key) DO UPDATE SET value = ?2, updated_at = ?3",
            params![GUARD_ALLOW_LIST, value, now_unix],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allow_list_is_empty_until_saved_and_keeps_its_order() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert!(store.guard_allow_list().unwrap().is_empty());
        let list = vec!["192.0.2.0/24".to_owned(), " 2001:db8::1 ".to_owned()];
        store.save_guard_allow_list(&list, 1).unwrap();
        assert_eq!(
            store.guard_allow_list().unwrap(),
            vec!["192.0.2.0/24", "2001:db8::1"]
        );
        store.save_guard_allow_list(&[], 2).unwrap();
        assert!(store.guard_allow_list().unwrap().is_empty());
    }
}
