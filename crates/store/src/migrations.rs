//! Versioned schema. The file's `PRAGMA user_version` says how many entries of [`MIGRATIONS`]
//! it has had applied; each one runs in its own transaction together with the version bump, so
//! a crash leaves the file at a whole version. Entries are only ever appended, never edited.

use rusqlite::{Connection, TransactionBehavior};

use crate::{Error, Result};

/// Schema version this program writes: the number of migrations it knows.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

const MIGRATIONS: &[&str] = &[
    // 1: extensions, registrations, call detail records.
    r#"
    CREATE TABLE extensions (
        number      TEXT PRIMARY KEY NOT NULL,
        name        TEXT NOT NULL,
        realm       TEXT NOT NULL,
        ha1_md5     TEXT NOT NULL,
        ha1_sha256  TEXT NOT NULL,
        created_at  INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE bindings (
        extension     TEXT NOT NULL REFERENCES extensions(number) ON DELETE CASCADE,
        binding_key   TEXT NOT NULL,
        contact       TEXT NOT NULL,
        instance      TEXT,
        transport     TEXT NOT NULL,
        source        TEXT NOT NULL,
        user_agent    TEXT,
        expires_at    INTEGER NOT NULL,
        call_id       TEXT NOT NULL,
        cseq          INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        PRIMARY KEY (extension, binding_key)
    ) STRICT;
    CREATE INDEX bindings_expires_at ON bindings(expires_at);

    CREATE TABLE cdr (
        id             INTEGER PRIMARY KEY,
        call_id        TEXT NOT NULL,
        caller_number  TEXT NOT NULL,
        caller_name    TEXT,
        callee         TEXT NOT NULL,
        answered_by    TEXT,
        started_at     INTEGER NOT NULL,
        answered_at    INTEGER,
        ended_at       INTEGER NOT NULL,
        duration_s     INTEGER NOT NULL,
        outcome        TEXT NOT NULL,
        hangup_by      TEXT NOT NULL,
        reason         TEXT
    ) STRICT;
    CREATE INDEX cdr_started_at ON cdr(started_at);
    "#,
    // 2: settings the owner changes from the admin screens, one row per setting. A missing
    // row means "the default", so a default can improve in a later version for everyone who
    // never changed it.
    r#"
    CREATE TABLE settings (
        key         TEXT PRIMARY KEY NOT NULL,
        value       TEXT NOT NULL,
        updated_at  INTEGER NOT NULL
    ) STRICT;
    "#,
];

/// The version recorded in the file.
pub(crate) fn version(conn: &Connection) -> Result<u32> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Brings the file up to [`SCHEMA_VERSION`], one transaction per migration.
pub(crate) fn apply(conn: &mut Connection) -> Result<()> {
    loop {
        // IMMEDIATE takes the write lock before reading the version, so two processes opening
        // a fresh file at once cannot both run the same migration.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found = version(&tx)?;
        if found > SCHEMA_VERSION {
            return Err(Error::SchemaTooNew {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        let Some(sql) = MIGRATIONS.get(found as usize) else {
            return Ok(());
        };
        tx.execute_batch(sql)?;
        // user_version lives in the file header, which is written inside this transaction:
        // schema and version commit or roll back together.
        tx.pragma_update(None, "user_version", found + 1)?;
        tx.commit()?;
        tracing::info!(version = found + 1, "database schema migrated");
    }
}
