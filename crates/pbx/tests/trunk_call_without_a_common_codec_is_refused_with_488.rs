//! The provider's side of a call speaks only the trunk's codecs, so a provider's offer
//! sharing none with the trunk is answered 488 with a 305 warning and rings nobody; a
//! call out skips a trunk that its codecs cannot reach even transcoded (G.729 is not
//! transcoded) for the next one, or is answered 488 when none is left; a re-INVITE with
//! no such codec on a call that is not transcoded is refused and the call goes on as it
//! was. Each record says why.

mod support;

use std::time::Duration;

use media::sdp::Direction as MediaDirection;
use pbx::dialplan::DialPlan;
use pbx::Outcome;
use sip::Method;
use support::trunk_calls::{call_in, office, ALICE, DIALLED, PROVIDER};
use support::trunk_office::{
    backup_provider, ip_trunk, uk_route, BACKUP_PROVIDER, PROVIDER as PROVIDER_ADDR, SALES_NUMBER,
};
use support::{CallState, World};

fn only(formats: &[(u8, &str)]) -> Vec<(u8, String)> {
    formats
        .iter()
        .map(|(pt, e)| (*pt, (*e).to_owned()))
        .collect()
}

#[test]
fn a_provider_offering_none_of_the_trunks_codecs_gets_488_and_rings_nobody() {
    let mut w = office(310, |t| t.codecs = vec!["PCMA".into()]);
    w.phones[PROVIDER].audio_formats = only(&[(0, "PCMU/8000"), (101, "telephone-event/8000")]);
    let call = w.with(PROVIDER, |p, now| p.call(now, SALES_NUMBER));
    w.run_for(Duration::from_secs(5));
    let provider = &w.phones[PROVIDER].calls[call];
    assert_eq!(provider.state, CallState::Failed(488));
    let refusal = provider
        .invite_responses
        .iter()
        .find(|r| r.status == 488)
        .expect("the 488");
    let warning = refusal.headers.get("Warning").expect("a Warning header");
    assert!(warning.starts_with("305 "), "{warning}");
    assert!(w.phones[ALICE].incoming(0).is_none(), "nobody rings");
    assert_eq!(w.lines_in_use(1), 0, "no line is held");
    let records = w.records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].outcome, Outcome::Failed);
    assert_eq!(records[0].business_name.as_deref(), Some("sales.acme"));
    assert!(
        records[0].reason.contains("488") && records[0].reason.contains("(PCMA)"),
        "{}",
        records[0].reason
    );
}

/// The provider's trunk takes only G.729; the backup takes `backup_codecs`.
fn two_trunks(seed: u64, backup_codecs: &[&str]) -> World {
    let mut w = World::lan(seed);
    w.add(support::alice(seed + 1));
    w.add(support::trunk_office::provider(seed + 2));
    w.add(backup_provider(seed + 3));
    w.with(ALICE, |p, now| p.register(now));
    assert!(w.run_until(Duration::from_secs(5), |w| w.phones[ALICE].registered));
    let mut main = ip_trunk(1, "Provider", PROVIDER_ADDR, 2);
    main.codecs = vec!["G729".into()];
    let mut backup = ip_trunk(2, "Backup", BACKUP_PROVIDER, 2);
    backup.codecs = backup_codecs.iter().map(|c| (*c).to_owned()).collect();
    w.install(DialPlan {
        trunks: vec![main, backup],
        outbound_routes: vec![uk_route(vec![1, 2])],
        outbound_allowed: vec!["100".into()],
        ..DialPlan::default()
    });
    w
}

const BACKUP: usize = 2;

#[test]
fn a_call_out_skips_a_trunk_without_a_common_codec_for_the_next() {
    let mut w = two_trunks(311, &["PCMU"]);
    let call = w.with(ALICE, |p, now| p.call(now, DIALLED));
    assert!(w.run_until(Duration::from_secs(5), |w| w.phones[BACKUP]
        .incoming(0)
        .is_some()));
    assert!(
        w.phones[PROVIDER].incoming(0).is_none(),
        "the G.729 trunk never sees it"
    );
    assert_eq!(w.lines_in_use(1), 0);
    assert_eq!(w.lines_in_use(2), 1);
    let incoming = w.phones[BACKUP].incoming(0).expect("arrived");
    let offer = &w.phones[BACKUP].calls[incoming].sdp_received[0];
    assert_eq!(support::sdp::encodings(offer), ["PCMU", "telephone-event"]);
    w.with(BACKUP, |p, now| p.answer(now, incoming));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[ALICE].calls[call]
            .state
            == CallState::Confirmed)
    );
}

#[test]
fn a_call_out_no_trunk_can_carry_is_answered_488() {
    let mut w = two_trunks(312, &["iLBC"]);
    let call = w.with(ALICE, |p, now| p.call(now, DIALLED));
    w.run_for(Duration::from_secs(5));
    assert_eq!(w.phones[ALICE].calls[call].state, CallState::Failed(488));
    let warning = w.phones[ALICE].calls[call]
        .invite_responses
        .iter()
        .find(|r| r.status == 488)
        .and_then(|r| r.headers.get("Warning").map(str::to_owned));
    assert!(
        warning.as_deref().is_some_and(|w| w.starts_with("305 ")),
        "{warning:?}"
    );
    assert!(w.phones[PROVIDER].incoming(0).is_none());
    assert!(w.phones[BACKUP].incoming(0).is_none());
    assert_eq!(w.lines_in_use(1) + w.lines_in_use(2), 0);
    let records = w.records();
    assert_eq!(records.len(), 1);
    let reason = &records[0].reason;
    assert!(reason.starts_with("488"), "{reason}");
    assert!(
        reason.contains("Provider (G729)") && reason.contains("Backup (iLBC)"),
        "{reason}"
    );
    assert!(!records[0].lines_busy);
}

#[test]
fn a_re_invite_without_a_common_codec_is_refused_and_the_call_goes_on() {
    let mut w = office(313, |t| t.codecs = vec!["PCMU".into()]);
    let (call, answered) = call_in(&mut w);
    let reinvites_before = w.phones[PROVIDER].calls[call].got_request(Method::Invite);
    w.phones[ALICE].audio_formats = only(&[(9, "G722/8000")]);
    let media = w.phones[ALICE].media;
    w.with(ALICE, |p, now| {
        p.reinvite(now, answered, MediaDirection::SendRecv, media)
    });
    w.run_for(Duration::from_secs(2));
    let refused = w.phones[ALICE].calls[answered]
        .responses
        .iter()
        .any(|r| r.status == 488);
    assert!(refused, "Alice's re-INVITE is answered 488");
    assert_eq!(
        w.phones[PROVIDER].calls[call].got_request(Method::Invite),
        reinvites_before,
        "the provider never sees it"
    );
    assert_eq!(w.pbx.call_count(), 1, "the call goes on");
    w.with(PROVIDER, |p, now| p.hang_up(now, call));
    w.run_for(Duration::from_secs(2));
    assert_eq!(
        w.phones[ALICE].calls[answered].state,
        CallState::RemoteHungUp
    );
    assert_eq!(w.records()[0].outcome, Outcome::Answered);
}
