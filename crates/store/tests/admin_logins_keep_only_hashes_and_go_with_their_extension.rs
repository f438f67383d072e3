//! Admin logins: only Argon2id hashes are stored, the owner's and a staff member's logins
//! are told apart, and a staff login goes when its extension is removed.

use store::{AdminLogin, Store, DB_FILE_NAME};

#[test]
fn logins_are_hashed_told_apart_and_removed_with_their_extension() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Store::open(dir.path()).expect("store");
    assert_eq!(store.owner_login().expect("owner"), None);
    store
        .set_owner_login("boss", "tall-green-lamp-42")
        .expect("owner set");
    store
        .create_extension("201", "Ana", "switchboard", 0)
        .expect("extension");
    store
        .set_staff_login("201", "staff-web-pass-7")
        .expect("staff set");
    assert!(
        store.set_staff_login("299", "x-y-z-1-2-3").is_err(),
        "no such extension"
    );

    assert_eq!(
        store
            .check_admin_login("boss", "tall-green-lamp-42")
            .expect("check"),
        Some(AdminLogin::Owner {
            username: "boss".to_owned()
        })
    );
    assert_eq!(
        store
            .check_admin_login("201", "staff-web-pass-7")
            .expect("check"),
        Some(AdminLogin::Staff {
            extension: "201".to_owned()
        })
    );
    assert_eq!(
        store.check_admin_login("201", "wrong").expect("check"),
        None
    );
    assert_eq!(
        store
            .check_admin_login("nobody", "tall-green-lamp-42")
            .expect("check"),
        None
    );

    // The database file and its write-ahead log, where fresh writes are until a checkpoint.
    let mut bytes = Vec::new();
    for suffix in ["", "-wal"] {
        let path = dir.path().join(format!("{DB_FILE_NAME}{suffix}"));
        bytes.extend(std::fs::read(path).unwrap_or_default());
    }
    let text = String::from_utf8_lossy(&bytes);
    assert!(!text.contains("tall-green-lamp-42") && !text.contains("staff-web-pass-7"));
    assert!(
        text.contains("$argon2id$"),
        "stored as Argon2id PHC strings"
    );

    store.remove_extension("201").expect("removed");
    assert_eq!(store.staff_logins().expect("staff"), Vec::<String>::new());
    assert_eq!(
        store
            .check_admin_login("201", "staff-web-pass-7")
            .expect("check"),
        None
    );
}
