//! Where and how a trunk's REGISTER goes: a 423 raises the lifetime to Min-Expires
//! (RFC 3261 §10.2.8); an outbound proxy gets the request with a Route to it (§8.1.2);
//! a host name waits for the runtime to resolve it.

mod trunk_support;

use std::time::Duration;

use pbx::TrunkStatus;
use sip::auth::Algorithm;
use trunk_support::*;

#[test]
fn interval_too_brief_asks_again_with_min_expires() {
    let mut office = Office::new(61, vec![Algorithm::Md5]);
    office.forced.push_back(Forced::Status(
        423,
        "Interval Too Brief",
        vec![("Min-Expires", "7200".to_owned())],
    ));
    office.set_plan(plan(vec![trunk(1)]));
    assert_eq!(office.seen[0].expires(), Some(3600));
    assert_eq!(office.seen[1].expires(), Some(7200));
    assert_eq!(office.seen[1].at, Duration::ZERO);
    assert!(matches!(
        office.status(1),
        Some(TrunkStatus::Registered { .. })
    ));
}

#[test]
fn a_423_without_a_higher_minimum_is_a_failure() {
    let mut office = Office::new(62, vec![Algorithm::Md5]);
    office
        .forced
        .push_back(Forced::Status(423, "Interval Too Brief", vec![]));
    office.set_plan(plan(vec![trunk(1)]));
    assert_eq!(office.seen.len(), 1);
    assert!(matches!(
        office.status(1),
        Some(TrunkStatus::Failing { .. })
    ));
}

#[test]
fn an_outbound_proxy_is_sent_the_request_with_a_route() {
    let mut office = Office::new(63, vec![Algorithm::Md5]);
    let mut t = trunk(1);
    t.host = "sip.provider.example".to_owned();
    t.outbound_proxy = Some(PROVIDER_ADDR.to_owned());
    office.set_plan(plan(vec![t]));
    // The harness asserts everything went to PROVIDER_ADDR.
    let first = &office.seen[0].request;
    assert_eq!(first.uri.to_string(), "sip:sip.provider.example");
    assert_eq!(
        first.headers.get("Route"),
        Some("<sip:203.0.113.5:5060;lr>")
    );
    assert_eq!(
        first.to().expect("To").uri.to_string(),
        format!("sip:{USERNAME}@sip.provider.example")
    );
    assert!(matches!(
        office.status(1),
        Some(TrunkStatus::Registered { .. })
    ));
}

#[test]
fn a_host_name_is_registered_once_resolved() {
    let mut office = Office::new(64, vec![Algorithm::Md5]);
    let mut t = trunk(1);
    t.host = "sip.provider.example".to_owned();
    office.set_plan(plan(vec![t]));
    office.run_until(Duration::from_secs(60));
    assert!(office.seen.is_empty());
    assert_eq!(office.status(1), Some(TrunkStatus::Resolving));
    office
        .pbx
        .set_trunk_target(office.now, 1, Some(provider_peer()), Vec::new());
    office.run_until(Duration::from_secs(61));
    assert_eq!(office.seen[0].at, Duration::from_secs(60));
    assert!(matches!(
        office.status(1),
        Some(TrunkStatus::Registered { .. })
    ));
}
