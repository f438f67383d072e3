//! The softphone's account on a SIP server and the audio devices it plays and captures on.
//! One of each: the desktop app is one person's phone.

use rusqlite::{params, OptionalExtension};

use crate::{Result, Store};

/// The account the softphone registers with. The password is kept so the phone can register
/// again at every start; the API never hands it back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneAccount {
    /// `host:port`.
    pub server: String,
    /// `udp`, `tcp` or `tls`.
    pub transport: String,
    pub user: String,
    pub auth_user: Option<String>,
    pub display_name: Option<String>,
    pub password: String,
    /// For `tls`: the SHA-256 fingerprint the server's certificate must have.
    pub tls_fingerprint: Option<String>,
    /// Direct calls with one other phone, no PBX: `server` is that phone's `host:port`,
    /// nothing registers, and this PC takes calls on this UDP port. `None`: registers.
    pub direct_port: Option<u16>,
}

/// The chosen devices by name; `None` is the system's default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PhoneAudio {
    pub input: Option<String>,
    pub output: Option<String>,
}

impl Store {
    /// The saved account, if one was set up.
    pub fn phone_account(&self) -> Result<Option<PhoneAccount>> {
        Ok(self
            .conn
            .query_row(
                "SELECT server, transport, user, auth_user, display_name, password, tls_fingerprint,
                        direct_port
                 FROM phone_account WHERE id = 1",
                [],
                |r| {
                    Ok(PhoneAccount {
                        server: r.get(0)?,
                        transport: r.get(1)?,
                        user: r.get(2)?,
                        auth_user: r.get(3)?,
                        display_name: r.get(4)?,
                        password: r.get(5)?,
                        tls_fingerprint: r.get(6)?,
                        direct_port: r.get(7)?,
                    })
                },
            )
            .optional()?)
    }

    /// Replaces the account.
    pub fn save_phone_account(&self, account: &PhoneAccount) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO phone_account
             (id, server, transport, user, auth_user, display_name, password, tls_fingerprint,
              direct_port)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                account.server,
                account.transport,
                account.user,
                account.auth_user,
                account.display_name,
                account.password,
                account.tls_fingerprint,
                account.direct_port
            ],
        )?;
        Ok(())
    }

    /// Forgets the account (the devices stay chosen).
    pub fn remove_phone_account(&self) -> Result<()> {
        self.conn.execute("DELETE FROM phone_account", [])?;
        Ok(())
    }

    /// The chosen devices (both `None` when never chosen).
    pub fn phone_audio(&self) -> Result<PhoneAudio> {
        Ok(self
            .conn
            .query_row(
                "SELECT input, output FROM phone_audio WHERE id = 1",
                [],
                |r| {
                    Ok(PhoneAudio {
                        input: r.get(0)?,
                        output: r.get(1)?,
                    })
                },
            )
            .optional()?
            .unwrap_or_default())
    }

    pub fn save_phone_audio(&self, audio: &PhoneAudio) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO phone_audio (id, input, output) VALUES (1, ?1, ?2)",
            params![audio.input, audio.output],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_and_devices_are_saved_replaced_and_removed() {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open(dir.path()).expect("open");
        assert_eq!(store.phone_account().expect("read"), None);
        let mut account = PhoneAccount {
            server: "pbx.example:5060".into(),
            transport: "udp".into(),
            user: "201".into(),
            auth_user: None,
            display_name: Some("Alice".into()),
            password: "secret".into(),
            tls_fingerprint: None,
            direct_port: None,
        };
        store.save_phone_account(&account).expect("save");
        account.transport = "tls".into();
        account.tls_fingerprint = Some("AB:CD".into());
        store.save_phone_account(&account).expect("save again");
        assert_eq!(store.phone_account().expect("read"), Some(account.clone()));
        account.transport = "udp".into();
        account.tls_fingerprint = None;
        account.direct_port = Some(5070);
        store.save_phone_account(&account).expect("save direct");
        assert_eq!(store.phone_account().expect("read"), Some(account));
        store.remove_phone_account().expect("remove");
        assert_eq!(store.phone_account().expect("read"), None);

        assert_eq!(store.phone_audio().expect("read"), PhoneAudio::default());
        let audio = PhoneAudio {
            input: Some("Mic".into()),
            output: None,
        };
        store.save_phone_audio(&audio).expect("save");
        assert_eq!(store.phone_audio().expect("read"), audio);
    }
}
