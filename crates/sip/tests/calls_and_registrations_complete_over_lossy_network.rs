//! Two endpoints on a seeded network with 20% loss, duplication, jitter and reordering:
//! an INVITE/200/ACK and a REGISTER/200 complete, and each TU sees each request once.

mod support;

use std::time::{Duration, Instant};

use sip::dialog::Dialog;
use sip::transaction::{ClientKey, Endpoint, Event, Peer};
use sip::{Method, Request, Response};
use support::netsim::{Net, NetConfig, Node, Tu, World};
use support::{outgoing, udp};

const UAC: &str = "192.0.2.10:5060";
const UAS: &str = "192.0.2.20:5060";

#[derive(Default)]
struct Caller {
    invite: Option<(ClientKey, Request)>,
    register: Option<ClientKey>,
    dialog: Option<Dialog>,
    register_finals: usize,
    invite_finals: usize,
    failures: Vec<Event>,
}

impl Tu for Caller {
    fn on_event(&mut self, now: Instant, ep: &mut Endpoint, event: Event) {
        match event {
            Event::Response { key, response, .. } if Some(key) == self.register => {
                if response.status >= 200 {
                    self.register_finals += 1;
                }
            }
            Event::Response { key, response, .. } => {
                let Some((invite_key, invite)) = &self.invite else {
                    return;
                };
                if key != *invite_key || response.class() != 2 {
                    return;
                }
                self.invite_finals += 1;
                // RFC 3261 §13.2.2.4: the UAC core ACKs every 2xx, through the dialog.
                let Ok(mut dialog) = Dialog::from_uac(invite, &response) else {
                    return;
                };
                let ack = dialog.create_request(Method::Ack);
                let _ = ep.send_ack(now, &key, ack, udp(UAS));
                self.dialog = Some(dialog);
            }
            other => self.failures.push(other),
        }
    }
}

#[derive(Default)]
struct Callee {
    invites: usize,
    registers: usize,
    acks: usize,
    failures: Vec<Event>,
}

impl Tu for Callee {
    fn on_event(&mut self, now: Instant, ep: &mut Endpoint, event: Event) {
        match event {
            Event::Request { key, request, .. } => {
                let reply = |status: u16| {
                    let mut r =
                        Response::for_request(&request, status, sip::default_reason(status));
                    if let Some(to) = r.to() {
                        r.headers.set("To", to.with_tag("callee").to_string());
                    }
                    r.headers.push("Contact", "<sip:bob@192.0.2.20:5060>");
                    r
                };
                match request.method {
                    Method::Invite => {
                        self.invites += 1;
                        let _ = ep.send_response(now, &key, reply(180));
                        let _ = ep.send_response(now, &key, reply(200));
                    }
                    Method::Register => {
                        self.registers += 1;
                        let _ = ep.send_response(now, &key, reply(200));
                    }
                    _ => {}
                }
            }
            Event::Ack { .. } => self.acks += 1,
            other => self.failures.push(other),
        }
    }
}

fn run(seed: u64) -> World<Caller, Callee> {
    let t0 = Instant::now();
    let net = Net::new(
        seed,
        NetConfig {
            loss: 0.2,
            duplicate: 0.05,
            min_delay: Duration::from_millis(20),
            jitter: Duration::from_millis(150),
        },
    );
    let a = Node {
        ep: support::endpoint("192.0.2.10", 5060, seed),
        addr: support::addr(UAC),
        tu: Caller::default(),
    };
    let b = Node {
        ep: support::endpoint("192.0.2.20", 5060, seed ^ 0xff),
        addr: support::addr(UAS),
        tu: Callee::default(),
    };
    let mut world = World::new(t0, net, a, b);
    let target: Peer = udp(UAS);
    let invite = outgoing("INVITE", 1, &format!("call-{seed}"));
    let key = world
        .a
        .ep
        .send_request(t0, invite.clone(), target)
        .expect("invite");
    world.a.tu.invite = Some((key, invite));
    world.a.tu.register = world
        .a
        .ep
        .send_request(t0, outgoing("REGISTER", 1, &format!("reg-{seed}")), target)
        .ok();
    world.run(t0 + Duration::from_secs(40), |w| {
        w.a.tu.invite_finals > 0 && w.a.tu.register_finals > 0 && w.b.tu.acks > 0
    });
    world
}

#[test]
fn invite_and_register_complete_despite_20_percent_loss() {
    let mut total_lost = 0;
    for seed in 0..100 {
        let w = run(seed);
        assert_eq!(
            w.a.tu.register_finals, 1,
            "seed {seed}: REGISTER final once"
        );
        assert!(w.a.tu.invite_finals >= 1, "seed {seed}: INVITE answered");
        assert!(w.a.tu.dialog.is_some(), "seed {seed}: dialog established");
        assert!(w.b.tu.acks >= 1, "seed {seed}: ACK arrived");
        assert_eq!(w.b.tu.invites, 1, "seed {seed}: INVITE reached the TU once");
        assert_eq!(
            w.b.tu.registers, 1,
            "seed {seed}: REGISTER reached the TU once"
        );
        assert!(
            w.a.tu.failures.is_empty(),
            "seed {seed}: {:?}",
            w.a.tu.failures
        );
        assert!(
            w.b.tu.failures.is_empty(),
            "seed {seed}: {:?}",
            w.b.tu.failures
        );
        total_lost += w.net.lost;
    }
    // The network really was lossy.
    assert!(total_lost > 50, "only {total_lost} datagrams lost");
}

#[test]
fn after_completion_every_transaction_winds_down() {
    let mut w = run(7);
    let end = w.now + Duration::from_secs(60);
    while w.step(end) {}
    assert_eq!(w.a.ep.transaction_count(), 0);
    assert_eq!(w.b.ep.transaction_count(), 0);
    assert!(
        w.b.tu.failures.is_empty(),
        "no AckTimeout: {:?}",
        w.b.tu.failures
    );
}
