//! A provider answering at random (errors, silence, redirects, Retry-After, odd
//! statuses) for hours, over many seeds: the trunk never retries a failure sooner than
//! the backoff allows, never sends anything after a refusal, and registers as soon as
//! the provider behaves again.

mod trunk_support;

use std::time::Duration;

use pbx::TrunkStatus;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sip::auth::Algorithm;
use trunk_support::*;

fn random_answer(rng: &mut StdRng) -> Option<Forced> {
    let retry_after = || vec![("Retry-After", "45".to_owned())];
    Some(match rng.gen_range(0..10) {
        0 => Forced::Silence,
        1 => Forced::Status(500, "Server Internal Error", vec![]),
        2 => Forced::Status(503, "Service Unavailable", retry_after()),
        3 => Forced::Status(404, "Not Found", vec![]),
        4 => Forced::Status(480, "Temporarily Unavailable", retry_after()),
        5 => Forced::Status(302, "Moved Temporarily", vec![]),
        6 => Forced::Status(606, "Not Acceptable", vec![]),
        7 => Forced::Status(423, "Interval Too Brief", vec![]),
        8 => Forced::Status(488, "", vec![]),
        _ => return None, // the usual digest registrar
    })
}

/// Statuses after which the next REGISTER rightly follows at once.
fn continues_at_once(answered: Option<u16>) -> bool {
    matches!(answered, Some(401 | 407 | 200..=299))
}

#[test]
fn failures_are_never_retried_sooner_than_the_backoff() {
    for seed in 0..40 {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut office = Office::new(seed, vec![Algorithm::Md5]);
        office.granted = 600;
        for _ in 0..30 {
            match random_answer(&mut rng) {
                Some(forced) => office.forced.push_back(forced),
                // Let the usual registrar answer this one: a challenge, then success.
                None => break,
            }
        }
        office.set_plan(plan(vec![trunk(1)]));
        office.run_until(Duration::from_secs(12 * 3600));

        for pair in office.seen.windows(2) {
            let gap = pair[1].at - pair[0].at;
            if !continues_at_once(pair[0].answered) {
                assert!(
                    gap >= Duration::from_secs(30),
                    "seed {seed}: retried {gap:?} after {:?}",
                    pair[0].answered
                );
            }
        }
        // Once the provider behaves, the trunk is registered.
        assert!(
            matches!(office.status(1), Some(TrunkStatus::Registered { .. })),
            "seed {seed}: {:?}",
            office.status(1)
        );
    }
}

#[test]
fn nothing_is_sent_after_a_refusal() {
    for seed in 0..40 {
        let mut rng = StdRng::seed_from_u64(1000 + seed);
        let mut office = Office::new(seed, vec![Algorithm::Md5]);
        for _ in 0..rng.gen_range(0..6) {
            if let Some(forced) = random_answer(&mut rng) {
                office.forced.push_back(forced);
            }
        }
        office
            .forced
            .push_back(Forced::Status(403, "Forbidden", vec![]));
        office.set_plan(plan(vec![trunk(1)]));
        office.run_until(Duration::from_secs(24 * 3600));
        let refused = office
            .seen
            .iter()
            .position(|s| s.answered == Some(403))
            .expect("the 403 was reached");
        assert_eq!(refused + 1, office.seen.len(), "seed {seed}");
        assert!(matches!(
            office.status(1),
            Some(TrunkStatus::Rejected { .. })
        ));
    }
}
