//! RFC 3261 §10.2.2: a trunk that is removed, disabled or re-pointed takes its binding
//! off the provider (Expires: 0, same Call-ID) and stops refreshing it.

mod trunk_support;

use std::time::Duration;

use pbx::TrunkStatus;
use sip::auth::Algorithm;
use trunk_support::*;

fn registered() -> Office {
    let mut office = Office::new(51, vec![Algorithm::Md5]);
    office.set_plan(plan(vec![trunk(1)]));
    office.run_until(Duration::from_secs(10));
    assert!(matches!(
        office.status(1),
        Some(TrunkStatus::Registered { .. })
    ));
    office
}

fn assert_unregistered_once(office: &mut Office, from: usize) {
    let removal: Vec<&Seen> = office.seen[from..]
        .iter()
        .filter(|s| s.expires() == Some(0))
        .collect();
    assert!(!removal.is_empty(), "no de-registration");
    let call_id = office.seen[0].request.call_id().map(str::to_owned);
    assert_eq!(removal[0].request.call_id().map(str::to_owned), call_id);
    // The Contact is the one registered.
    assert_eq!(
        removal[0].request.headers.get("Contact"),
        office.seen[0].request.headers.get("Contact")
    );
    let count = office.seen.len();
    office.run_until(Duration::from_secs(3 * 3600));
    assert_eq!(office.seen.len(), count, "still refreshing");
}

#[test]
fn removing_the_trunk_unregisters_it() {
    let mut office = registered();
    let from = office.seen.len();
    office.set_plan(plan(vec![]));
    assert_unregistered_once(&mut office, from);
    assert!(office.pbx.trunk_states().is_empty());
}

#[test]
fn disabling_the_trunk_unregisters_it() {
    let mut office = registered();
    let from = office.seen.len();
    let mut off = trunk(1);
    off.enabled = false;
    office.set_plan(plan(vec![off]));
    assert_unregistered_once(&mut office, from);
    assert_eq!(office.status(1), Some(TrunkStatus::Disabled));
    assert!(office
        .events
        .iter()
        .any(|(_, s)| s.status == TrunkStatus::Disabled));
}

#[test]
fn new_credentials_replace_the_registration() {
    let mut office = registered();
    let from = office.seen.len();
    let mut changed = trunk(1);
    if let pbx::dialplan::TrunkAuth::Registration { contact_user, .. } = &mut changed.auth {
        *contact_user = "tk-new".to_owned();
    }
    office.set_plan(plan(vec![changed]));
    let new_contact = office.seen[from..]
        .iter()
        .filter(|s| s.expires() != Some(0))
        .filter_map(|s| s.request.headers.get("Contact"))
        .next_back()
        .map(str::to_owned);
    assert!(new_contact.is_some_and(|c| c.contains("tk-new")));
    assert!(office.seen[from..].iter().any(|s| s.expires() == Some(0)
        && s.request
            .headers
            .get("Contact")
            .is_some_and(|c| c.contains(CONTACT_USER))));
    assert!(matches!(
        office.status(1),
        Some(TrunkStatus::Registered { .. })
    ));
}

#[test]
fn renaming_the_trunk_keeps_the_registration() {
    let mut office = registered();
    let from = office.seen.len();
    let mut renamed = trunk(1);
    renamed.name = "Main line".to_owned();
    renamed.channels = 4;
    office.set_plan(plan(vec![renamed]));
    assert_eq!(office.seen.len(), from);
    let state = &office.pbx.trunk_states()[0];
    assert_eq!((state.name.as_str(), state.channels), ("Main line", 4));
}

#[test]
fn a_trunk_never_registered_sends_nothing_when_removed() {
    let mut office = Office::new(52, vec![Algorithm::Md5]);
    office
        .forced
        .push_back(Forced::Status(403, "Forbidden", vec![]));
    office.set_plan(plan(vec![trunk(1)]));
    office.set_plan(plan(vec![]));
    office.run_until(Duration::from_secs(600));
    assert_eq!(office.seen.len(), 1);
}

#[test]
fn stopping_the_pbx_unregisters_every_trunk_and_says_when_it_is_done() {
    let mut office = registered();
    let from = office.seen.len();
    office.pbx.unregister_trunks(office.now);
    // The removal was sent but its answer has not been read yet.
    assert!(office.pbx.trunks_unregistering());
    let later = office.elapsed() + Duration::from_secs(1);
    office.run_until(later);
    assert!(!office.pbx.trunks_unregistering());
    assert_unregistered_once(&mut office, from);
}
