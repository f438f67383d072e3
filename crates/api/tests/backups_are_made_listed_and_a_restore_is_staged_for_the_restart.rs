//! Settings → Backups over HTTP: "Back up now" makes a backup the list shows, the schedule is
//! saved and checked per field, and a restore is staged (nothing in use changes) until the
//! next start, or cancelled.

mod common;

use common::Harness;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backups_are_made_listed_and_a_restore_is_staged_for_the_restart() {
    let mut h = Harness::start().await;
    h.add_extension("201", "Alice").await;
    let empty = h.ok("list_backups", json!({})).await;
    assert_eq!(empty["backups"], json!([]));
    assert_eq!(empty["pending_restore"], json!(null));
    assert_eq!(
        empty["schedule"],
        json!({"enabled": true, "hour": 3, "keep": 7, "folder": null})
    );

    let made = h.ok("create_backup", json!({})).await;
    let name = made["name"].as_str().expect("name").to_owned();
    assert_eq!(made["scheduled"], false);
    assert!(made["files"].as_u64() >= Some(1));
    let listed = h.ok("list_backups", json!({})).await;
    assert_eq!(listed["backups"][0]["name"], name.as_str());
    assert!(listed["folder"].as_str().unwrap().ends_with("backups"));

    let refused = h
        .refused(
            "save_backup_schedule",
            json!({"enabled": true, "hour": 24, "keep": 0, "folder": "relative"}),
            422,
        )
        .await;
    let mut fields: Vec<&String> = refused["fields"]
        .as_object()
        .expect("fields")
        .keys()
        .collect();
    fields.sort();
    assert_eq!(fields, ["folder", "hour", "keep"], "{refused}");
    let saved = h
        .ok(
            "save_backup_schedule",
            json!({"enabled": false, "hour": 22, "keep": 3, "folder": null}),
        )
        .await;
    assert_eq!(saved["schedule"]["hour"], 22);
    assert!(!h.store().backup_schedule().unwrap().enabled);

    // A change after the backup, then a restore: staged, not applied while running.
    h.add_extension("202", "Bob").await;
    let staged = h.ok("restore_backup", json!({"name": name})).await;
    assert_eq!(staged["pending_restore"]["backup"], name.as_str());
    assert!(h.store().extension("202").unwrap().is_some());
    let unknown = h
        .refused("restore_backup", json!({"name": "switchboard-1"}), 404)
        .await;
    assert!(unknown["message"].as_str().unwrap().contains("backup"));

    let cancelled = h.ok("cancel_restore", json!({})).await;
    assert_eq!(cancelled["pending_restore"], json!(null));
    assert_eq!(store::pending_restore(h.dir.path()).unwrap(), None);

    // Staged again and applied as the next start would: Bob is gone, Alice is back.
    h.ok("restore_backup", json!({"name": name})).await;
    // The data folder outlives the harness, which deletes its own on drop.
    let kept = std::mem::replace(&mut h.dir, tempfile::tempdir().unwrap());
    let dir = kept.path().to_path_buf();
    h.stop().await;
    let applied = store::apply_pending_restore(&dir)
        .unwrap()
        .expect("restored");
    let s = store::Store::open(&dir).unwrap();
    assert!(s.extension("201").unwrap().is_some());
    assert!(s.extension("202").unwrap().is_none());
    assert!(applied.replaced.join(store::DB_FILE_NAME).exists());
}
