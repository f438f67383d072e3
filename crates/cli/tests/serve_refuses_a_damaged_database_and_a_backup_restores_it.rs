//! A deliberately corrupted database: `serve` does not start, exits with status 3 and names the
//! file, the newest backup and the command that restores it, without touching the file;
//! `backup restore newest --now` puts the backup back and keeps the damaged file aside.

mod common;

use std::fs;
use std::io::{Seek, SeekFrom, Write};

use common::{json, listed_numbers, ok, run, stderr};

#[test]
fn serve_refuses_a_damaged_database_and_a_backup_restores_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path();
    ok(data, &["extension", "add", "201", "--name", "Alice Smith"]);
    fs::create_dir_all(data.join("voicemail")).unwrap();
    fs::write(data.join("voicemail/201-1.wav"), b"RIFF a message").unwrap();
    let made = json(data, &["backup", "create", "--json"]);
    let name = made["name"].as_str().expect("name").to_owned();
    assert_eq!(made["files"], 2, "{made}");
    let listed = json(data, &["backup", "list", "--json"]);
    assert_eq!(listed[0]["name"], name.as_str());

    // Fold the WAL into the file, then overwrite everything after the first page.
    fold_wal(data);
    let db = data.join(store::DB_FILE_NAME);
    let len = fs::metadata(&db).unwrap().len();
    {
        let mut f = fs::OpenOptions::new().write(true).open(&db).unwrap();
        f.seek(SeekFrom::Start(4096)).unwrap();
        f.write_all(&vec![0x5A; (len - 4096) as usize]).unwrap();
    }
    let damaged = fs::read(&db).unwrap();

    let out = run(
        data,
        &["serve", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0"],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(text.contains(&db.display().to_string()), "{text}");
    assert!(text.contains("damaged"), "{text}");
    assert!(
        text.contains(&format!("backup restore {name} --now")),
        "{text}"
    );
    assert_eq!(
        fs::read(&db).unwrap(),
        damaged,
        "serve changed the damaged file"
    );

    let restored = ok(data, &["backup", "restore", "newest", "--now"]);
    assert!(restored.contains(&name), "{restored}");
    assert_eq!(listed_numbers(data), ["201"]);
    assert_eq!(
        fs::read(data.join("voicemail/201-1.wav")).unwrap(),
        b"RIFF a message"
    );
    let kept: Vec<_> = fs::read_dir(data)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("replaced-"))
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(
        fs::read(kept[0].path().join(store::DB_FILE_NAME)).unwrap(),
        damaged
    );
}

/// Opens and closes the database once: the last connection to close checkpoints the WAL
/// into the main file.
fn fold_wal(data: &std::path::Path) {
    let s = store::Store::open(data).expect("open");
    assert!(s.schema_version().expect("version") > 0);
    drop(s);
    let wal = data.join(format!("{}-wal", store::DB_FILE_NAME));
    assert!(
        fs::metadata(&wal).map_or(true, |m| m.len() == 0),
        "the WAL was not folded in"
    );
}
