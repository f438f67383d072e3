//! A registration trunk sends its first REGISTER at once, answers the provider's digest
//! challenge (MD5 or SHA-256, checked by the `sip` crate's own digest server), and
//! refreshes the registration well before it expires, for hours, with one Call-ID.

mod trunk_support;

use std::time::Duration;

use pbx::TrunkStatus;
use sip::auth::{Algorithm, Verdict};
use trunk_support::*;

fn registers_and_refreshes(algorithms: Vec<Algorithm>, expect: &str) {
    let mut office = Office::new(1, algorithms);
    office.set_plan(plan(vec![trunk(1)]));

    // The first REGISTER goes out at once, without credentials, and is challenged;
    // the answer follows at once and is accepted.
    let first = &office.seen[0];
    assert_eq!(first.at, Duration::ZERO);
    assert!(first.authorization().is_none());
    let r = &first.request;
    assert_eq!(r.uri.to_string(), "sip:203.0.113.5");
    let to = r.to().expect("To");
    assert_eq!(to.uri.user(), Some(USERNAME));
    let contacts = r.contacts().expect("Contact");
    let contact = &contacts.addrs()[0];
    assert_eq!(contact.uri.user(), Some(CONTACT_USER));
    assert_eq!(
        contact.uri.to_string(),
        format!("sip:{CONTACT_USER}@192.168.1.1:5060")
    );
    assert_eq!(first.expires(), Some(3600));

    let second = &office.seen[1];
    assert_eq!(second.at, Duration::ZERO);
    let auth = second.authorization().expect("answer to the challenge");
    assert!(auth.contains(&format!("algorithm={expect}")), "{auth}");
    assert!(auth.contains("qop=auth"), "{auth}");
    assert!(matches!(second.verdict, Some(Verdict::Authorized { .. })));
    assert_eq!(
        office.status(1),
        Some(TrunkStatus::Registered { expires_in: 120 })
    );

    // Two hours: the provider grants 120 s each time; the PBX never lets it lapse.
    office.run_until(Duration::from_secs(2 * 3600));
    let accepted: Vec<Duration> = office
        .seen
        .iter()
        .filter(|s| matches!(s.verdict, Some(Verdict::Authorized { .. })))
        .map(|s| s.at)
        .collect();
    assert!(accepted.len() >= 100, "only {} refreshes", accepted.len());
    for pair in accepted.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(gap < Duration::from_secs(120), "refresh after {gap:?}");
        assert!(
            gap >= Duration::from_secs(30),
            "refreshing too often: {gap:?}"
        );
    }
    // RFC 3261 §10.2.4: one Call-ID, rising CSeq.
    let call_ids: std::collections::HashSet<_> = office
        .seen
        .iter()
        .map(|s| s.request.call_id().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(call_ids.len(), 1);
    let cseqs: Vec<u32> = office
        .seen
        .iter()
        .map(|s| s.request.cseq().expect("CSeq").seq)
        .collect();
    assert!(cseqs.windows(2).all(|w| w[1] > w[0]), "{cseqs:?}");
    assert!(matches!(
        office.status(1),
        Some(TrunkStatus::Registered { .. })
    ));
    // Nothing the provider refused along the way.
    assert!(office
        .seen
        .iter()
        .all(|s| !matches!(s.verdict, Some(Verdict::Rejected))));
}

#[test]
fn registers_with_md5() {
    registers_and_refreshes(vec![Algorithm::Md5], "MD5");
}

#[test]
fn registers_with_sha256_when_offered_first() {
    registers_and_refreshes(vec![Algorithm::Sha256, Algorithm::Md5], "SHA-256");
}

#[test]
fn status_events_follow_registration() {
    let mut office = Office::new(2, vec![Algorithm::Md5]);
    office.set_plan(plan(vec![trunk(1)]));
    let statuses: Vec<TrunkStatus> = office
        .events
        .iter()
        .map(|(_, s)| s.status.clone())
        .collect();
    assert_eq!(
        statuses,
        [
            TrunkStatus::Registering,
            TrunkStatus::Registered { expires_in: 120 }
        ]
    );
    let (_, state) = &office.events[1];
    assert_eq!(state.name, "Provider 1");
    assert_eq!((state.lines_in_use, state.channels), (0, 2));
    // Refreshes that change nothing are not news.
    office.run_until(Duration::from_secs(600));
    assert_eq!(office.events.len(), 2);
}

#[test]
fn a_proxy_and_the_registrar_may_both_challenge() {
    let mut office = Office::new(3, vec![Algorithm::Md5]);
    office.forced.push_back(Forced::Status(
        407,
        "Proxy Authentication Required",
        vec![(
            "Proxy-Authenticate",
            "Digest realm=\"proxy.example\", nonce=\"p1\", qop=\"auth\"".to_owned(),
        )],
    ));
    office.set_plan(plan(vec![trunk(1)]));
    // 407 → answered for the proxy → 401 from the registrar → both answered → 200.
    assert_eq!(office.seen.len(), 3);
    let proxy_auth = |s: &Seen| s.request.headers.get("Proxy-Authorization").is_some();
    assert!(proxy_auth(&office.seen[1]) && office.seen[1].authorization().is_none());
    assert!(proxy_auth(&office.seen[2]) && office.seen[2].authorization().is_some());
    assert!(matches!(
        office.status(1),
        Some(TrunkStatus::Registered { .. })
    ));
}
