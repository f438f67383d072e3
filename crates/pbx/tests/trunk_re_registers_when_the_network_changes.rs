//! RFC 5626 §4.4.1: when the network changes, every trunk registers again at once,
//! whether it was registered or waiting out a backoff; a refused one stays refused.

mod trunk_support;

use std::time::Duration;

use pbx::TrunkStatus;
use sip::auth::Algorithm;
use trunk_support::*;

#[test]
fn a_registered_trunk_registers_again_at_once() {
    let mut office = Office::new(41, vec![Algorithm::Md5]);
    office.set_plan(plan(vec![trunk(1)]));
    office.run_until(Duration::from_secs(10));
    let before = office.seen.len();
    office.network_changed();
    assert!(office.seen.len() > before);
    assert_eq!(office.seen[before].at, Duration::from_secs(10));
    assert!(matches!(
        office.status(1),
        Some(TrunkStatus::Registered { .. })
    ));
}

#[test]
fn a_failing_trunk_skips_its_backoff() {
    let mut office = Office::new(42, vec![Algorithm::Md5]);
    office.forced.push_back(Forced::Silence);
    office.set_plan(plan(vec![trunk(1)]));
    office.run_until(Duration::from_secs(40));
    assert!(matches!(
        office.status(1),
        Some(TrunkStatus::Failing { .. })
    ));
    assert_eq!(office.seen.len(), 1);
    office.network_changed();
    assert_eq!(office.seen[1].at, Duration::from_secs(40));
    assert!(matches!(
        office.status(1),
        Some(TrunkStatus::Registered { .. })
    ));
}

#[test]
fn a_refused_trunk_stays_refused() {
    let mut office = Office::new(43, vec![Algorithm::Md5]);
    office
        .forced
        .push_back(Forced::Status(403, "Forbidden", vec![]));
    office.set_plan(plan(vec![trunk(1)]));
    office.network_changed();
    office.run_until(Duration::from_secs(3600));
    assert_eq!(office.seen.len(), 1);
}

#[test]
fn a_register_in_flight_is_abandoned_for_a_new_one() {
    let mut office = Office::new(44, vec![Algorithm::Md5]);
    office.forced.push_back(Forced::Silence);
    office.set_plan(plan(vec![trunk(1)]));
    office.run_until(Duration::from_secs(5));
    office.network_changed();
    assert!(matches!(
        office.status(1),
        Some(TrunkStatus::Registered { .. })
    ));
    // The abandoned transaction's timeout later changes nothing.
    office.run_until(Duration::from_secs(45));
    assert!(matches!(
        office.status(1),
        Some(TrunkStatus::Registered { .. })
    ));
}
