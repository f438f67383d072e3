//! The office PC moves to another network (Wi-Fi to a phone's tethering): once the PBX is
//! told its new address and that the network changed, the trunk registers again with the
//! new address in Via and Contact (taking the old binding off, RFC 3261 §10.2.2), and new
//! calls advertise the new address in Contact, Via and SDP. A call already under way
//! keeps the Contact its dialog was made with (RFC 3261 §12.1) and can still be hung up;
//! only the Via of its new requests names the new address.

mod support;
mod trunk_support;

use std::net::SocketAddr;
use std::time::Duration;

use pbx::TrunkStatus;
use sip::auth::{Algorithm, Verdict};
use sip::{Host, Method, Request, Transport};
use support::{alice, bob, sdp, CallState, World};
use trunk_support::{plan, trunk, Office, CONTACT_USER};

/// The PBX's address on the network it moves to.
const NEW: &str = "10.42.0.7:5060";

fn new_addr() -> SocketAddr {
    NEW.parse().expect("address")
}

fn via_host(request: &Request) -> Option<Host> {
    request.top_via().map(|v| v.host)
}

fn contacts(request: &Request) -> Vec<String> {
    request
        .headers
        .get_all("Contact")
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_trunk_registers_again_from_the_new_address() {
    let mut office = Office::new(91, vec![Algorithm::Md5]);
    office.set_plan(plan(vec![trunk(1)]));
    office.run_until(Duration::from_secs(10));
    assert!(matches!(
        office.status(1),
        Some(TrunkStatus::Registered { .. })
    ));
    let before = office.seen.len();
    let old = office.seen[before - 1].request.clone();
    assert_eq!(
        contacts(&old),
        [format!("<sip:{CONTACT_USER}@192.168.1.1:5060>")]
    );

    let now = office.now;
    office
        .pbx
        .set_local_addresses(now, vec![(Transport::Udp, new_addr())]);
    office.network_changed();

    let after = &office.seen[before..];
    let first = after.first().expect("a REGISTER after the change");
    assert_eq!(first.at, Duration::from_secs(10), "sent at once");
    assert_eq!(via_host(&first.request), Some(Host::from(new_addr().ip())));
    assert_eq!(
        contacts(&first.request),
        [
            format!("<sip:{CONTACT_USER}@{NEW}>"),
            format!("<sip:{CONTACT_USER}@192.168.1.1:5060>;expires=0"),
        ]
    );
    assert_eq!(
        first.request.call_id(),
        old.call_id(),
        "the same registration, refreshed"
    );
    let accepted = after
        .iter()
        .rev()
        .find(|s| matches!(s.verdict, Some(Verdict::Authorized { .. })))
        .expect("the provider accepts the new binding");
    assert!(contacts(&accepted.request)[0].contains(NEW));
    assert!(matches!(
        office.status(1),
        Some(TrunkStatus::Registered { .. })
    ));

    // Refreshes keep the new address.
    let settled = office.seen.len();
    office.run_until(Duration::from_secs(600));
    assert!(office.seen.len() > settled, "refreshed");
    for s in &office.seen[settled..] {
        assert_eq!(
            contacts(&s.request),
            [format!("<sip:{CONTACT_USER}@{NEW}>")]
        );
        assert_eq!(via_host(&s.request), Some(Host::from(new_addr().ip())));
    }
}

const ALICE: usize = 0;
const BOB: usize = 1;

/// `from` calls `number` and the callee answers; returns the call's index on each phone.
fn answered(w: &mut World, from: usize, to: usize, number: &str) -> (usize, usize) {
    let already = w.phones[to].calls.iter().filter(|c| !c.outgoing).count();
    let call = w.with(from, |p, now| p.call(now, number));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[to]
            .incoming(already)
            .is_some()),
        "the callee rings"
    );
    let incoming = w.phones[to].incoming(already).expect("ringing");
    w.with(to, |p, now| p.answer(now, incoming));
    assert!(
        w.run_until(Duration::from_secs(5), |w| {
            w.phones[from].calls[call].state == CallState::Confirmed
                && w.phones[to].calls[incoming].acks_received > 0
        }),
        "both sides are connected"
    );
    (call, incoming)
}

#[test]
fn new_calls_use_the_new_address_and_the_call_under_way_keeps_its_own() {
    let mut w = World::lan(92);
    w.add(alice(93));
    w.add(bob(94));
    w.register_all();
    let old_ip = w.pbx_addr.ip();

    let (first, first_at_bob) = answered(&mut w, ALICE, BOB, "101");
    let offer = &w.phones[BOB].calls[first_at_bob].sdp_received[0];
    assert_eq!(sdp::audio_addr(offer).map(|a| a.ip()), Some(old_ip));

    // The PC moves: its socket (on a wildcard address) now also receives at the new
    // address and sends from it.
    let old = w.pbx_addr;
    w.pbx_also_at.push(old);
    w.pbx_addr = new_addr();
    let now = w.now;
    w.pbx
        .set_local_addresses(now, vec![(Transport::Udp, new_addr())]);
    w.pbx.network_changed(now);
    w.flush();

    // Bob calls Alice on his second line.
    let (second, second_at_alice) = answered(&mut w, BOB, ALICE, "100");
    let invite = &w.phones[ALICE].calls[second_at_alice].invite;
    assert_eq!(via_host(invite), Some(Host::from(new_addr().ip())));
    assert!(
        contacts(invite).iter().all(|c| c.contains(NEW)),
        "{:?}",
        contacts(invite)
    );
    let offer = &w.phones[ALICE].calls[second_at_alice].sdp_received[0];
    assert_eq!(
        sdp::audio_addr(offer).map(|a| a.ip()),
        Some(new_addr().ip())
    );
    let answer = w.phones[BOB].calls[second]
        .sdp_received
        .last()
        .expect("Bob got the answer");
    assert_eq!(
        sdp::audio_addr(answer).map(|a| a.ip()),
        Some(new_addr().ip())
    );
    let relays = w.relays_allocated();
    assert_eq!(relays.len(), 2);
    assert_eq!(relays[0].a.ip(), old_ip);
    assert_eq!(relays[1].a.ip(), new_addr().ip());
    assert_eq!(relays[1].b.ip(), new_addr().ip());

    // The first call still ends normally, and its BYE names the dialog's old Contact.
    w.with(ALICE, |p, now| p.hang_up(now, first));
    w.settle();
    let bob_side = &w.phones[BOB].calls[first_at_bob];
    assert_eq!(bob_side.state, CallState::RemoteHungUp);
    let bye = bob_side
        .requests
        .iter()
        .find(|r| r.method == Method::Bye)
        .expect("Bob got the BYE");
    assert!(
        contacts(bye).iter().all(|c| c.contains(&old.to_string())),
        "{:?}",
        contacts(bye)
    );
    // Its Via, new for this transaction, says where the PBX is now.
    assert_eq!(via_host(bye), Some(Host::from(new_addr().ip())));
    assert_eq!(
        w.phones[ALICE].calls[second_at_alice].state,
        CallState::Confirmed
    );

    w.with(BOB, |p, now| p.hang_up(now, second));
    w.settle();
    assert_eq!(
        w.phones[ALICE].calls[second_at_alice].state,
        CallState::RemoteHungUp
    );
    assert_eq!(w.pbx.call_count(), 0);
    assert!(w.relays_all_closed());
}
