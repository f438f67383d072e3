//! A provider that refuses the credentials (403, or a second challenge to a fresh
//! answer) is not asked again: retrying looks like password guessing. The status says
//! Rejected, which the UI shows as an alert. A stale nonce is not a refusal.

mod trunk_support;

use std::time::Duration;

use pbx::TrunkStatus;
use sip::auth::{Algorithm, Verdict};
use trunk_support::*;

const A_DAY: Duration = Duration::from_secs(24 * 3600);

#[test]
fn forbidden_stops_registration() {
    let mut office = Office::new(31, vec![Algorithm::Md5]);
    office
        .forced
        .push_back(Forced::Status(403, "Forbidden", vec![]));
    office.set_plan(plan(vec![trunk(1)]));
    office.run_until(A_DAY);
    assert_eq!(office.seen.len(), 1);
    let Some(TrunkStatus::Rejected { reason }) = office.status(1) else {
        panic!("not rejected: {:?}", office.status(1));
    };
    assert!(reason.contains("403 Forbidden"), "{reason}");
    // The alert reached the event stream.
    assert!(office
        .events
        .iter()
        .any(|(_, s)| matches!(s.status, TrunkStatus::Rejected { .. })));
}

#[test]
fn forbidden_after_credentials_stops_too() {
    let mut office = Office::new(32, vec![Algorithm::Md5]);
    // The usual challenge first, then 403 to the answer.
    office.forced.push_back(Forced::Status(
        401,
        "Unauthorized",
        vec![(
            "WWW-Authenticate",
            "Digest realm=\"provider.example\", nonce=\"abc\", qop=\"auth\"".to_owned(),
        )],
    ));
    office
        .forced
        .push_back(Forced::Status(403, "Forbidden", vec![]));
    office.set_plan(plan(vec![trunk(1)]));
    office.run_until(A_DAY);
    assert_eq!(office.seen.len(), 2);
    assert!(office.seen[1].authorization().is_some());
    assert!(matches!(
        office.status(1),
        Some(TrunkStatus::Rejected { .. })
    ));
}

#[test]
fn a_wrong_password_is_tried_once() {
    let mut office = Office::new(33, vec![Algorithm::Md5]);
    office.provider_password = "something-else".to_owned();
    office.set_plan(plan(vec![trunk(1)]));
    office.run_until(A_DAY);
    // Unauthenticated, then one answer that the provider rejects with a new challenge.
    assert_eq!(office.seen.len(), 2);
    assert_eq!(office.seen[1].verdict, Some(Verdict::Rejected));
    let Some(TrunkStatus::Rejected { reason }) = office.status(1) else {
        panic!("not rejected: {:?}", office.status(1));
    };
    assert!(reason.contains("user name or password"), "{reason}");
}

#[test]
fn a_stale_nonce_is_answered_again() {
    let mut office = Office::new(34, vec![Algorithm::Md5]);
    office.forced.push_back(Forced::Status(
        401,
        "Unauthorized",
        vec![(
            "WWW-Authenticate",
            "Digest realm=\"provider.example\", nonce=\"old\", qop=\"auth\"".to_owned(),
        )],
    ));
    office.forced.push_back(Forced::Status(
        401,
        "Unauthorized",
        vec![(
            "WWW-Authenticate",
            "Digest realm=\"provider.example\", nonce=\"older\", qop=\"auth\", stale=true"
                .to_owned(),
        )],
    ));
    office.forced.push_back(Forced::Status(
        200,
        "OK",
        vec![(
            "Contact",
            format!("<sip:{CONTACT_USER}@192.168.1.1>;expires=60"),
        )],
    ));
    office.set_plan(plan(vec![trunk(1)]));
    // The answer to the stale challenge is accepted.
    assert!(
        matches!(office.status(1), Some(TrunkStatus::Registered { .. })),
        "{:?}",
        office.status(1)
    );
    assert_eq!(office.seen.len(), 3);
    assert!(office.seen[2]
        .authorization()
        .is_some_and(|a| a.contains("nonce=\"older\"")));
}

#[test]
fn changing_the_trunk_tries_again() {
    let mut office = Office::new(35, vec![Algorithm::Md5]);
    office.provider_password = "new-password".to_owned();
    office.set_plan(plan(vec![trunk(1)]));
    assert!(matches!(
        office.status(1),
        Some(TrunkStatus::Rejected { .. })
    ));
    let mut fixed = trunk(1);
    if let pbx::dialplan::TrunkAuth::Registration { password, .. } = &mut fixed.auth {
        *password = "new-password".to_owned();
    }
    office.set_plan(plan(vec![fixed]));
    assert!(matches!(
        office.status(1),
        Some(TrunkStatus::Registered { .. })
    ));
}

#[test]
fn an_unanswerable_challenge_is_not_retried() {
    let mut office = Office::new(36, vec![Algorithm::Md5]);
    office.forced.push_back(Forced::Status(
        401,
        "Unauthorized",
        vec![("WWW-Authenticate", "Basic realm=\"x\"".to_owned())],
    ));
    office.set_plan(plan(vec![trunk(1)]));
    office.run_until(A_DAY);
    assert_eq!(office.seen.len(), 1);
    assert!(matches!(
        office.status(1),
        Some(TrunkStatus::Rejected { .. })
    ));
}
