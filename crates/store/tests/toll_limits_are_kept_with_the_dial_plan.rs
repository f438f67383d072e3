//! The owner's limits on calls out survive a restart and reach the PBX with the dial plan;
//! a database that never had any limits nothing.

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
