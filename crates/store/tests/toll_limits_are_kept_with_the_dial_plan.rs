//! The owner's limits on calls out survive a restart and reach the PBX with the dial plan;
//! a database that never had any limits nothing; limits that cannot be read let nothing out.

use pbx::dialplan::TollLimits;
use store::Store;

#[test]
fn toll_limits_are_kept_with_the_dial_plan() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_path_buf();
    {
        let s = Store::open(&data).unwrap();
        assert_eq!(s.toll_limits().unwrap(), TollLimits::default());
        assert_eq!(
            s.load_dial_plan().unwrap().toll_limits,
            TollLimits::default()
        );
        s.set_toll_limits(&TollLimits {
            allowed_destinations: vec!["+44.".into(), "0[1-9].".into()],
            max_outbound_calls: 4,
            max_outbound_per_extension: 1,
            after_hours_schedule: Some(3),
            unreadable: false,
        })
        .unwrap();
    }
    let s = Store::open(&data).unwrap();
    let limits = s.load_dial_plan().unwrap().toll_limits;
    assert_eq!(limits.allowed_destinations, ["+44.", "0[1-9]."]);
    assert_eq!(limits.max_outbound_calls, 4);
    assert_eq!(limits.max_outbound_per_extension, 1);
    assert_eq!(limits.after_hours_schedule, Some(3));
    assert_eq!(s.toll_limits().unwrap(), limits);
}

#[test]
fn unreadable_toll_limits_fail_closed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_path_buf();
    Store::open(&data).unwrap();
    {
        let conn = rusqlite::Connection::open(data.join(store::DB_FILE_NAME)).unwrap();
        conn.execute(
            "INSERT INTO settings (key, value, updated_at) VALUES ('toll_limits', '{not json', 0)",
            [],
        )
        .unwrap();
    }
    let s = Store::open(&data).unwrap();
    let limits = s.load_dial_plan().unwrap().toll_limits;
    assert!(limits.unreadable, "{limits:?}");
    assert_eq!(limits, TollLimits::unreadable());
    // Saving limits again makes them readable.
    s.set_toll_limits(&TollLimits::default()).unwrap();
    assert!(!s.toll_limits().unwrap().unreadable);
}
