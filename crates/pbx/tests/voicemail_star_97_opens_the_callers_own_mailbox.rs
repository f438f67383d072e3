//! `*97` from an extension with an enabled mailbox is answered by the PBX with a media
//! endpoint running that mailbox's menu (not a deposit), without ringing anyone. Keys by
//! SIP INFO (`#` included) go to the menu rather than end the call; an end the runtime detects
//! (the owner finished) sends BYE. Without a mailbox the caller gets 404.

mod support;

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pbx::{Action, EndpointId, EndpointPort, EndpointUse, MediaEndpoints, Outcome};
use support::{alice, bob, sdp, CallState, World};

const ALICE: usize = 0;
const BOB: usize = 1;

#[derive(Default)]
struct FakeEndpoints {
    log: Arc<Mutex<Vec<EndpointPort>>>,
}

impl MediaEndpoints for FakeEndpoints {
    fn allocate(&mut self, ip: IpAddr) -> Option<EndpointPort> {
        let mut log = self.log.lock().ok()?;
        let n = log.len() as u64;
        let port = EndpointPort {
            id: EndpointId(n + 1),
            addr: SocketAddr::new(ip, 41_000 + 2 * n as u16),
        };
        log.push(port);
        Some(port)
    }
}

fn office(seed: u64, mailboxes: &[&str]) -> (World, Arc<Mutex<Vec<EndpointPort>>>) {
    let mut w = World::lan(seed);
    w.add(alice(seed + 1));
    w.add(bob(seed + 2));
    w.register_all();
    let endpoints = FakeEndpoints::default();
    let log = Arc::clone(&endpoints.log);
    w.pbx.set_media_endpoints(Box::new(endpoints));
    w.pbx
        .set_mailboxes(mailboxes.iter().map(|m| (*m).to_owned()));
    (w, log)
}

fn endpoints_run(w: &World) -> Vec<&pbx::VoicemailRecording> {
    w.actions
        .iter()
        .filter_map(|a| match a {
            Action::PlayAndRecord(r) => Some(r.as_ref()),
            _ => None,
        })
        .collect()
}

#[test]
fn star_97_is_answered_with_the_callers_own_mailbox_menu() {
    // Alice is 100.
    let (mut w, log) = office(90, &["100", "101"]);
    let call = w.with(ALICE, |p, now| p.call(now, "*97"));
    w.run_for(Duration::from_secs(1));

    assert_eq!(w.phones[ALICE].calls[call].state, CallState::Confirmed);
    assert!(w.phones[BOB].incoming(0).is_none(), "nobody rings");
    let ports = log.lock().expect("log").clone();
    assert_eq!(ports.len(), 1);
    let answer = w.phones[ALICE].calls[call]
        .sdp_received
        .last()
        .expect("an SDP answer");
    assert_eq!(sdp::audio_addr(answer), Some(ports[0].addr));
    let runs = endpoints_run(&w);
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].purpose, EndpointUse::Listen);
    assert_eq!(runs[0].mailbox, "100");
    assert_eq!(runs[0].endpoint, ports[0].id);
    assert_eq!(runs[0].peer, w.phones[ALICE].media);

    // Keys by INFO go to the menu (`#` too): the call goes on.
    let body = support::SimPhone::dtmf_relay('#', 160);
    w.with(ALICE, |p, now| {
        p.info(now, call, "application/dtmf-relay", &body)
    });
    w.with(ALICE, |p, now| p.info(now, call, "application/dtmf", "7"));
    w.run_for(Duration::from_secs(1));
    assert_eq!(w.phones[ALICE].calls[call].state, CallState::Confirmed);
    let keys: Vec<(EndpointId, char)> = w
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::EndpointKey { endpoint, key } => Some((*endpoint, *key)),
            _ => None,
        })
        .collect();
    assert_eq!(keys, vec![(ports[0].id, '#'), (ports[0].id, '7')]);

    // The runtime says the owner is done: the PBX hangs up.
    let unix = w.unix_now();
    w.pbx.voicemail_done(w.now, unix, ports[0].id);
    w.settle();
    assert_eq!(w.phones[ALICE].calls[call].state, CallState::RemoteHungUp);
    assert!(w
        .actions
        .iter()
        .any(|a| matches!(a, Action::EndpointClose { endpoint } if *endpoint == ports[0].id)));
    assert_eq!(w.pbx.call_count(), 0);
}

#[test]
fn a_call_to_a_mailbox_is_still_a_deposit() {
    let (mut w, _log) = office(91, &["100", "102"]);
    w.with(ALICE, |p, now| p.call(now, "102"));
    w.run_for(Duration::from_secs(1));
    let runs = endpoints_run(&w);
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].purpose, EndpointUse::Deposit);
    assert_eq!(runs[0].mailbox, "102");
}

#[test]
fn star_97_without_a_mailbox_is_refused_with_404() {
    let (mut w, log) = office(92, &["101"]);
    let call = w.with(ALICE, |p, now| p.call(now, "*97"));
    w.run_for(Duration::from_secs(1));
    assert_eq!(w.phones[ALICE].calls[call].final_status(), Some(404));
    assert!(log.lock().expect("log").is_empty());
    assert!(endpoints_run(&w).is_empty());
    let records = w.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, Outcome::NotFound);
}
