//! Voicemail as a destination: a ring group whose members ring out reaches its final
//! destination's mailbox, a group with no final destination leaves the message in its own
//! mailbox, and a business name pointing at a mailbox is answered by voicemail at once
//! (holding the trunk line until the call ends).

mod support;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use pbx::dialplan::{Destination, DialPlan, RingStrategy};
use pbx::{Action, EndpointId, EndpointPort, MediaEndpoints};
use support::trunk_office::{carol, group, provider, sales_plan, SALES_NUMBER};
use support::{alice, bob, CallState, World};

/// Hands out made-up endpoint sockets.
struct FakeEndpoints(u64);

impl MediaEndpoints for FakeEndpoints {
    fn allocate(&mut self, ip: IpAddr) -> Option<EndpointPort> {
        self.0 += 1;
        Some(EndpointPort {
            id: EndpointId(self.0),
            addr: SocketAddr::new(ip, 40_000 + 2 * u16::try_from(self.0).ok()?),
        })
    }
}

fn with_voicemail(w: &mut World, mailboxes: &[&str]) {
    w.pbx.set_media_endpoints(Box::new(FakeEndpoints(0)));
    w.pbx
        .set_mailboxes(mailboxes.iter().map(|m| (*m).to_owned()));
}

fn mailboxes_recorded(w: &World) -> Vec<String> {
    w.actions
        .iter()
        .filter_map(|a| match a {
            Action::PlayAndRecord(r) => Some(r.mailbox.clone()),
            _ => None,
        })
        .collect()
}

/// Carol calls group 600 (Bob for 5 s, then Alice for 5 s).
fn group_office(seed: u64, final_destination: Option<Destination>) -> World {
    let mut w = World::lan(seed);
    w.add(carol(seed + 1));
    w.add(alice(seed + 2));
    w.add(bob(seed + 3));
    w.register_all();
    w.install(DialPlan {
        ring_groups: vec![group(
            "600",
            RingStrategy::InOrder,
            &[("101", 5), ("100", 5)],
            final_destination,
        )],
        ..DialPlan::default()
    });
    w
}

#[test]
fn a_group_ringing_out_reaches_the_mailbox_of_its_final_destination() {
    let mut w = group_office(90, Some(Destination::Voicemail("101".into())));
    with_voicemail(&mut w, &["101"]);
    let call = w.with(0, |p, now| p.call(now, "600"));
    w.run_for(Duration::from_secs(9));
    assert_eq!(
        w.phones[0].calls[call].state,
        CallState::Ringing,
        "members still ring"
    );
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.phones[0].calls[call].state, CallState::Confirmed);
    assert_eq!(mailboxes_recorded(&w), ["101"]);
}

#[test]
fn a_group_without_a_final_destination_keeps_messages_in_its_own_mailbox() {
    let mut w = group_office(91, None);
    with_voicemail(&mut w, &["600"]);
    let call = w.with(0, |p, now| p.call(now, "600"));
    w.run_for(Duration::from_secs(11));
    assert_eq!(w.phones[0].calls[call].state, CallState::Confirmed);
    assert_eq!(mailboxes_recorded(&w), ["600"]);
}

#[test]
fn a_business_name_pointing_at_a_mailbox_is_answered_by_voicemail() {
    let mut w = World::lan(92);
    w.add(provider(93));
    w.add(alice(94));
    w.with(1, |p, now| p.register(now));
    assert!(w.run_until(Duration::from_secs(5), |w| w.phones[1].registered));
    w.install(sales_plan(2, Destination::Voicemail("100".into())));
    with_voicemail(&mut w, &["100"]);

    let call = w.with(0, |p, now| p.call(now, SALES_NUMBER));
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.phones[0].calls[call].state, CallState::Confirmed);
    assert!(
        w.phones[1].incoming(0).is_none(),
        "Alice's phone does not ring"
    );
    assert_eq!(mailboxes_recorded(&w), ["100"]);
    assert_eq!(w.lines_in_use(1), 1, "the message holds a line");

    w.with(0, |p, now| p.hang_up(now, call));
    w.settle();
    assert_eq!(w.lines_in_use(1), 0);
    assert_eq!(w.pbx.call_count(), 0);
    assert!(w
        .actions
        .iter()
        .any(|a| matches!(a, Action::EndpointClose { .. })));
}

/// Issue: a call that finds every line busy goes to the trunk's overflow destination, by
/// default the voicemail of whoever it was for when they have a mailbox.
#[test]
fn a_call_finding_every_line_busy_is_left_in_the_mailbox_by_default() {
    let mut w = World::lan(95);
    w.add(provider(96));
    w.add(alice(97));
    w.with(1, |p, now| p.register(now));
    assert!(w.run_until(Duration::from_secs(5), |w| w.phones[1].registered));
    w.install(sales_plan(1, Destination::Extension("100".into())));
    with_voicemail(&mut w, &["100"]);

    let first = w.with(0, |p, now| p.call(now, SALES_NUMBER));
    assert!(w.run_until(Duration::from_secs(2), |w| w.phones[1]
        .incoming(0)
        .is_some()));
    let second = w.with(0, |p, now| p.call(now, SALES_NUMBER));
    w.run_for(Duration::from_secs(2));
    assert_eq!(w.phones[0].calls[first].state, CallState::Ringing);
    assert_eq!(
        w.phones[0].calls[second].state,
        CallState::Confirmed,
        "voicemail answered the second call"
    );
    assert!(w.phones[1].incoming(1).is_none(), "Alice's phone rang once");
    assert_eq!(mailboxes_recorded(&w), ["100"]);

    w.with(0, |p, now| p.hang_up(now, second));
    w.settle();
    let records = w.records();
    let overflowed = records
        .iter()
        .find(|r| r.lines_busy)
        .expect("the second call's record");
    assert_eq!(overflowed.business_name.as_deref(), Some("sales.acme"));
}
