//! The owner's SRTP rules, two rows of the `settings` table.

use rusqlite::params;

use crate::{Result, Store};

pub(crate) const SRTP_REQUIRED: &str = "srtp_required";
pub(crate) const SRTP_KEYS_OVER_PLAIN: &str = "srtp_keys_over_plain_signalling";

/// Which phones must encrypt their calls (SRTP).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SrtpRequired {
    #[default]
    Off,
    /// Phones calling from outside the office's network.
    Remote,
    All,
}

impl SrtpRequired {
    pub fn as_str(self) -> &'static str {
        match self {
            SrtpRequired::Off => "off",
            SrtpRequired::Remote => "remote",
            SrtpRequired::All => "all",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "off" => Some(SrtpRequired::Off),
            "remote" => Some(SrtpRequired::Remote),
            "all" => Some(SrtpRequired::All),
            _ => None,
        }
    }
}

/// The saved rules; defaults (nothing required, keys over TLS only) when never saved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SrtpSettings {
    pub required: SrtpRequired,
    /// SDES keys accepted over UDP/TCP signalling too (RFC 4568 §8.3 warns against it).
    pub keys_over_plain_signalling: bool,
}

impl Store {
    pub fn srtp_settings(&self) -> Result<SrtpSettings> {
        let mut settings = SrtpSettings::default();
        let mut stmt = self
            .conn
            .prepare("SELECT key, value FROM settings WHERE key IN (?1, ?2)")?;
        let rows = stmt.query_map(params![SRTP_REQUIRED, SRTP_KEYS_OVER_PLAIN], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })?;
        for row in rows {
            let (key, value) = row?;
            if key == SRTP_REQUIRED {
                settings.required = SrtpRequired::parse(&value).unwrap_or_default();
            } else {
                settings.keys_over_plain_signalling = value == "true";
            }
        }
        Ok(settings)
    }

    pub fn save_srtp_settings(&self, settings: &SrtpSettings, now_unix: i64) -> Result<()> {
        let rows = [
            (SRTP_REQUIRED, settings.required.as_str()),
            (
                SRTP_KEYS_OVER_PLAIN,
                if settings.keys_over_plain_signalling {
                    "true"
                } else {
                    "false"
                },
            ),
        ];
        let tx = self.conn.unchecked_transaction()?;
        for (key, value) in rows {
            tx.execute(
                "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET value = ?2, updated_at = ?3",
                params![key, value, now_unix],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srtp_settings_default_to_nothing_required_and_are_saved() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.srtp_settings().unwrap(), SrtpSettings::default());
        let saved = SrtpSettings {
            required: SrtpRequired::Remote,
            keys_over_plain_signalling: true,
        };
        store.save_srtp_settings(&saved, 1).unwrap();
        assert_eq!(store.srtp_settings().unwrap(), saved);
        // The general settings still read without complaint.
        assert!(store.settings().is_ok());
    }
}
