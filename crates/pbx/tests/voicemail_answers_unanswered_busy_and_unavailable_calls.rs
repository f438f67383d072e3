//! A call to a number with an enabled mailbox that nobody answers, that is busy or whose
//! phone is not registered is answered by the PBX with SDP pointing at a media endpoint,
//! and the runtime is asked to play the greeting and record. The caller's BYE closes the
//! endpoint; an end the runtime detects sends the caller BYE. Without a mailbox the
//! caller still hears the refusal.

mod support;

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pbx::{Action, EndpointId, EndpointPort, HangupBy, MediaEndpoints, Outcome};
use sip::Method;
use support::{alice, bob, sdp, CallState, World};

const ALICE: usize = 0;
const BOB: usize = 1;

/// Hands out made-up endpoint sockets from port 40000 and logs them.
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
            addr: SocketAddr::new(ip, 40_000 + 2 * n as u16),
        };
        log.push(port);
        Some(port)
    }
}

/// Alice and Bob registered; `mailboxes` enabled. Returns the world and the endpoint log.
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

fn recordings(w: &World) -> Vec<&pbx::VoicemailRecording> {
    w.actions
        .iter()
        .filter_map(|a| match a {
            Action::PlayAndRecord(r) => Some(r.as_ref()),
            _ => None,
        })
        .collect()
}

fn closed(w: &World, endpoint: EndpointId) -> bool {
    w.actions
        .iter()
        .any(|a| matches!(a, Action::EndpointClose { endpoint: e } if *e == endpoint))
}

/// Checks Alice's call was answered with the endpoint's address and PCMU.
fn answered_by_voicemail(
    w: &World,
    call: usize,
    log: &Arc<Mutex<Vec<EndpointPort>>>,
) -> EndpointPort {
    assert_eq!(w.phones[ALICE].calls[call].state, CallState::Confirmed);
    let ports = log.lock().expect("log").clone();
    assert_eq!(ports.len(), 1, "one endpoint allocated");
    let answer = w.phones[ALICE].calls[call]
        .sdp_received
        .last()
        .expect("an SDP answer");
    assert_eq!(sdp::audio_addr(answer), Some(ports[0].addr));
    assert_eq!(
        sdp::encodings(answer).first().map(String::as_str),
        Some("PCMU")
    );
    ports[0]
}

#[test]
fn unanswered_call_is_taken_by_voicemail_and_the_callers_bye_ends_it() {
    let (mut w, log) = office(70, &["101"]);
    let call = w.with(ALICE, |p, now| p.call(now, "101"));
    assert!(w.run_until(Duration::from_secs(5), |w| w.phones[BOB]
        .incoming(0)
        .is_some()));
    w.run_for(support::config().ring_timeout + Duration::from_secs(1));

    let port = answered_by_voicemail(&w, call, &log);
    let bob_call = w.phones[BOB].incoming(0).expect("Bob rang");
    assert_eq!(w.phones[BOB].calls[bob_call].state, CallState::Cancelled);
    let recs = recordings(&w);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0].mailbox, "101");
    assert_eq!(recs[0].caller_number, "100");
    assert_eq!(recs[0].endpoint, port.id);
    assert_eq!(recs[0].format.encoding, "PCMU");
    assert_eq!(recs[0].peer, w.phones[ALICE].media);
    assert_eq!(recs[0].max_duration, pbx::DEFAULT_MAX_MESSAGE);
    assert!(!closed(&w, port.id));

    w.with(ALICE, |p, now| p.hang_up(now, call));
    w.settle();
    assert!(closed(&w, port.id), "the caller's BYE closes the endpoint");
    assert_eq!(w.pbx.call_count(), 0);
    assert!(w.relays_all_closed());
    let records = w.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, Outcome::Answered);
    assert_eq!(records[0].answered_by.as_deref(), Some("voicemail 101"));
    assert_eq!(records[0].hangup_by, Some(HangupBy::Caller));
}

#[test]
fn busy_callee_sends_the_caller_to_voicemail() {
    let (mut w, log) = office(71, &["101"]);
    let call = w.with(ALICE, |p, now| p.call(now, "101"));
    assert!(w.run_until(Duration::from_secs(5), |w| w.phones[BOB]
        .incoming(0)
        .is_some()));
    let incoming = w.phones[BOB].incoming(0).expect("Bob rings");
    w.with(BOB, |p, now| p.reject(now, incoming, 486));
    w.run_for(Duration::from_secs(1));
    answered_by_voicemail(&w, call, &log);
    assert_eq!(recordings(&w)[0].mailbox, "101");
}

#[test]
fn unregistered_extension_with_a_mailbox_takes_a_message() {
    let (mut w, log) = office(72, &["102"]);
    let call = w.with(ALICE, |p, now| p.call(now, "102"));
    w.run_for(Duration::from_secs(1));
    answered_by_voicemail(&w, call, &log);
    assert_eq!(recordings(&w)[0].mailbox, "102");
}

#[test]
fn the_end_the_runtime_detects_sends_the_caller_bye() {
    let (mut w, log) = office(73, &["102"]);
    let call = w.with(ALICE, |p, now| p.call(now, "102"));
    w.run_for(Duration::from_secs(1));
    let port = answered_by_voicemail(&w, call, &log);
    let (now, unix) = (w.now, w.unix_now());
    w.pbx.voicemail_done(now, unix, port.id);
    w.flush();
    w.settle();
    assert_eq!(w.phones[ALICE].calls[call].state, CallState::RemoteHungUp);
    assert_eq!(w.phones[ALICE].calls[call].got_request(Method::Bye), 1);
    assert!(closed(&w, port.id));
    assert_eq!(w.records()[0].hangup_by, Some(HangupBy::System));
}

#[test]
fn without_a_mailbox_the_caller_still_hears_the_refusal() {
    let (mut w, log) = office(74, &["101"]);
    let call = w.with(ALICE, |p, now| p.call(now, "102"));
    w.run_for(Duration::from_secs(1));
    assert_eq!(w.phones[ALICE].calls[call].state, CallState::Failed(480));
    assert!(log.lock().expect("log").is_empty());
    assert!(recordings(&w).is_empty());
}

#[test]
fn a_reinvite_is_answered_with_the_same_sdp_and_a_hash_by_info_ends_the_message() {
    let (mut w, log) = office(75, &["102"]);
    let call = w.with(ALICE, |p, now| p.call(now, "102"));
    w.run_for(Duration::from_secs(1));
    let port = answered_by_voicemail(&w, call, &log);

    let media = w.phones[ALICE].media;
    let before = w.phones[ALICE].calls[call].sdp_received.len();
    w.with(ALICE, |p, now| {
        p.reinvite(now, call, media::sdp::Direction::SendRecv, media)
    });
    w.run_for(Duration::from_secs(1));
    assert_eq!(w.phones[ALICE].calls[call].sdp_received.len(), before + 1);
    let answer = w.phones[ALICE].calls[call]
        .sdp_received
        .last()
        .expect("the re-INVITE's answer");
    assert_eq!(sdp::audio_addr(answer), Some(port.addr));
    assert_eq!(w.phones[ALICE].calls[call].state, CallState::Confirmed);
    assert!(!closed(&w, port.id));

    let body = support::SimPhone::dtmf_relay('#', 160);
    w.with(ALICE, |p, now| {
        p.info(now, call, "application/dtmf-relay", &body)
    });
    w.settle();
    assert_eq!(w.phones[ALICE].calls[call].state, CallState::RemoteHungUp);
    assert!(closed(&w, port.id));
}
