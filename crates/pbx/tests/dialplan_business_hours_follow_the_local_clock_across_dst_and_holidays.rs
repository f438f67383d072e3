//! Business hours are local wall-clock times in the schedule's zone: the same 09:00 opening
//! is a different UTC instant in winter and summer, the hour skipped when clocks go forward
//! never opens, the hour repeated when they go back opens twice, and holidays are local
//! dates.

mod dialplan_support;

use dialplan_support::{at, holiday, office_hours, period};
use pbx::dialplan::{Destination, DialPlanError, Schedule};

fn weekdays(time_zone: &str) -> Schedule {
    office_hours(
        1,
        time_zone,
        Destination::Extension("201".into()),
        Destination::Hangup,
    )
}

fn open(s: &Schedule, utc: &str) -> bool {
    s.is_open(at(utc)).unwrap_or_else(|e| panic!("{utc}: {e}"))
}

#[test]
fn london_opens_at_nine_gmt_in_winter_and_nine_bst_in_summer() {
    let s = weekdays("Europe/London");
    // Friday 27 March 2026, GMT (UTC+0).
    assert!(!open(&s, "2026-03-27T08:30:00Z"));
    assert!(open(&s, "2026-03-27T09:00:00Z"));
    assert!(open(&s, "2026-03-27T16:59:59Z"));
    assert!(!open(&s, "2026-03-27T17:00:00Z"));
    // Monday 30 March 2026, BST (UTC+1) since Sunday.
    assert!(!open(&s, "2026-03-30T07:59:59Z"));
    assert!(open(&s, "2026-03-30T08:00:00Z"));
    assert!(open(&s, "2026-03-30T08:30:00Z"));
    assert!(open(&s, "2026-03-30T15:59:00Z"));
    assert!(!open(&s, "2026-03-30T16:00:00Z"));
}

#[test]
fn london_goes_back_to_gmt_in_october() {
    let s = weekdays("Europe/London");
    // Friday 23 October 2026, still BST.
    assert!(open(&s, "2026-10-23T08:00:00Z"));
    assert!(!open(&s, "2026-10-23T16:00:00Z"));
    // Monday 26 October 2026, GMT again.
    assert!(!open(&s, "2026-10-26T08:30:00Z"));
    assert!(open(&s, "2026-10-26T09:00:00Z"));
    assert!(open(&s, "2026-10-26T16:30:00Z"));
}

#[test]
fn new_york_follows_its_own_dst_dates() {
    let s = weekdays("America/New_York");
    // Friday 6 March 2026, EST (UTC-5).
    assert!(!open(&s, "2026-03-06T13:30:00Z"));
    assert!(open(&s, "2026-03-06T14:00:00Z"));
    assert!(!open(&s, "2026-03-06T22:00:00Z"));
    // Monday 9 March 2026, EDT (UTC-4) since Sunday 8 March; London is still on GMT.
    assert!(open(&s, "2026-03-09T13:00:00Z"));
    assert!(!open(&s, "2026-03-09T12:59:00Z"));
    assert!(open(&s, "2026-03-09T20:59:00Z"));
    assert!(!open(&s, "2026-03-09T21:00:00Z"));
    // Monday 2 November 2026, EST again since Sunday 1 November.
    assert!(!open(&s, "2026-11-02T13:30:00Z"));
    assert!(open(&s, "2026-11-02T14:00:00Z"));
    assert!(open(&s, "2026-11-02T21:59:00Z"));
    assert!(!open(&s, "2026-11-02T22:00:00Z"));
}

#[test]
fn the_hour_skipped_when_clocks_go_forward_never_opens() {
    let mut s = weekdays("Europe/London");
    // Sunday 29 March 2026: 01:00 GMT becomes 02:00 BST.
    s.periods = vec![period(7, "01:00", "02:00"), period(7, "02:00", "03:00")];
    assert!(!open(&s, "2026-03-29T00:59:59Z"));
    // The first instant after the jump is 02:00 local: the second period.
    assert!(open(&s, "2026-03-29T01:00:00Z"));
    assert!(open(&s, "2026-03-29T01:59:59Z"));
    assert!(!open(&s, "2026-03-29T02:00:00Z"));
    s.periods = vec![period(7, "01:00", "02:00")];
    for utc in [
        "2026-03-29T00:30:00Z",
        "2026-03-29T01:00:00Z",
        "2026-03-29T01:30:00Z",
    ] {
        assert!(!open(&s, utc), "{utc}");
    }
}

