//! Settings start at their defaults, survive a reopen once saved, and a refused save leaves
//! every stored setting as it was.

use std::net::SocketAddr;

use rusqlite::Connection;
use store::{LogLevel, Settings, Store, DB_FILE_NAME};

mod common;

const NOW: i64 = 1_700_000_000;

fn addr(s: &str) -> SocketAddr {
    s.parse().expect("test address")
}

fn changed() -> Settings {
    Settings {
        sip_listen: vec![addr("192.0.2.7:5070")],
        sip_tls_listen: vec![addr("192.0.2.7:5071")],
        rtp_port_min: 20000,
        rtp_port_max: 20999,
        log_level: LogLevel::Debug,
        admin_bind: addr("127.0.0.1:9090"),
    }
}

#[test]
fn a_fresh_database_has_the_defaults() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    let settings = store.settings().expect("settings");
    assert_eq!(settings, Settings::default());
    assert_eq!(settings.admin_bind, addr("127.0.0.1:8080"));
    assert!(settings.admin_bind.ip().is_loopback());
    assert!(settings.check().is_empty(), "defaults must be valid");
}

#[test]
fn saved_settings_survive_a_reopen() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let store = Store::open(dir.path()).expect("open");
        store.save_settings(&changed(), NOW).expect("save");
    }
    let store = Store::open(dir.path()).expect("reopen");
    assert_eq!(store.settings().expect("settings"), changed());
}

#[test]
fn a_refused_save_changes_nothing_and_names_each_field() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    store.save_settings(&changed(), NOW).expect("first save");

    let bad = Settings {
        sip_listen: vec![],
        sip_tls_listen: vec![],
        rtp_port_min: 80,
        rtp_port_max: 90,
        log_level: LogLevel::Trace,
        admin_bind: addr("127.0.0.1:0"),
    };
    let err = store.save_settings(&bad, NOW + 1).expect_err("refused");
    let fields = err.validation().expect("field errors");
    assert_eq!(fields.get("sip_listen"), Some("needs at least one address"));
    assert_eq!(fields.get("rtp_port_min"), Some("must be 1024 or more"));
    assert!(fields.get("admin_bind").is_some());
    assert_eq!(store.settings().expect("settings"), changed());
}

#[test]
fn each_bad_value_is_refused() {
    let base = Settings::default();
    let cases: Vec<(&str, Settings)> = vec![
        (
            "sip_listen",
            Settings {
                sip_listen: vec![addr("0.0.0.0:0")],
                ..base.clone()
            },
        ),
        (
            "sip_listen",
            Settings {
                sip_listen: vec![addr("0.0.0.0:5060"), addr("0.0.0.0:5060")],
                ..base.clone()
            },
        ),
        (
            "sip_listen",
            Settings {
                sip_listen: (1..=9)
                    .map(|p| SocketAddr::from(([0, 0, 0, 0], p)))
                    .collect(),
                ..base.clone()
            },
        ),
        (
            "sip_listen",
            Settings {
                sip_tls_listen: vec![addr("0.0.0.0:5060")],
                ..base.clone()
            },
        ),
        (
            "sip_listen",
            Settings {
                sip_tls_listen: vec![addr("127.0.0.1:0")],
                ..base.clone()
            },
        ),
        (
            "rtp_port_min",
            Settings {
                sip_tls_listen: vec![addr("0.0.0.0:15061")],
                ..base.clone()
            },
        ),
        (
            "rtp_port_max",
            Settings {
                rtp_port_min: 20000,
                rtp_port_max: 20000,
                ..base.clone()
            },
        ),
        (
            "rtp_port_min",
            Settings {
                rtp_port_min: 5000,
                rtp_port_max: 6000,
                ..base.clone()
            },
        ),
    ];
    for (field, settings) in cases {
        let errors = settings.check();
        assert!(
            errors.iter().any(|e| e.field == field),
            "{settings:?} should be refused on {field}, got {errors:?}"
        );
    }
}

#[test]
fn an_unreadable_stored_value_falls_back_to_its_default() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    store.save_settings(&changed(), NOW).expect("save");
    {
        let conn = Connection::open(dir.path().join(DB_FILE_NAME)).expect("raw open");
        conn.execute(
            "UPDATE settings SET value = 'loud' WHERE key = 'log_level'",
            [],
        )
        .expect("corrupt one row");
        conn.execute(
            "UPDATE settings SET value = '30000-x' WHERE key = 'rtp_ports'",
            [],
        )
        .expect("corrupt another row");
    }
    let settings = store.settings().expect("settings");
    assert_eq!(settings.log_level, LogLevel::Info);
    assert_eq!(settings.rtp_port_min, Settings::default().rtp_port_min);
    assert_eq!(settings.rtp_port_max, Settings::default().rtp_port_max);
    assert_eq!(settings.sip_listen, changed().sip_listen);
}

#[test]
fn a_database_from_before_settings_gains_the_table_and_keeps_its_rows() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        // A version-1 database, as that version wrote it: no settings table.
        let conn = Connection::open(dir.path().join(DB_FILE_NAME)).expect("raw open");
        conn.execute_batch(common::SCHEMA_V1)
            .expect("version 1 schema");
        conn.execute(
            "INSERT INTO extensions (number, name, realm, ha1_md5, ha1_sha256, created_at)
             VALUES ('201', 'Alice', 'switchboard', 'x', 'y', 1)",
            [],
        )
        .expect("an extension");
    }
    let store = Store::open(dir.path()).expect("reopen migrates");
    assert_eq!(
        store.schema_version().expect("version"),
        store::SCHEMA_VERSION
    );
    assert!(store.extension("201").expect("query").is_some());
    assert_eq!(store.settings().expect("settings"), Settings::default());
    store.save_settings(&changed(), NOW).expect("save");
    assert_eq!(store.settings().expect("settings"), changed());
}
