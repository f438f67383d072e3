//! Behind a NAT the provider reports where it saw the PBX (RFC 3581 `received` and
//! `rport`); the trunk registers that address instead, removing the private one, so
//! the provider's calls come back through the NAT. A NAT that changes its mind on
//! every request cannot make the trunk send more than one correction per refresh.

mod trunk_support;

use std::time::Duration;

use pbx::TrunkStatus;
use sip::auth::{Algorithm, Verdict};
use trunk_support::*;

const PUBLIC: &str = "198.51.100.20:40123";

fn contacts(seen: &Seen) -> Vec<String> {
    seen.request
        .headers
        .get_all("Contact")
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_public_address_replaces_the_private_one() {
    let mut office = Office::new(71, vec![Algorithm::Md5]);
    office.nat_as = Some(addr(PUBLIC));
    office.set_plan(plan(vec![trunk(1)]));
    // Challenge, answer (private contact, accepted), then the correction.
    assert_eq!(office.seen.len(), 3);
    assert_eq!(
        contacts(&office.seen[1]),
        [format!("<sip:{CONTACT_USER}@192.168.1.1:5060>")]
    );
    assert_eq!(
        contacts(&office.seen[2]),
        [
            format!("<sip:{CONTACT_USER}@198.51.100.20:40123>"),
            format!("<sip:{CONTACT_USER}@192.168.1.1:5060>;expires=0"),
        ]
    );
    assert!(matches!(
        office.seen[2].verdict,
        Some(Verdict::Authorized { .. })
    ));
    assert!(matches!(
        office.status(1),
        Some(TrunkStatus::Registered { .. })
    ));

    // Refreshes keep the public address and correct nothing more.
    office.run_until(Duration::from_secs(3600));
    let later = &office.seen[3..];
    assert!(later.len() >= 55, "{} refreshes", later.len());
    for s in later {
        assert_eq!(
            contacts(s),
            [format!("<sip:{CONTACT_USER}@198.51.100.20:40123>")]
        );
    }
}

#[test]
fn a_changing_nat_gets_at_most_one_correction_per_refresh() {
    let mut office = Office::new(72, vec![Algorithm::Md5]);
    office.nat_as = Some(addr(PUBLIC));
    office.nat_port_changes = true;
    office.set_plan(plan(vec![trunk(1)]));
    office.run_until(Duration::from_secs(3600));
    // Of the accepted REGISTERs, a correction (new Contact plus the old one removed)
    // is always followed by a plain refresh, never by another correction.
    let accepted: Vec<bool> = office
        .seen
        .iter()
        .filter(|s| matches!(s.verdict, Some(Verdict::Authorized { .. })))
        .map(|s| contacts(s).len() == 2)
        .collect();
    assert!(accepted.len() > 100, "{} accepted", accepted.len());
    assert!(
        accepted.iter().filter(|c| **c).count() > 50,
        "no corrections"
    );
    assert!(
        accepted.windows(2).all(|w| !(w[0] && w[1])),
        "corrections in a row: {accepted:?}"
    );
    assert!(matches!(
        office.status(1),
        Some(TrunkStatus::Registered { .. })
    ));
}

#[test]
fn without_a_nat_nothing_is_corrected() {
    let mut office = Office::new(73, vec![Algorithm::Md5]);
    office.nat_as = Some(addr(PBX_ADDR));
    office.set_plan(plan(vec![trunk(1)]));
    assert_eq!(office.seen.len(), 2);
}

#[test]
fn a_network_change_with_the_same_local_address_keeps_the_public_contact() {
    let mut office = Office::new(74, vec![Algorithm::Md5]);
    office.nat_as = Some(addr(PUBLIC));
    office.set_plan(plan(vec![trunk(1)]));
    office.run_until(Duration::from_secs(10));
    let before = office.seen.len();
    office.network_changed();
    assert_eq!(office.seen.len(), before + 1, "one REGISTER, no correction");
    assert_eq!(
        contacts(&office.seen[before]),
        [format!("<sip:{CONTACT_USER}@198.51.100.20:40123>")]
    );

    // The NAT now maps us elsewhere: the next answer corrects the contact once.
    office.nat_as = Some(addr("198.51.100.20:50000"));
    office.network_changed();
    let last = office.seen.last().expect("a REGISTER");
    assert_eq!(
        contacts(last),
        [
            format!("<sip:{CONTACT_USER}@198.51.100.20:50000>"),
            format!("<sip:{CONTACT_USER}@198.51.100.20:40123>;expires=0"),
        ]
    );
}

#[test]
fn behind_a_nat_keep_alives_hold_the_mapping_open() {
    let mut office = Office::new(75, vec![Algorithm::Md5]);
    office.nat_as = Some(addr(PUBLIC));
    // Refreshes half an hour apart, far longer than a NAT remembers a mapping.
    office.granted = 3600;
    office.set_plan(plan(vec![trunk(1)]));
    office.run_until(Duration::from_secs(300));
    // Every 25 s from registration on, however far apart the refreshes are.
    let expected: Vec<Duration> = (1..=12).map(|n| Duration::from_secs(25 * n)).collect();
    assert_eq!(office.keepalives, expected);

    // A removed trunk sends none.
    office.set_plan(plan(vec![]));
    office.run_until(Duration::from_secs(600));
    assert_eq!(office.keepalives.len(), 12);
}

#[test]
fn without_a_nat_no_keep_alives_are_sent() {
    let mut office = Office::new(76, vec![Algorithm::Md5]);
    office.set_plan(plan(vec![trunk(1)]));
    office.run_until(Duration::from_secs(300));
    assert!(office.keepalives.is_empty());
}
