//! Recording on demand: an answered call named by its Call-ID is recorded into a file
//! under `recordings/`, started once however often asked, and stopped; calls that are
//! not answered are not recorded.

mod support;

use std::path::{Component, PathBuf};
use std::time::Duration;

use pbx::{Action, RelayId};
use support::{alice, bob, CallState, World};

const ALICE: usize = 0;
const BOB: usize = 1;

#[derive(Debug, PartialEq, Eq)]
enum Rec {
    Start(RelayId, PathBuf),
    Stop(RelayId),
}

fn recording_actions(w: &World) -> Vec<Rec> {
    w.actions
        .iter()
        .filter_map(|a| match a {
            Action::RecordStart {
                id, path, formats, ..
            } => {
                // The call's codecs come along for decoding: the caller's first, then
                // those the callee was offered for transcoding.
                let names: Vec<&str> = formats.iter().map(|f| f.encoding.as_str()).collect();
                assert_eq!(names[..2], ["PCMU", "PCMA"]);
                assert!(names.contains(&"telephone-event"));
                Some(Rec::Start(*id, path.clone()))
            }
            Action::RecordStop { id } => Some(Rec::Stop(*id)),
            _ => None,
        })
        .collect()
}

fn ringing_call(seed: u64) -> (World, usize, usize) {
    let mut w = World::lan(seed);
    w.add(alice(seed + 1));
    w.add(bob(seed + 2));
    w.register_all();
    let call = w.with(ALICE, |p, now| p.call(now, "101"));
    assert!(w.run_until(Duration::from_secs(5), |w| w.phones[BOB]
        .incoming(0)
        .is_some()));
    let incoming = w.phones[BOB].incoming(0).expect("Bob rings");
    (w, call, incoming)
}

#[test]
fn an_answered_call_is_recorded_until_stopped() {
    let (mut w, call, incoming) = ringing_call(70);
    let call_id = w.phones[ALICE].calls[call].call_id.clone();
    let now = w.now;
    assert_eq!(
        w.pbx.start_recording(now, &call_id),
        None,
        "a ringing call is not recorded"
    );

    w.with(BOB, |p, now| p.answer(now, incoming));
    assert!(w.run_until(Duration::from_secs(5), |w| {
        w.phones[ALICE].calls[call].state == CallState::Confirmed
    }));
    let relay = w.relays_allocated()[0].id;
    let now = w.now;
    let path = w
        .pbx
        .start_recording(now, &call_id)
        .expect("recording starts");
    assert_eq!(
        w.pbx.start_recording(now, &call_id),
        Some(path.clone()),
        "asking again names the running recording"
    );
    assert_eq!(w.pbx.start_recording(now, "no-such-call"), None);
    w.flush();
    assert_eq!(recording_actions(&w), vec![Rec::Start(relay, path.clone())]);
    let parts: Vec<Component> = path.components().collect();
    assert_eq!(parts.len(), 2, "one file in one folder: {path:?}");
    assert_eq!(parts[0], Component::Normal("recordings".as_ref()));
    assert_eq!(path.extension().and_then(|e| e.to_str()), Some("wav"));

    assert_eq!(w.pbx.stop_recording(now, &call_id), Some(path.clone()));
    assert_eq!(w.pbx.stop_recording(now, &call_id), None, "stopped once");
    w.flush();
    assert_eq!(
        recording_actions(&w),
        vec![Rec::Start(relay, path.clone()), Rec::Stop(relay)]
    );

    let again = w
        .pbx
        .start_recording(now, &call_id)
        .expect("recorded again");
    assert_ne!(again, path, "a second recording never overwrites the first");
}
