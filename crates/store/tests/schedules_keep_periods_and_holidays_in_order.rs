//! Business hours read back with periods and holidays in the order given, saving again
//! replaces them, and destinations must name something.

use pbx::dialplan::{Destination, Holiday, OpenPeriod, Schedule};
use store::Error;

mod common;

fn period(day: u8, open: &str, close: &str) -> OpenPeriod {
    OpenPeriod {
        day,
        open: open.to_owned(),
        close: close.to_owned(),
    }
}

fn office_hours() -> Schedule {
    Schedule {
        id: 0,
        name: "Office".to_owned(),
        time_zone: "Europe/London".to_owned(),
        periods: vec![
            period(5, "09:00", "16:00"),
            period(1, "09:00", "12:30"),
            period(1, "13:30", "17:30"),
        ],
        holidays: vec![
            Holiday {
                date: "2026-12-25".to_owned(),
                name: "Christmas Day".to_owned(),
            },
            Holiday {
                date: "2026-01-01".to_owned(),
                name: "New Year's Day".to_owned(),
            },
        ],
        open: Destination::Extension("201".to_owned()),
        closed: Destination::Voicemail("201".to_owned()),
    }
}

#[test]
fn a_schedule_reads_back_as_saved() {
    let (_dir, store) = common::store();
    common::extensions(&store, &["201"]);
    let mut schedule = office_hours();
    schedule.id = store.save_schedule(&schedule).expect("save");
    assert_ne!(schedule.id, 0);
    assert_eq!(
        store.schedule(schedule.id).expect("read"),
        Some(schedule.clone())
    );
    assert_eq!(store.schedules().expect("list"), vec![schedule]);
}

#[test]
fn saving_again_replaces_periods_and_holidays() {
    let (_dir, store) = common::store();
    common::extensions(&store, &["201"]);
    let id = store.save_schedule(&office_hours()).expect("save");
    let mut edited = office_hours();
    edited.id = id;
    edited.time_zone = "America/New_York".to_owned();
    edited.periods = vec![period(3, "08:00", "20:00")];
    edited.holidays.clear();
    edited.closed = Destination::Hangup;
    assert_eq!(store.save_schedule(&edited).expect("edit"), id);
    assert_eq!(store.schedules().expect("list"), vec![edited]);
}

#[test]
fn a_schedule_may_send_closed_calls_to_another_schedule() {
    let (_dir, store) = common::store();
    common::extensions(&store, &["201"]);
    let weekend = store.save_schedule(&office_hours()).expect("first");
    let mut evening = office_hours();
    evening.closed = Destination::Hours(weekend);
    evening.id = store.save_schedule(&evening).expect("second");
    assert_eq!(store.schedule(evening.id).expect("read"), Some(evening));
}

#[test]
fn destinations_that_name_nothing_are_refused() {
    let (_dir, store) = common::store();
    let err = store
        .save_schedule(&office_hours())
        .expect_err("no extension 201");
    assert!(
        err.validation().and_then(|v| v.get("open")).is_some(),
        "{err}"
    );
    common::extensions(&store, &["201"]);
    let mut schedule = office_hours();
    schedule.closed = Destination::Hours(77);
    let err = store.save_schedule(&schedule).expect_err("no schedule 77");
    assert!(
        err.validation().and_then(|v| v.get("closed")).is_some(),
        "{err}"
    );
    assert!(store.schedules().expect("list").is_empty());
}

#[test]
fn unknown_schedules_are_not_found() {
    let (_dir, store) = common::store();
    common::extensions(&store, &["201"]);
    let mut schedule = office_hours();
    schedule.id = 5;
    assert!(matches!(
        store.save_schedule(&schedule),
        Err(Error::NotFound(_))
    ));
    assert!(matches!(store.remove_schedule(5), Err(Error::NotFound(_))));
    assert_eq!(store.schedule(5).expect("read"), None);
}

#[test]
fn removing_a_schedule_removes_its_periods_and_holidays() {
    let (_dir, store) = common::store();
    common::extensions(&store, &["201"]);
    let id = store.save_schedule(&office_hours()).expect("save");
    store.remove_schedule(id).expect("remove");
    assert!(store.schedules().expect("list").is_empty());
    // A new schedule reusing nothing of the old one starts with only its own rows.
    let mut fresh = office_hours();
    fresh.periods.truncate(1);
    fresh.holidays.clear();
    fresh.id = store.save_schedule(&fresh).expect("save another");
    assert_eq!(store.schedules().expect("list"), vec![fresh]);
}
