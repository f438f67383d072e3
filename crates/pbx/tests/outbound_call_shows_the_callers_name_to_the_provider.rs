//! A call out through a trunk carries the caller's name as the display name of From,
//! next to whatever user the provider requires there.

mod support;

use std::time::Duration;

use support::trunk_calls::{office, ALICE, DIALLED, PROVIDER};

fn from_of_first_invite(w: &mut support::World) -> sip::NameAddr {
    w.with(ALICE, |p, now| p.call(now, DIALLED));
    assert!(w.run_until(Duration::from_secs(5), |w| w.phones[PROVIDER]
        .incoming(0)
        .is_some()));
    let idx = w.phones[PROVIDER].incoming(0).expect("arrived");
    w.phones[PROVIDER].calls[idx].invite.from().expect("From")
}

#[test]
fn the_extensions_name_is_the_display_name_of_from() {
    let mut w = office(340, |_| {});
    let from = from_of_first_invite(&mut w);
    assert_eq!(from.display_name.as_deref(), Some("Alice"));
    assert_eq!(from.uri.user(), Some("100"));
}

#[test]
fn the_name_goes_with_the_from_user_the_provider_requires() {
    let mut w = office(341, |t| t.from_user = Some("acme-account".into()));
    let from = from_of_first_invite(&mut w);
    assert_eq!(from.display_name.as_deref(), Some("Alice"));
    assert_eq!(from.uri.user(), Some("acme-account"));
}
