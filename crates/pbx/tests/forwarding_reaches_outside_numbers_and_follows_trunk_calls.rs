//! Forwarding beyond the office and for calls from the provider: an extension forwarding
//! to an outside number sends its calls out through the outbound routes (when it may call
//! out; otherwise it rings as usual), on no answer only after its ring time; a provider's
//! call to an extension in do-not-disturb is busy, or voicemail when the mailbox is on.

mod support;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use pbx::{Action, EndpointId, EndpointPort, Forwarding, MediaEndpoints};
use support::trunk_calls::{office, ALICE, DIALLED, PROVIDER};
use support::trunk_office::SALES_NUMBER;
use support::{bob, CallState, World};

const BOB: usize = 2;

fn with_bob(seed: u64) -> World {
    let mut w = office(seed, |_| {});
    w.add(bob(seed + 3));
    w.with(BOB, |p, now| p.register(now));
    assert!(w.run_until(Duration::from_secs(5), |w| w.phones[BOB].registered));
    w
}

fn forward(w: &mut World, number: &str, f: impl FnOnce(&mut Forwarding)) {
    let mut settings = Forwarding::default();
    f(&mut settings);
    w.pbx.set_forwarding([(number.to_owned(), settings)]);
}

fn provider_rang(w: &World) -> Option<String> {
    let idx = w.phones[PROVIDER].incoming(0)?;
    w.phones[PROVIDER].calls[idx]
        .invite
        .uri
        .user_unescaped()
        .map(|u| u.into_owned())
}

#[test]
fn forward_always_to_an_outside_number_goes_out_by_the_route() {
    let mut w = with_bob(600);
    forward(&mut w, "100", |f| f.always = Some(DIALLED.to_owned()));
    w.with(BOB, |p, now| p.call(now, "100"));
    assert!(w.run_until(Duration::from_secs(3), |w| provider_rang(w).is_some()));
    assert_eq!(provider_rang(&w).as_deref(), Some("+442079460000"));
    assert!(
        w.phones[ALICE].incoming(0).is_none(),
        "Alice's phone never rang"
    );
}

#[test]
fn a_forward_out_without_permission_rings_the_extension_as_usual() {
    let mut w = with_bob(610);
    // Bob (101) may not call out.
    forward(&mut w, "101", |f| f.always = Some(DIALLED.to_owned()));
    w.with(ALICE, |p, now| p.call(now, "101"));
    assert!(w.run_until(Duration::from_secs(3), |w| w.phones[BOB]
        .incoming(0)
        .is_some()));
    assert!(provider_rang(&w).is_none());
}

#[test]
fn forward_on_no_answer_to_an_outside_number_waits_for_the_ring_time() {
    let mut w = with_bob(620);
    forward(&mut w, "100", |f| {
        f.no_answer = Some(DIALLED.to_owned());
        f.no_answer_after = Duration::from_secs(6);
    });
    let call = w.with(BOB, |p, now| p.call(now, "100"));
    assert!(w.run_until(Duration::from_secs(2), |w| w.phones[ALICE]
        .incoming(0)
        .is_some()));
    w.run_for(Duration::from_secs(3));
    assert!(provider_rang(&w).is_none(), "Alice rings first");
    assert!(w.run_until(Duration::from_secs(5), |w| provider_rang(w).is_some()));
    let alice_leg = w.phones[ALICE].incoming(0).expect("rang");
    assert!(
        w.run_until(Duration::from_secs(2), |w| w.phones[ALICE].calls[alice_leg]
            .state
            == CallState::Cancelled)
    );
    let out = w.phones[PROVIDER].incoming(0).expect("out");
    w.with(PROVIDER, |p, now| p.answer(now, out));
    assert!(
        w.run_until(Duration::from_secs(2), |w| w.phones[BOB].calls[call].state
            == CallState::Confirmed)
    );
}

/// Endpoint sockets made up from port 40000.
struct FakeEndpoints(u64);

impl MediaEndpoints for FakeEndpoints {
    fn allocate(&mut self, ip: IpAddr) -> Option<EndpointPort> {
        self.0 += 1;
        Some(EndpointPort {
            id: EndpointId(self.0),
            addr: SocketAddr::new(ip, 40_000 + 2 * self.0 as u16),
        })
    }
}

