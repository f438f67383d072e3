//! The online backup copies one consistent moment of a database another connection keeps
//! writing to: the copy passes `integrity_check`, and every transaction in it is whole.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use rusqlite::Connection;
use store::{BackupTrigger, NewCdr, Store};

#[test]
fn a_backup_during_writes_is_consistent() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_path_buf();
    Store::open(&data).unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (data, stop) = (data.clone(), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut s = Store::open(&data).unwrap();
            let mut batches = 0u32;
            // Each transaction inserts ten rows: a consistent copy has a multiple of ten.
            while !stop.load(Ordering::Relaxed) || batches < 5 {
                let rows: Vec<NewCdr> = (0..10).map(|i| cdr(batches, i)).collect();
                s.insert_cdrs(&rows).unwrap();
                batches += 1;
            }
            batches
        })
    };
    let root = data.join(store::BACKUPS_DIR);
    let mut counts = Vec::new();
    for t in 0..5 {
        let b = store::create_backup(&data, &root, BackupTrigger::Manual, 1_000 + t).unwrap();
        let copy = Connection::open(b.path.join(store::DB_FILE_NAME)).unwrap();
        assert_eq!(
            store::integrity_problems(&copy, true).unwrap(),
            Vec::<String>::new()
        );
        let n: i64 = copy
            .query_row("SELECT count(*) FROM cdr", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n % 10, 0, "a transaction was split by the copy");
        counts.push(n);
    }
    stop.store(true, Ordering::Relaxed);
    let batches = writer.join().unwrap();
    assert!(counts.iter().all(|&n| n <= i64::from(batches) * 10));
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
}

fn cdr(batch: u32, i: u32) -> NewCdr {
    NewCdr {
        call_id: format!("c{batch}-{i}"),
        caller_number: "201".to_owned(),
        caller_name: None,
        callee: "202".to_owned(),
        answered_by: None,
        started_at: 1,
        answered_at: None,
        ended_at: 2,
        outcome: store::Outcome::Answered,
        hangup_by: store::HangupBy::Caller,
        reason: None,
        business_name: None,
        trunk: None,
        direction: store::Direction::Internal,
        lines_busy: false,
    }
}
