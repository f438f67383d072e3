//! A fresh folder gets the current schema; reopening keeps the data and the version; a file
//! from a newer program is refused; a migration that fails leaves the file untouched.

use rusqlite::Connection;
use store::{Error, Store, DB_FILE_NAME, SCHEMA_VERSION};

#[test]
fn a_fresh_data_dir_gets_the_current_schema() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("nested").join("data");
    let store = Store::open(&data).expect("open");
    assert_eq!(store.path(), data.join(DB_FILE_NAME));
    assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);
    assert!(store.extensions().expect("list").is_empty());
}

#[test]
fn the_file_is_in_wal_mode() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("open");
    drop(store);
    // journal_mode is a property of the file: a plain connection sees it too.
    let conn = Connection::open(dir.path().join(DB_FILE_NAME)).expect("raw open");
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .expect("journal_mode");
    assert_eq!(mode, "wal");
}

#[test]
fn reopening_an_existing_database_keeps_rows_and_version() {
    let dir = tempfile::tempdir().expect("temp dir");
    {
        let store = Store::open(dir.path()).expect("first open");
        store
            .create_extension("201", "Alice Smith", "switchboard", 1_700_000_000)
            .expect("create");
    }
    let store = Store::open(dir.path()).expect("second open");
    assert_eq!(store.schema_version().expect("version"), SCHEMA_VERSION);
    let ext = store.extension("201").expect("query").expect("still there");
    assert_eq!(ext.name, "Alice Smith");
    assert_eq!(ext.created_at, 1_700_000_000);
}

#[test]
fn a_database_from_a_newer_program_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(DB_FILE_NAME);
    let newer = SCHEMA_VERSION + 5;
    {
        let conn = Connection::open(&path).expect("raw open");
        conn.pragma_update(None, "user_version", newer)
            .expect("set version");
    }
    match Store::open(dir.path()) {
        Err(Error::SchemaTooNew { found, supported }) => {
            assert_eq!(found, newer);
            assert_eq!(supported, SCHEMA_VERSION);
        }
        Err(other) => panic!("expected SchemaTooNew, got {other}"),
        Ok(_) => panic!("a newer database was opened"),
    }
    let conn = Connection::open(&path).expect("raw reopen");
    let version: u32 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("version");
    assert_eq!(version, newer);
    let tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |r| r.get(0),
        )
        .expect("count tables");
    assert_eq!(tables, 0, "no migration may run on a newer file");
}

#[test]
fn a_failing_migration_rolls_back_completely() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(DB_FILE_NAME);
    {
        // A version-0 file that already has a conflicting `cdr` table makes migration 1 fail
        // after it has created its first tables.
        let conn = Connection::open(&path).expect("raw open");
        conn.execute_batch("CREATE TABLE cdr (x INTEGER);")
            .expect("conflicting table");
    }
    assert!(matches!(Store::open(dir.path()), Err(Error::Sqlite(_))));
    let conn = Connection::open(&path).expect("raw reopen");
    let version: u32 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .expect("version");
    assert_eq!(version, 0);
    let extensions_tables: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name = 'extensions'",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(
        extensions_tables, 0,
        "half a migration must not stay behind"
    );
}
