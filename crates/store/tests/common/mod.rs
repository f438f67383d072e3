//! Helpers shared by the store's tests.

#![allow(dead_code)]

use std::net::SocketAddr;

use store::{Binding, Transport};

/// A binding for `extension` from a phone at `source`, valid until `expires_at`.
pub fn binding(extension: &str, contact: &str, expires_at: i64) -> Binding {
    let source: SocketAddr = "192.0.2.10:5060".parse().expect("valid test address");
    Binding {
        extension: extension.to_owned(),
        contact: contact.to_owned(),
        instance: None,
        transport: Transport::Udp,
        source,
        user_agent: Some("TestPhone/1.0".to_owned()),
        expires_at,
        call_id: format!("reg-{extension}-{contact}"),
        cseq: 1,
        updated_at: expires_at - 3600,
    }
}

/// The schema of a version-1 database, as that version wrote it: lets a test make an old file
/// the way an old program did, rather than by undoing a newer schema.
pub const SCHEMA_V1: &str = r#"
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
    PRAGMA user_version = 1;
"#;

/// What version 2 added to [`SCHEMA_V1`].
pub const SCHEMA_V2_ADDS: &str = r#"
    CREATE TABLE settings (
        key         TEXT PRIMARY KEY NOT NULL,
        value       TEXT NOT NULL,
        updated_at  INTEGER NOT NULL
    ) STRICT;
    PRAGMA user_version = 2;
"#;
