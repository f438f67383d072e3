//! SIP trunks to providers. The password is stored as typed: digest authentication towards
//! the provider needs it (RFC 7616 §3.4.2 hashes it with the provider's realm, known only
//! from its challenge), and the database file is the owner's own.

use pbx::dialplan::{DtmfMode, Trunk, TrunkAuth, TrunkId, TrunkTransport};
use rand::rngs::OsRng;
use rand::Rng;
use rusqlite::{params, Connection, ErrorCode, OptionalExtension, Row};

use crate::destination::{self, bad_column};
use crate::{Error, Result, Store};

/// Characters of a generated contact user: lower-case letters and digits survive every
/// provider's URI handling and case folding.
const CONTACT_USER_ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// Length of a generated contact user: 20 characters of 36, about 103 bits, so nobody can
/// guess the Request-URI that reaches the office as a trunk call.
pub const CONTACT_USER_LEN: usize = 20;

const COLUMNS: &str = "id, name, enabled, host, port, transport, outbound_proxy, auth_mode,
    username, password, auth_username, contact_user, expires, allowed, channels, codecs, dtmf,
    from_user, caller_id, trust_pai, overflow_kind, overflow_target, default_kind, default_target";

const MODE_REGISTRATION: &str = "registration";
const MODE_IP: &str = "ip";

impl Store {
    /// All trunks, in the order they were created.
    pub fn trunks(&self) -> Result<Vec<Trunk>> {
        trunks_on(&self.conn)
    }

    /// The trunk with this id, if any.
    pub fn trunk(&self, id: TrunkId) -> Result<Option<Trunk>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {COLUMNS} FROM trunks WHERE id = ?1"),
                [id],
                from_row,
            )
            .optional()?)
    }

    /// Saves a trunk: `id` 0 creates one, any other id replaces that trunk. A registration
    /// trunk saved with an empty `contact_user` keeps the one it had, or gets a generated
    /// one when it never had one. Refuses overflow and default destinations that name
    /// nothing, and a contact user another trunk has. Returns the trunk's id.
    pub fn save_trunk(&self, trunk: &Trunk) -> Result<TrunkId> {
        let tx = self.write_tx()?;
        if let Some(overflow) = &trunk.overflow {
            destination::check_exists(&tx, "overflow", overflow)?;
        }
        destination::check_exists(&tx, "default_destination", &trunk.default_destination)?;
        if let TrunkAuth::Registration { contact_user, .. } = &trunk.auth {
            if !is_contact_user(contact_user) {
                return Err(Error::field(
                    "contact_user",
                    "use up to 64 letters, digits, dots, dashes or underscores",
                ));
            }
        }
        let previous_contact: Option<String> = if trunk.id == 0 {
            None
        } else {
            tx.query_row(
                "SELECT contact_user FROM trunks WHERE id = ?1",
                [trunk.id],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("trunk {}", trunk.id)))?
        };
        let mut auth = Auth::from(&trunk.auth);
        if auth.mode == MODE_REGISTRATION && auth.contact_user.as_deref().unwrap_or("").is_empty() {
            auth.contact_user = Some(
                previous_contact
                    .filter(|c| !c.is_empty())
                    .unwrap_or_else(generate_contact_user),
            );
        }
        let (overflow_kind, overflow_target) = destination::encode_opt(trunk.overflow.as_ref());
        let (default_kind, default_target) = destination::encode(&trunk.default_destination);
        // One statement for both cases: ?1 is NULL for a new trunk (SQLite picks the id), and
        // an UPDATE keeps the row, so business names and routes stay attached to it.
        let sql = if trunk.id == 0 {
            format!(
                "INSERT INTO trunks ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,
                 ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24)"
            )
        } else {
            let sets: Vec<String> = COLUMNS
                .split(',')
                .map(str::trim)
                .enumerate()
                .skip(1)
                .map(|(i, col)| format!("{col} = ?{}", i + 1))
                .collect();
            format!("UPDATE trunks SET {} WHERE id = ?1", sets.join(", "))
        };
        let id = (trunk.id != 0).then_some(trunk.id);
        let written = tx.execute(
            &sql,
            params![
                id,
                trunk.name,
                trunk.enabled,
                trunk.host,
                trunk.port,
                transport_str(trunk.transport),
                trunk.outbound_proxy,
                auth.mode,
                auth.username,
                auth.password,
                auth.auth_username,
                auth.contact_user,
                auth.expires,
                to_json(&auth.allowed),
                trunk.channels,
                to_json(&trunk.codecs),
                dtmf_str(trunk.dtmf),
                trunk.from_user,
                trunk.caller_id,
                trunk.trust_pai,
                overflow_kind,
                overflow_target,
                default_kind,
                default_target,
            ],
        );
        match written {
            Ok(_) => {}
            // The only unique column besides the id is the contact user.
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == ErrorCode::ConstraintViolation =>
            {
                return Err(Error::field(
                    "contact_user",
                    "another trunk already uses this contact user",
                ));
            }
            Err(e) => return Err(e.into()),
        }
        let id = id.unwrap_or_else(|| tx.last_insert_rowid());
        tx.commit()?;
        Ok(id)
    }

    /// Deletes a trunk. Refused while a business name or an outbound route uses it.
    pub fn remove_trunk(&self, id: TrunkId) -> Result<()> {
        let tx = self.write_tx()?;
        let name: String = tx
            .query_row("SELECT name FROM trunks WHERE id = ?1", [id], |r| r.get(0))
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("trunk {id}")))?;
        let mut by = Vec::new();
        let mut stmt = tx.prepare(
            "SELECT 'business name ' || name FROM business_names WHERE trunk = ?1
             UNION ALL
             SELECT DISTINCT 'outbound route \"' || r.name || '\"'
               FROM outbound_route_trunks t JOIN outbound_routes r ON r.id = t.route_id
              WHERE t.trunk_id = ?1",
        )?;
        for row in stmt.query_map([id], |r| r.get::<_, String>(0))? {
            by.push(row?);
        }
        drop(stmt);
        destination::refuse_if_used(format!("trunk \"{name}\""), by)?;
        tx.execute("DELETE FROM trunks WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(())
    }
}