#[test]
fn the_hour_repeated_when_clocks_go_back_opens_twice() {
    let mut s = weekdays("America/New_York");
    // Sunday 1 November 2026: 02:00 EDT becomes 01:00 EST, so 01:xx happens twice.
    s.periods = vec![period(7, "01:00", "02:00")];
    assert!(!open(&s, "2026-11-01T04:59:00Z")); // 00:59 EDT
    assert!(open(&s, "2026-11-01T05:30:00Z")); // 01:30 EDT
    assert!(open(&s, "2026-11-01T06:30:00Z")); // 01:30 EST
    assert!(!open(&s, "2026-11-01T07:00:00Z")); // 02:00 EST
}

#[test]
fn weekends_are_closed_and_several_periods_make_a_lunch_break() {
    let mut s = weekdays("Europe/London");
    assert!(!open(&s, "2026-06-06T10:00:00Z")); // Saturday
    assert!(!open(&s, "2026-06-07T10:00:00Z")); // Sunday
    s.periods = vec![period(3, "09:00", "12:30"), period(3, "13:30", "17:00")];
    assert!(open(&s, "2026-06-10T11:00:00Z")); // Wednesday 12:00 BST
    assert!(!open(&s, "2026-06-10T12:00:00Z")); // 13:00 BST
    assert!(open(&s, "2026-06-10T12:30:00Z")); // 13:30 BST
    assert!(!open(&s, "2026-06-11T11:00:00Z")); // Thursday has no period now
}

#[test]
fn a_period_may_close_at_midnight() {
    let mut s = weekdays("UTC");
    s.periods = vec![period(5, "18:00", "24:00")];
    assert!(open(&s, "2026-06-05T23:59:59Z")); // Friday
    assert!(!open(&s, "2026-06-06T00:00:00Z")); // Saturday
}

#[test]
fn a_holiday_closes_the_whole_local_day() {
    let s = weekdays("Europe/London");
    assert!(open(&s, "2026-12-24T10:00:00Z"));
    assert!(!open(&s, "2026-12-25T10:00:00Z")); // Friday, Christmas Day
    assert!(open(&s, "2026-12-28T10:00:00Z"));
}

#[test]
fn holidays_are_local_dates_not_utc_dates() {
    let mut s = weekdays("America/New_York");
    s.periods = vec![period(5, "00:00", "24:00"), period(4, "00:00", "24:00")];
    s.holidays = vec![holiday("2026-07-03")];
    // 03:30 UTC on Saturday 4 July is 23:30 on Friday 3 July in New York: the holiday.
    assert!(!open(&s, "2026-07-04T03:30:00Z"));
    // 03:30 UTC on Friday 3 July is still Thursday 2 July there: open.
    assert!(open(&s, "2026-07-03T03:30:00Z"));
    // A week later the Friday is an ordinary day.
    assert!(open(&s, "2026-07-11T03:30:00Z"));
}

#[test]
fn malformed_schedules_give_errors_instead_of_guesses() {
    let t = at("2026-06-10T10:00:00Z");
    let mut s = weekdays("Mars/Olympus_Mons");
    assert!(matches!(s.is_open(t), Err(DialPlanError::BadTimeZone(_))));
    s.time_zone = String::new();
    assert!(matches!(s.is_open(t), Err(DialPlanError::BadTimeZone(_))));
    s = weekdays("Europe/London");
    s.periods = vec![period(3, "9am", "17:00")];
    assert!(matches!(s.is_open(t), Err(DialPlanError::BadTime(_))));
    s = weekdays("Europe/London");
    s.holidays = vec![holiday("25/12/2026")];
    assert!(matches!(s.is_open(t), Err(DialPlanError::BadDate(_))));
    s = weekdays("Europe/London");
    assert!(matches!(
        s.is_open(i64::MAX),
        Err(DialPlanError::BadInstant(_))
    ));
    assert!(matches!(
        s.is_open(i64::MIN),
        Err(DialPlanError::BadInstant(_))
    ));
}
