//! Seeded random loss in both directions: registration, an outgoing call answered by the
//! server and hung up, and an incoming call answered here and ended by the far end all
//! complete, each exactly once, and leave no call behind.

mod ua_sim;

use std::time::Duration;

use phone::ua::{EndReason, Event, RegistrationEvent};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sip::dialog::Dialog;
use sip::{Method, Request, Transport, Uri};
use ua_sim::{local_media, server_sdp, Sim};

const LOSS: f64 = 0.2;

fn lossy(seed: u64) -> Sim {
    let mut sim = Sim::new(Transport::Udp);
    let mut rng = StdRng::seed_from_u64(seed);
    sim.lose = Box::new(move |_, _| rng.gen_bool(LOSS));
    sim
}

fn count(events: &[Event], f: impl Fn(&Event) -> bool) -> usize {
    events.iter().filter(|e| f(e)).count()
}

/// Runs until the server has a request of `method`, at most a minute.
fn wait_for(sim: &mut Sim, method: Method) -> (sip::transaction::ServerKey, Request) {
    for _ in 0..600 {
        if let Some(found) = sim.take_request(method.clone()) {
            return found;
        }
        sim.run(Duration::from_millis(100));
    }
    panic!("no {method} reached the server");
}

#[test]
fn outgoing_calls_complete_despite_loss() {
    for seed in 0..100 {
        let mut sim = lossy(seed);
        let now = sim.now;
        sim.ua.register(now);
        sim.run(Duration::from_secs(60));
        assert!(
            sim.events
                .iter()
                .any(|e| matches!(e, Event::Registration(RegistrationEvent::Registered { .. }))),
            "seed {seed}: not registered"
        );

        let now = sim.now;
        let call = sim.ua.place_call(now, "2001", local_media()).unwrap();
        let (key, invite) = wait_for(&mut sim, Method::Invite);
        sim.respond(key, &invite, 180, None);
        sim.respond(key, &invite, 200, Some(server_sdp(30000, "0", "sendrecv")));
        sim.run(Duration::from_secs(40));
        let answered = count(
            &sim.events,
            |e| matches!(e, Event::Answered { call: c, .. } if *c == call),
        );
        assert_eq!(answered, 1, "seed {seed}");

        let now = sim.now;
        sim.ua.hang_up(now, call).unwrap();
        let (bye_key, bye) = wait_for(&mut sim, Method::Bye);
        sim.respond(bye_key, &bye, 200, None);
        sim.run(Duration::from_secs(40));
        let ended = count(
            &sim.events,
            |e| matches!(e, Event::Ended { call: c, reason: EndReason::Local } if *c == call),
        );
        assert_eq!(ended, 1, "seed {seed}");
        assert_eq!(sim.ua.call_count(), 0, "seed {seed}");
    }
}

#[test]
fn incoming_calls_complete_despite_loss() {
    for seed in 100..200 {
        let mut sim = lossy(seed);
        let uri: Uri = format!("sip:201@{}", sim.ua_addr).parse().unwrap();
        let mut invite = Request::new(Method::Invite, uri);
        for (name, value) in [
            ("Max-Forwards", "70"),
            ("From", "\"Lobby\" <sip:300@office.example>;tag=pbx1"),
            ("To", "<sip:201@office.example>"),
            ("Call-ID", "lossy-in"),
            ("CSeq", "1 INVITE"),
            ("Contact", "<sip:pbx@192.0.2.1:5060>"),
            ("Content-Type", "application/sdp"),
        ] {
            invite.headers.push(name, value);
        }
        invite.body = server_sdp(30000, "8 0", "sendrecv");
        let key = sim.send(invite.clone());
        // Answered as soon as it rings, before the caller's Timer B.
        for _ in 0..300 {
            if !sim.events.is_empty() {
                break;
            }
            sim.run(Duration::from_millis(100));
        }
        let incoming: Vec<_> = sim
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Incoming { call, .. } => Some(*call),
                _ => None,
            })
            .collect();
        let [call] = incoming.as_slice() else {
            panic!("seed {seed}: {:?}", sim.events);
        };
        let now = sim.now;
        sim.ua.answer(now, *call, local_media()).unwrap();
        // The server ACKs the 200 each time one reaches it (its retransmissions included).
        let mut dialog: Option<Dialog> = None;
        for _ in 0..400 {
            sim.run(Duration::from_millis(100));
            while let Some((k, response)) = sim.take_response() {
                if response.status == 200 && k == key {
                    dialog = Some(sim.ack(k, &invite, &response));
                }
            }
        }
        let mut dialog = dialog
            .unwrap_or_else(|| panic!("seed {seed}: no 200 reached the server {:?}", sim.inbox));
        let bye = dialog.create_request(Method::Bye);
        sim.send(bye);
        sim.run(Duration::from_secs(40));
        let ended: Vec<_> = sim
            .events
            .iter()
            .filter(|e| matches!(e, Event::Ended { .. }))
            .collect();
        assert_eq!(
            ended,
            vec![&Event::Ended {
                call: *call,
                reason: EndReason::Remote
            }],
            "seed {seed}"
        );
        assert_eq!(sim.ua.call_count(), 0, "seed {seed}");
    }
}
