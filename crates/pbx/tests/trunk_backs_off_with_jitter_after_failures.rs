//! RFC 5626 §4.5: after each consecutive failure the trunk waits
//! min(1800 s, 30 s · 2^failures) times a random 50–100 %, shown in its status; a
//! success starts the count again.

mod trunk_support;

use std::time::Duration;

use pbx::TrunkStatus;
use sip::auth::Algorithm;
use trunk_support::*;

fn bound(failures: u32) -> Duration {
    Duration::from_secs((30u64 << failures).min(1800))
}

fn failing_provider(seed: u64) -> Office {
    let mut office = Office::new(seed, vec![Algorithm::Md5]);
    for _ in 0..20 {
        office
            .forced
            .push_back(Forced::Status(500, "Server Internal Error", vec![]));
    }
    office.set_plan(plan(vec![trunk(1)]));
    office.run_until(Duration::from_secs(6 * 3600));
    office
}

#[test]
fn waits_grow_within_the_rfc_5626_bounds_up_to_the_cap() {
    let office = failing_provider(7);
    let times: Vec<Duration> = office.seen.iter().map(|s| s.at).collect();
    assert!(times.len() >= 12, "{times:?}");
    for (i, pair) in times.windows(2).take(15).enumerate() {
        let failures = i as u32 + 1;
        let wait = pair[1] - pair[0];
        let upper = bound(failures);
        assert!(
            wait >= upper / 2 && wait <= upper,
            "wait {failures}: {wait:?} not within {:?}..={upper:?}",
            upper / 2
        );
    }
}

#[test]
fn the_jitter_differs_between_pbxs() {
    let a = failing_provider(11);
    let b = failing_provider(12);
    let times = |o: &Office| o.seen.iter().map(|s| s.at).take(6).collect::<Vec<_>>();
    assert_ne!(times(&a), times(&b));
}

#[test]
fn status_says_why_and_when_it_retries() {
    let mut office = Office::new(3, vec![Algorithm::Md5]);
    office
        .forced
        .push_back(Forced::Status(500, "Server Internal Error", vec![]));
    office.set_plan(plan(vec![trunk(1)]));
    let Some(TrunkStatus::Failing { reason, retry_in }) = office.status(1) else {
        panic!("not failing: {:?}", office.status(1));
    };
    assert!(reason.contains("500 Server Internal Error"), "{reason}");
    assert!((30..=60).contains(&retry_in), "{retry_in}");
    // The retry happens when the status said, and then succeeds.
    office.run_until(Duration::from_secs(retry_in - 1));
    assert_eq!(office.seen.len(), 1);
    office.run_until(Duration::from_secs(retry_in));
    assert!(matches!(
        office.status(1),
        Some(TrunkStatus::Registered { .. })
    ));
}

#[test]
fn a_success_resets_the_count() {
    let mut office = Office::new(4, vec![Algorithm::Md5]);
    for _ in 0..4 {
        office
            .forced
            .push_back(Forced::Status(503, "Service Unavailable", vec![]));
    }
    office.set_plan(plan(vec![trunk(1)]));
    // Four failures, then registered (challenge + answer).
    office.run_until(Duration::from_secs(3600));
    assert!(matches!(
        office.status(1),
        Some(TrunkStatus::Registered { .. })
    ));
    // A later refresh fails once: the wait is the first one's again (30–60 s).
    office
        .forced
        .push_back(Forced::Status(503, "Service Unavailable", vec![]));
    let before = office.seen.len();
    let mut t = Duration::from_secs(3600);
    while office.seen.len() == before {
        t += Duration::from_secs(1);
        office.run_until(t);
    }
    let failed_at = office.seen[before].at;
    let Some(TrunkStatus::Failing { retry_in, .. }) = office.status(1) else {
        panic!("not failing: {:?}", office.status(1));
    };
    assert!((30..=60).contains(&retry_in), "{retry_in}");
    office.run_until(failed_at + Duration::from_secs(61));
    assert!(office.seen[before + 1].at - failed_at <= Duration::from_secs(60));
}

#[test]
fn no_answer_at_all_is_a_failure_too() {
    let mut office = Office::new(5, vec![Algorithm::Md5]);
    office.forced.push_back(Forced::Silence);
    office.set_plan(plan(vec![trunk(1)]));
    // RFC 3261 §17.1.2.2: Timer F gives up after 64·T1 = 32 s.
    office.run_until(Duration::from_secs(33));
    let Some(TrunkStatus::Failing { reason, .. }) = office.status(1) else {
        panic!("not failing: {:?}", office.status(1));
    };
    assert!(reason.contains("no answer"), "{reason}");
    assert_eq!(office.seen.len(), 1);
}
