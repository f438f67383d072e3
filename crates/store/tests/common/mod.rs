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

use pbx::dialplan::{
    BusinessName, Destination, DtmfMode, Trunk, TrunkAuth, TrunkId, TrunkTransport,
};
use store::Store;

/// Unix seconds used as "now" by the dial plan tests.
pub const NOW: i64 = 1_700_000_000;

/// A fresh store in a temporary folder (kept alive by the returned guard).
pub fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    (dir, store)
}

/// Creates extensions with these numbers.
pub fn extensions(store: &Store, numbers: &[&str]) {
    for n in numbers {
        store
            .create_extension(n, &format!("Staff {n}"), "switchboard", NOW)
            .expect("create extension");
    }
}

/// A new (id 0) registration trunk with every optional field set.
pub fn registration_trunk(name: &str, contact_user: &str) -> Trunk {
    Trunk {
        id: 0,
        name: name.to_owned(),
        enabled: true,
        host: "sip.provider.example".to_owned(),
        port: Some(5080),
        transport: TrunkTransport::Tcp,
        outbound_proxy: Some("proxy.provider.example:5061".to_owned()),
        auth: TrunkAuth::Registration {
            username: "acme".to_owned(),
            password: "s3cret pass".to_owned(),
            auth_username: Some("acme-auth".to_owned()),
            contact_user: contact_user.to_owned(),
            expires: 600,
        },
        channels: 3,
        codecs: vec!["PCMA".to_owned(), "PCMU".to_owned()],
        dtmf: DtmfMode::Info,
        from_user: Some("44207".to_owned()),
        caller_id: Some("+442071234567".to_owned()),
        trust_pai: true,
        overflow: Some(Destination::Hangup),
        default_destination: Destination::Hangup,
    }
}

/// A new (id 0) IP-authenticated trunk with only the required fields.
pub fn ip_trunk(name: &str) -> Trunk {
    Trunk {
        id: 0,
        name: name.to_owned(),
        enabled: false,
        host: "203.0.113.5".to_owned(),
        port: None,
        transport: TrunkTransport::Udp,
        outbound_proxy: None,
        auth: TrunkAuth::Ip {
            allowed: vec![
                "203.0.113.0/24".to_owned(),
                "sbc.provider.example".to_owned(),
            ],
        },
        channels: 1,
        codecs: vec!["PCMU".to_owned()],
        dtmf: DtmfMode::Rfc4733,
        from_user: None,
        caller_id: None,
        trust_pai: false,
        overflow: None,
        default_destination: Destination::Hangup,
    }
}

/// A new (id 0) business name.
pub fn business_name(
    name: &str,
    number: &str,
    trunk: Option<TrunkId>,
    destination: Destination,
) -> BusinessName {
    BusinessName {
        id: 0,
        name: name.to_owned(),
        number: number.to_owned(),
        label: name.split('.').next().unwrap_or(name).to_owned(),
        trunk,
        destination,
    }
}