#[test]
fn a_provider_call_to_an_extension_in_dnd_is_busy_or_voicemail() {
    let mut w = office(630, |_| {});
    forward(&mut w, "100", |f| f.dnd = true);
    let call = w.with(PROVIDER, |p, now| p.call(now, SALES_NUMBER));
    w.run_for(Duration::from_secs(3));
    assert_eq!(w.phones[PROVIDER].calls[call].state, CallState::Failed(486));
    assert!(w.phones[ALICE].incoming(0).is_none());

    w.pbx.set_media_endpoints(Box::new(FakeEndpoints(0)));
    w.pbx.set_mailboxes(["100".to_owned()]);
    let call = w.with(PROVIDER, |p, now| p.call(now, SALES_NUMBER));
    w.run_for(Duration::from_secs(3));
    assert_eq!(w.phones[PROVIDER].calls[call].state, CallState::Confirmed);
    assert!(w.actions.iter().any(|a| matches!(
        a,
        Action::PlayAndRecord(r) if r.mailbox == "100"
    )));
    assert!(w.phones[ALICE].incoming(0).is_none());
}

#[test]
fn a_provider_call_to_an_extension_forwarding_out_goes_back_out_on_a_second_line() {
    let mut w = office(640, |_| {});
    forward(&mut w, "100", |f| f.always = Some(DIALLED.to_owned()));
    let call = w.with(PROVIDER, |p, now| p.call(now, SALES_NUMBER));
    assert!(w.run_until(Duration::from_secs(3), |w| w.phones[PROVIDER]
        .incoming(0)
        .is_some()));
    assert_eq!(provider_rang(&w).as_deref(), Some("+442079460000"));
    assert!(w.phones[ALICE].incoming(0).is_none());
    assert_eq!(w.lines_in_use(1), 2, "one line in, one line out");
    let out = w.phones[PROVIDER].incoming(0).expect("out");
    w.with(PROVIDER, |p, now| p.answer(now, out));
    assert!(
        w.run_until(Duration::from_secs(2), |w| w.phones[PROVIDER].calls[call]
            .state
            == CallState::Confirmed)
    );
    w.with(PROVIDER, |p, now| p.hang_up(now, call));
    w.settle();
    assert_eq!(w.lines_in_use(1), 0, "both lines are free again");
    assert_eq!(w.pbx.call_count(), 0);
}

#[test]
fn a_provider_call_rings_the_extension_before_its_no_answer_forward_out() {
    let mut w = office(650, |_| {});
    forward(&mut w, "100", |f| {
        f.no_answer = Some(DIALLED.to_owned());
        f.no_answer_after = Duration::from_secs(5);
    });
    w.with(PROVIDER, |p, now| p.call(now, SALES_NUMBER));
    assert!(w.run_until(Duration::from_secs(2), |w| w.phones[ALICE]
        .incoming(0)
        .is_some()));
    assert!(provider_rang(&w).is_none());
    assert!(w.run_until(Duration::from_secs(6), |w| provider_rang(w).is_some()));
    assert_eq!(provider_rang(&w).as_deref(), Some("+442079460000"));
}

#[test]
fn a_ring_groups_final_destination_forwarding_out_goes_out_after_the_group() {
    let mut w = with_bob(660);
    let mut plan =
        support::trunk_office::sales_plan(2, pbx::dialplan::Destination::RingGroup("601".into()));
    plan.ring_groups = vec![support::trunk_office::group(
        "601",
        pbx::dialplan::RingStrategy::All,
        &[("101", 5)],
        Some(pbx::dialplan::Destination::Extension("100".into())),
    )];
    plan.outbound_routes = vec![support::trunk_office::uk_route(vec![1])];
    plan.outbound_allowed = vec!["100".into()];
    w.install(plan);
    forward(&mut w, "100", |f| f.always = Some(DIALLED.to_owned()));
    w.with(PROVIDER, |p, now| p.call(now, SALES_NUMBER));
    assert!(w.run_until(Duration::from_secs(2), |w| w.phones[BOB]
        .incoming(0)
        .is_some()));
    assert!(provider_rang(&w).is_none(), "the group rings first");
    assert!(w.run_until(Duration::from_secs(8), |w| provider_rang(w).is_some()));
    assert_eq!(provider_rang(&w).as_deref(), Some("+442079460000"));
    assert!(
        w.phones[ALICE].incoming(0).is_none(),
        "Alice's desk phone never rang"
    );
}
