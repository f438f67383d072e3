//! The check at start names a damaged database file instead of opening it, and leaves the
//! file as it is; a healthy or missing file passes.

use std::fs;
use std::io::{Seek, SeekFrom, Write};

use store::{Error, Store};

#[test]
fn a_damaged_database_is_reported_and_not_opened() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    store::check_database(data).unwrap(); // no file yet: a first start
    {
        let s = Store::open(data).unwrap();
        for n in 10..60 {
            s.create_extension(&n.to_string(), "Someone With A Name", "switchboard", 1)
                .unwrap();
        }
    }
    store::check_database(data).unwrap();
    // Checkpoint the WAL into the main file, then overwrite pages past the header.
    {
        let conn = rusqlite::Connection::open(data.join(store::DB_FILE_NAME)).unwrap();
        conn.pragma_update(None, "wal_checkpoint", "TRUNCATE")
            .unwrap();
        conn.pragma_update(None, "journal_mode", "delete").unwrap();
    }
    let path = data.join(store::DB_FILE_NAME);
    let len = fs::metadata(&path).unwrap().len();
    assert!(len > 8192, "the test needs several pages, got {len} bytes");
    {
        let mut f = fs::OpenOptions::new().write(true).open(&path).unwrap();
        f.seek(SeekFrom::Start(4096 + 100)).unwrap();
        f.write_all(&vec![0xA5; (len - 4096 - 100) as usize])
            .unwrap();
    }
    let damaged = fs::read(&path).unwrap();
    match store::check_database(data) {
        Err(Error::Damaged { path: p, detail }) => {
            assert_eq!(p, path);
            assert!(!detail.is_empty());
        }
        other => panic!("expected a damaged database, got {other:?}"),
    }
    assert_eq!(
        fs::read(&path).unwrap(),
        damaged,
        "the check changed the file"
    );
}

#[test]
fn a_file_that_is_not_a_database_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(store::DB_FILE_NAME), vec![b'x'; 10_000]).unwrap();
    let err = store::check_database(dir.path()).unwrap_err();
    assert!(matches!(err, Error::Damaged { .. }), "{err:?}");
    assert!(err.to_string().contains("switchboard.db"), "{err}");
}