/// All trunks on `conn` (the store's connection or an open transaction), oldest first.
pub(crate) fn trunks_on(conn: &Connection) -> Result<Vec<Trunk>> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM trunks ORDER BY id"))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A fresh contact user from the operating system's CSPRNG.
pub fn generate_contact_user() -> String {
    let mut rng = OsRng;
    (0..CONTACT_USER_LEN)
        .map(|_| {
            let i = rng.gen_range(0..CONTACT_USER_ALPHABET.len());
            char::from(CONTACT_USER_ALPHABET[i])
        })
        .collect()
}

/// The contact user becomes the user part of a SIP URI in Contact and in the provider's
/// Request-URIs: keep to characters that need no escaping there (RFC 3261 §25.1
/// `unreserved`, minus the marks some providers mangle). Empty means "generate one".
fn is_contact_user(s: &str) -> bool {
    s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// [`TrunkAuth`] flattened into its columns.
struct Auth {
    mode: &'static str,
    username: Option<String>,
    password: Option<String>,
    auth_username: Option<String>,
    contact_user: Option<String>,
    expires: Option<u32>,
    allowed: Vec<String>,
}

impl From<&TrunkAuth> for Auth {
    fn from(auth: &TrunkAuth) -> Self {
        match auth {
            TrunkAuth::Registration {
                username,
                password,
                auth_username,
                contact_user,
                expires,
            } => Auth {
                mode: MODE_REGISTRATION,
                username: Some(username.clone()),
                password: Some(password.clone()),
                auth_username: auth_username.clone(),
                contact_user: Some(contact_user.clone()),
                expires: Some(*expires),
                allowed: Vec::new(),
            },
            TrunkAuth::Ip { allowed } => Auth {
                mode: MODE_IP,
                username: None,
                password: None,
                auth_username: None,
                contact_user: None,
                expires: None,
                allowed: allowed.clone(),
            },
        }
    }
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Trunk> {
    let mode: String = row.get(7)?;
    let auth = match mode.as_str() {
        MODE_REGISTRATION => TrunkAuth::Registration {
            username: row.get::<_, Option<String>>(8)?.unwrap_or_default(),
            password: row.get::<_, Option<String>>(9)?.unwrap_or_default(),
            auth_username: row.get(10)?,
            contact_user: row.get::<_, Option<String>>(11)?.unwrap_or_default(),
            expires: row.get::<_, Option<u32>>(12)?.unwrap_or_default(),
        },
        MODE_IP => TrunkAuth::Ip {
            allowed: from_json(row, 13)?,
        },
        other => return Err(bad_column(7, other)),
    };
    let transport: String = row.get(5)?;
    let dtmf: String = row.get(16)?;
    Ok(Trunk {
        id: row.get(0)?,
        name: row.get(1)?,
        enabled: row.get(2)?,
        host: row.get(3)?,
        port: row.get(4)?,
        transport: parse_transport(&transport).ok_or_else(|| bad_column(5, &transport))?,
        outbound_proxy: row.get(6)?,
        auth,
        channels: row.get(14)?,
        codecs: from_json(row, 15)?,
        dtmf: parse_dtmf(&dtmf).ok_or_else(|| bad_column(16, &dtmf))?,
        from_user: row.get(17)?,
        caller_id: row.get(18)?,
        trust_pai: row.get(19)?,
        overflow: destination::decode_opt(row, 20)?,
        default_destination: destination::decode(row, 22)?,
    })
}

/// A list of strings as a JSON array (lists nothing else refers to).
pub(crate) fn to_json(list: &[String]) -> String {
    // Serialising strings cannot fail; an empty array is the harmless fallback.
    serde_json::to_string(list).unwrap_or_else(|_| "[]".to_owned())
}

/// Reads a JSON array of strings from column `col`.
pub(crate) fn from_json(row: &Row<'_>, col: usize) -> rusqlite::Result<Vec<String>> {
    let text: String = row.get(col)?;
    serde_json::from_str(&text).map_err(|_| bad_column(col, &text))
}

fn transport_str(t: TrunkTransport) -> &'static str {
    match t {
        TrunkTransport::Udp => "udp",
        TrunkTransport::Tcp => "tcp",
    }
}

fn parse_transport(s: &str) -> Option<TrunkTransport> {
    match s {
        "udp" => Some(TrunkTransport::Udp),
        "tcp" => Some(TrunkTransport::Tcp),
        _ => None,
    }
}

fn dtmf_str(d: DtmfMode) -> &'static str {
    match d {
        DtmfMode::Rfc4733 => "rfc4733",
        DtmfMode::Info => "info",
        DtmfMode::Inband => "inband",
    }
}

fn parse_dtmf(s: &str) -> Option<DtmfMode> {
    match s {
        "rfc4733" => Some(DtmfMode::Rfc4733),
        "info" => Some(DtmfMode::Info),
        "inband" => Some(DtmfMode::Inband),
        _ => None,
    }
}
