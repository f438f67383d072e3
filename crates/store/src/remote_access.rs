//! How staff outside the office reach the PBX: the office's public address (its router's,
//! which forwards the SIP and RTP ports to this PC) and the STUN server that discovers it.
//! One row (id = 1); no row means neither was set.

use rusqlite::{params, OptionalExtension};

use crate::{Result, Store};

/// Longest host name accepted (RFC 1035 §2.3.4: 255 octets for a whole name).
pub const PUBLIC_ADDRESS_MAX_LEN: usize = 253;

/// What the owner set for remote staff.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteAccess {
    /// Host name or IP address staff outside the office use; `None` until set.
    pub public_address: Option<String>,
    /// `host:port` of the STUN server used by "Discover"; `None` for the default.
    pub stun_server: Option<String>,
}

impl Store {
    /// The saved settings (both `None` when never saved).
    pub fn remote_access(&self) -> Result<RemoteAccess> {
        Ok(self
            .conn
            .query_row(
                "SELECT public_address, stun_server FROM remote_access WHERE id = 1",
                [],
                |r| {
                    Ok(RemoteAccess {
                        public_address: r.get(0)?,
                        stun_server: r.get(1)?,
                    })
                },
            )
            .optional()?
            .unwrap_or_default())
    }

    /// Replaces the settings. The caller checks the values (the API does, with field
    /// errors for the form).
    pub fn save_remote_access(&self, access: &RemoteAccess) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO remote_access (id, public_address, stun_server)
             VALUES (1, ?1, ?2)",
            params![access.public_address, access.stun_server],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_access_is_saved_and_replaced() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("open");
        assert_eq!(
            store.remote_access().expect("read"),
            RemoteAccess::default()
        );
        let first = RemoteAccess {
            public_address: Some("office.example.com".to_owned()),
            stun_server: None,
        };
        store.save_remote_access(&first).expect("save");
        assert_eq!(store.remote_access().expect("read"), first);
        let second = RemoteAccess {
            public_address: Some("203.0.113.7".to_owned()),
            stun_server: Some("127.0.0.1:3478".to_owned()),
        };
        store.save_remote_access(&second).expect("save");
        assert_eq!(store.remote_access().expect("read"), second);
    }
}
