//! A key pressed by SIP INFO reaches a phone that agreed to RFC 4733 telephone-events as
//! events sent by the relay, and a key pressed as events reaches a phone without them by
//! INFO; between two phones that both use INFO, the INFO itself is passed on.

mod support;

use std::time::Duration;

use pbx::{Action, Side};
use sip::Method;
use support::transfer_office::{connect, office};
use support::{SimPhone, World};

const ALICE: usize = 0;
const BOB: usize = 1;

fn info(w: &mut World, phone: usize, idx: usize, key: char) {
    let body = SimPhone::dtmf_relay(key, 250);
    w.with(phone, |p, now| {
        p.info(now, idx, "application/dtmf-relay", &body)
    });
    w.run_for(Duration::from_millis(500));
}

fn sent_keys(w: &World) -> Vec<(Side, char, u32, u8)> {
    w.actions
        .iter()
        .filter_map(|a| match a {
            Action::SendDtmf {
                to,
                key,
                millis,
                format,
                ..
            } => Some((*to, *key, *millis, format.payload_type)),
            _ => None,
        })
        .collect()
}

#[test]
fn an_info_key_reaches_an_event_phone_as_events() {
    let mut w = office(80);
    let (a_call, b_call) = connect(&mut w, ALICE, "101", BOB);
    info(&mut w, BOB, b_call, '5');
    assert_eq!(sent_keys(&w), vec![(Side::A, '5', 250, 101)]);
    assert_eq!(
        w.phones[ALICE].calls[a_call].got_request(Method::Info),
        0,
        "Alice hears the key as events, not as INFO"
    );
    let answered = w.phones[BOB].calls[b_call]
        .responses
        .iter()
        .any(|r| r.status == 200 && r.cseq().is_some_and(|c| c.method == Method::Info));
    assert!(answered, "Bob's INFO is answered");
}

#[test]
fn an_event_key_reaches_a_phone_without_events_by_info() {
    let mut w = office(81);
    w.phones[BOB].audio_formats = vec![(0, "PCMU/8000".into())];
    let (a_call, b_call) = connect(&mut w, ALICE, "101", BOB);
    let relay = w.relays_allocated()[0].id;
    let (now, unix) = (w.now, w.unix_now());
    w.pbx.dtmf_received(now, unix, relay, Side::A, '7');
    w.run_for(Duration::from_millis(500));
    let infos: Vec<String> = w.phones[BOB].calls[b_call]
        .requests
        .iter()
        .filter(|r| r.method == Method::Info)
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert_eq!(infos.len(), 1, "Bob gets the key by INFO");
    assert!(infos[0].starts_with("Signal=7\r\n"), "{infos:?}");
    // Alice agreed to events: a key from Bob's side goes to her as events, not INFO.
    w.pbx.dtmf_received(now, unix, relay, Side::B, '8');
    w.run_for(Duration::from_millis(500));
    assert_eq!(w.phones[ALICE].calls[a_call].got_request(Method::Info), 0);
}

#[test]
fn between_two_info_phones_the_info_is_passed_on() {
    let mut w = office(82);
    w.phones[ALICE].audio_formats = vec![(0, "PCMU/8000".into())];
    w.phones[BOB].audio_formats = vec![(0, "PCMU/8000".into())];
    let (a_call, b_call) = connect(&mut w, ALICE, "101", BOB);
    info(&mut w, BOB, b_call, '#');
    assert!(sent_keys(&w).is_empty());
    let infos: Vec<String> = w.phones[ALICE].calls[a_call]
        .requests
        .iter()
        .filter(|r| r.method == Method::Info)
        .map(|r| String::from_utf8_lossy(&r.body).into_owned())
        .collect();
    assert_eq!(infos, vec![SimPhone::dtmf_relay('#', 250)]);
}

#[test]
fn through_an_in_band_trunk_keys_are_listened_for_in_the_audio() {
    use pbx::dialplan::DtmfMode;
    use support::trunk_calls::{call_in, office as trunk_office};
    let mut w = trunk_office(83, |t| t.dtmf = DtmfMode::Inband);
    call_in(&mut w);
    let relay = w.relays_allocated()[0].id;
    let inband: Vec<(Side, String)> = w
        .actions
        .iter()
        .filter_map(|a| match a {
            Action::DtmfInband { id, side, format } if *id == relay => {
                Some((*side, format.encoding.to_ascii_uppercase()))
            }
            _ => None,
        })
        .collect();
    assert!(
        inband.iter().any(|(s, _)| *s == Side::B),
        "the office's phone (no events offered to it) is listened to: {inband:?}"
    );
    assert!(inband.iter().all(|(_, e)| e == "PCMU" || e == "PCMA"));
    assert!(!w
        .actions
        .iter()
        .any(|a| matches!(a, Action::DtmfEvents { id, .. } if *id == relay)));
}

#[test]
fn a_key_heard_in_the_audio_is_not_also_sent_by_info() {
    let mut w = office(84);
    w.phones[ALICE].audio_formats = vec![(0, "PCMU/8000".into())];
    w.phones[BOB].audio_formats = vec![(0, "PCMU/8000".into())];
    let (a_call, b_call) = connect(&mut w, ALICE, "101", BOB);
    let relay = w.relays_allocated()[0].id;
    let (now, unix) = (w.now, w.unix_now());
    // Neither phone agreed to events: the relay heard Alice's key as tones.
    w.pbx.dtmf_received(now, unix, relay, Side::A, '4');
    w.run_for(Duration::from_millis(500));
    assert_eq!(w.phones[BOB].calls[b_call].got_request(Method::Info), 0);
    assert_eq!(w.phones[ALICE].calls[a_call].got_request(Method::Info), 0);
}
