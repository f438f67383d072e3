//! RFC 3261 §20.33: a provider's Retry-After says when to come back. The trunk never
//! comes back sooner, and never sooner than its backoff either.

mod trunk_support;

use std::time::Duration;

use pbx::TrunkStatus;
use sip::auth::Algorithm;
use trunk_support::*;

fn unavailable_for(retry_after: &str) -> Office {
    let mut office = Office::new(21, vec![Algorithm::Md5]);
    office.forced.push_back(Forced::Status(
        503,
        "Service Unavailable",
        vec![("Retry-After", retry_after.to_owned())],
    ));
    office.set_plan(plan(vec![trunk(1)]));
    office
}

#[test]
fn waits_as_long_as_the_provider_asks() {
    let mut office = unavailable_for("600 (maintenance)");
    assert_eq!(
        office.status(1),
        Some(TrunkStatus::Failing {
            reason: "the provider answered 503 Service Unavailable".to_owned(),
            retry_in: 600
        })
    );
    office.run_until(Duration::from_secs(599));
    assert_eq!(office.seen.len(), 1);
    office.run_until(Duration::from_secs(601));
    assert_eq!(office.seen[1].at, Duration::from_secs(600));
    assert!(matches!(
        office.status(1),
        Some(TrunkStatus::Registered { .. })
    ));
}

#[test]
fn a_zero_retry_after_still_waits_for_the_backoff() {
    let mut office = unavailable_for("0");
    office.run_until(Duration::from_secs(120));
    let wait = office.seen[1].at - office.seen[0].at;
    assert!(wait >= Duration::from_secs(30), "{wait:?}");
}

#[test]
fn retry_after_on_other_failures_is_honoured() {
    let mut office = Office::new(22, vec![Algorithm::Md5]);
    office.forced.push_back(Forced::Status(
        480,
        "Temporarily Unavailable",
        vec![("Retry-After", "300".to_owned())],
    ));
    office.set_plan(plan(vec![trunk(1)]));
    office.run_until(Duration::from_secs(400));
    assert_eq!(office.seen[1].at, Duration::from_secs(300));
}
