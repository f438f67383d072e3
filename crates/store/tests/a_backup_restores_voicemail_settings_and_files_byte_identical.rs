//! A backup made with the online backup API, restored through a staged restore applied at
//! the next start, brings back the voicemail rows, the settings and every audio file exactly,
//! and keeps what it replaced.

use std::fs;
use std::path::Path;

use store::{BackupTrigger, NewVoicemail, Store};

fn write(path: &Path, bytes: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

fn message(file: &str) -> NewVoicemail {
    NewVoicemail {
        mailbox: "201".to_owned(),
        caller_number: "202".to_owned(),
        caller_name: Some("Bob".to_owned()),
        business_name: None,
        received_at: 1_700_000_000,
        duration_ms: 1500,
        file: file.to_owned(),
    }
}

#[test]
fn a_backup_restores_voicemail_settings_and_files_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    let vm_bytes: Vec<u8> = (0..40_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let greeting: Vec<u8> = (0..9_000u32).map(|i| (i % 13) as u8).collect();
    let (settings_before, messages_before) = {
        let s = Store::open(data).unwrap();
        s.create_extension("201", "Alice", "switchboard", 1)
            .unwrap();
        s.create_extension("202", "Bob", "switchboard", 1).unwrap();
        s.enable_mailbox("201", "4826").unwrap();
        write(&data.join("voicemail/201-1.wav"), &vm_bytes);
        s.insert_voicemail(&message("201-1.wav")).unwrap();
        write(&data.join("greetings/201.wav"), &greeting);
        write(&data.join("music-on-hold.wav"), b"RIFF music");
        let mut settings = s.settings().unwrap();
        settings.rtp_port_min = 20000;
        settings.rtp_port_max = 20999;
        s.save_settings(&settings, 2).unwrap();
        let messages = format!("{:?}", s.voicemail_messages(None).unwrap());
        (settings, messages)
    };
    let root = data.join(store::BACKUPS_DIR);
    let backup = store::create_backup(data, &root, BackupTrigger::Manual, 1_800_000_000).unwrap();
    store::verify_backup(&backup).unwrap();
    let paths: Vec<&str> = backup
        .manifest
        .files
        .iter()
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "switchboard.db",
            "greetings/201.wav",
            "music-on-hold.wav",
            "voicemail/201-1.wav"
        ]
    );
    assert_eq!(store::list_backups(&root).unwrap().len(), 1);

    // Things change after the backup: a message deleted with its file, settings changed,
    // the greeting overwritten, a new file.
    {
        let s = Store::open(data).unwrap();
        let id = s.voicemail_messages(None).unwrap()[0].id;
        s.delete_voicemail(id).unwrap();
        fs::remove_file(data.join("voicemail/201-1.wav")).unwrap();
        let mut settings = s.settings().unwrap();
        settings.rtp_port_min = 30000;
        settings.rtp_port_max = 30999;
        s.save_settings(&settings, 3).unwrap();
        fs::write(data.join("greetings/201.wav"), b"new greeting").unwrap();
        write(&data.join("voicemail/202-9.wav"), b"later message");
    }

    let pending = store::stage_restore(data, &backup, &root, 1_800_000_100).unwrap();
    assert_eq!(store::pending_restore(data).unwrap(), Some(pending));
    // Staging touches nothing in use.
    assert_eq!(
        fs::read(data.join("greetings/201.wav")).unwrap(),
        b"new greeting"
    );

    let applied = store::apply_pending_restore(data)
        .unwrap()
        .expect("a restore");
    assert_eq!(store::pending_restore(data).unwrap(), None);
    let s = Store::open(data).unwrap();
    assert_eq!(s.settings().unwrap(), settings_before);
    assert_eq!(
        format!("{:?}", s.voicemail_messages(None).unwrap()),
        messages_before
    );
    assert_eq!(
        fs::read(data.join("voicemail/201-1.wav")).unwrap(),
        vm_bytes
    );
    assert_eq!(fs::read(data.join("greetings/201.wav")).unwrap(), greeting);
    assert_eq!(
        fs::read(data.join("music-on-hold.wav")).unwrap(),
        b"RIFF music"
    );
    assert!(!data.join("voicemail/202-9.wav").exists());
    // What was replaced is kept, and the backups are left where they were.
    assert_eq!(
        fs::read(applied.replaced.join("voicemail/202-9.wav")).unwrap(),
        b"later message"
    );
    assert!(applied.replaced.join("switchboard.db").exists());
    assert_eq!(store::list_backups(&root).unwrap().len(), 1);
    // A second start finds nothing left to do.
    assert_eq!(store::apply_pending_restore(data).unwrap(), None);
}

#[test]
fn a_backup_whose_file_was_altered_is_refused_for_restore() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    Store::open(data).unwrap();
    write(&data.join("voicemail/201-1.wav"), b"original");
    let root = dir.path().join("elsewhere");
    let backup = store::create_backup(data, &root, BackupTrigger::Manual, 1_800_000_000).unwrap();
    fs::write(backup.path.join("voicemail/201-1.wav"), b"tampered").unwrap();
    let err = store::stage_restore(data, &backup, &root, 1_800_000_100).unwrap_err();
    assert!(err.to_string().contains("checksum"), "{err}");
    assert_eq!(store::pending_restore(data).unwrap(), None);
    assert_eq!(
        fs::read(data.join("voicemail/201-1.wav")).unwrap(),
        b"original"
    );
}

#[test]
fn only_the_newest_scheduled_backups_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    Store::open(data).unwrap();
    let root = data.join(store::BACKUPS_DIR);
    let manual = store::create_backup(data, &root, BackupTrigger::Manual, 1_000).unwrap();
    for t in [2_000, 3_000, 4_000] {
        store::create_backup(data, &root, BackupTrigger::Scheduled, t).unwrap();
    }
    let removed = store::prune_scheduled(&root, 2).unwrap();
    assert_eq!(removed.len(), 1);
    let left: Vec<i64> = store::list_backups(&root)
        .unwrap()
        .iter()
        .map(|b| b.manifest.created_at)
        .collect();
    assert_eq!(left, [4_000, 3_000, 1_000]);
    assert!(manual.path.exists());
}
