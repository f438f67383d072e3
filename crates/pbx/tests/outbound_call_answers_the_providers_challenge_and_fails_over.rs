//! Alice dials a national number: the outbound route sends it through the provider with
//! the From user the provider requires and the office's caller ID asserted; the provider
//! asks for credentials (407) and gets a digest answer; when it then fails (503) the call
//! fails over to the backup trunk, which answers. Lines are counted on the trunk that
//! carries the call and given back at the end.

mod support;

use std::time::{Duration, Instant};

use pbx::dialplan::{DialPlan, TrunkAuth};
use pbx::{Direction, Outcome};
use sip::auth::{DigestConfig, DigestServer, Secret, Verdict};
use support::trunk_office::{
    backup_provider, ip_trunk, provider, uk_route, BACKUP_PROVIDER, PROVIDER,
};
use support::{alice, CallState, World};

const ALICE: usize = 0;
const MAIN: usize = 1;
const BACKUP: usize = 2;
const DIALLED: &str = "02079460000";
const SENT: &str = "+442079460000";

/// The provider's trunk logs in as `acme`; the backup trusts our address.
fn office(seed: u64) -> World {
    let mut w = World::lan(seed);
    w.add(alice(seed + 1));
    w.add(provider(seed + 2));
    w.add(backup_provider(seed + 3));
    w.with(ALICE, |p, now| p.register(now));
    assert!(w.run_until(Duration::from_secs(5), |w| w.phones[ALICE].registered));
    let mut main = ip_trunk(1, "Provider", PROVIDER, 2);
    main.auth = TrunkAuth::Registration {
        username: "acme".into(),
        password: "s3cret".into(),
        auth_username: None,
        contact_user: "sb-7f3a9c".into(),
        expires: 3600,
    };
    main.from_user = Some("acme-account".into());
    main.caller_id = Some("+442071234567".into());
    let backup = ip_trunk(2, "Backup", BACKUP_PROVIDER, 1);
    w.install(DialPlan {
        trunks: vec![main, backup],
        outbound_routes: vec![uk_route(vec![1, 2])],
        outbound_allowed: vec!["100".into()],
        ..DialPlan::default()
    });
    w
}

/// The `n`-th INVITE the provider's UA received, once it has arrived.
fn invite_at(w: &mut World, phone: usize, n: usize) -> usize {
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[phone]
            .incoming(n)
            .is_some()),
        "INVITE {n} reaches phone {phone}"
    );
    w.phones[phone].incoming(n).expect("arrived")
}

fn verify(server: &mut DigestServer, now: Instant, header: &str) -> Verdict {
    server.verify(now, "INVITE", header, |user, _realm| {
        (user == "acme").then(|| Secret::Password("s3cret".into()))
    })
}

#[test]
fn the_provider_gets_its_from_user_caller_id_and_credentials_then_the_backup_answers() {
    let mut w = office(90);
    let call = w.with(ALICE, |p, now| p.call(now, DIALLED));
    let first = invite_at(&mut w, MAIN, 0);
    let invite = w.phones[MAIN].calls[first].invite.clone();
    assert_eq!(invite.uri.to_string(), format!("sip:{SENT}@{PROVIDER}"));
    let from = invite.from().expect("From");
    assert_eq!(from.uri.user(), Some("acme-account"));
    let pai = invite.headers.get("P-Asserted-Identity").expect("PAI");
    assert!(pai.contains("+442071234567"), "{pai}");
    assert_eq!(w.lines_in_use(1), 1);

    // The provider wants credentials.
    let mut server = DigestServer::new(w.now, DigestConfig::default());
    let challenge = server.challenge(w.now, "provider.example", false);
    let headers: Vec<(&str, &str)> = challenge
        .iter()
        .map(|c| ("Proxy-Authenticate", c.as_str()))
        .collect();
    w.with(MAIN, |p, now| p.reject_with(now, first, 407, &headers));
    let second = invite_at(&mut w, MAIN, 1);
    let retry = w.phones[MAIN].calls[second].invite.clone();
    let answer = retry
        .headers
        .get("Proxy-Authorization")
        .expect("the INVITE is sent again with credentials");
    assert_eq!(
        verify(&mut server, w.now, answer),
        Verdict::Authorized {
            user: "acme".into()
        }
    );
    assert_eq!(
        retry.call_id(),
        invite.call_id(),
        "same call (RFC 3261 §22.2)"
    );
    assert!(retry.cseq().expect("CSeq").seq > invite.cseq().expect("CSeq").seq);
    assert!(
        w.phones[ALICE].calls[call]
            .invite_responses
            .iter()
            .all(|r| r.status != 407),
        "the provider's challenge is the PBX's business, not Alice's"
    );
    assert_eq!(w.phones[ALICE].calls[call].state, CallState::Ringing);

    // Then the provider fails: the backup trunk takes the call.
    w.with(MAIN, |p, now| p.reject(now, second, 503));
    let backup = invite_at(&mut w, BACKUP, 0);
    let via_backup = w.phones[BACKUP].calls[backup].invite.clone();
    assert_eq!(
        via_backup.uri.to_string(),
        format!("sip:{SENT}@{BACKUP_PROVIDER}")
    );
    assert_eq!(
        via_backup
            .from()
            .and_then(|f| f.uri.user().map(str::to_owned))
            .as_deref(),
        Some("100"),
        "without a From user or caller ID, the extension's number"
    );
    assert_eq!(w.lines_in_use(1), 0, "the failed trunk's line is back");
    assert_eq!(w.lines_in_use(2), 1);

    w.with(BACKUP, |p, now| p.answer(now, backup));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[ALICE].calls[call]
            .state
            == CallState::Confirmed)
    );
    assert_eq!(w.phones[ALICE].calls[call].ok_count(), 1);
    w.run_for(Duration::from_secs(10));
    w.with(ALICE, |p, now| p.hang_up(now, call));
    w.run_for(Duration::from_secs(2));
    assert_eq!(
        w.phones[BACKUP].calls[backup].state,
        CallState::RemoteHungUp
    );
    assert_eq!(w.lines_in_use(2), 0);
    assert_eq!(w.pbx.call_count(), 0);
    let records = w.records();
    assert_eq!(records.len(), 1);
    let r = records[0];
    assert_eq!(r.outcome, Outcome::Answered);
    assert_eq!(r.direction, Direction::Outbound);
    assert_eq!(r.callee, DIALLED);
    assert_eq!(r.trunk.as_deref(), Some("Backup"));
    assert_eq!(r.answered_by.as_deref(), Some(SENT));
}

#[test]
fn wrong_credentials_are_not_sent_twice() {
    let mut w = office(91);
    let call = w.with(ALICE, |p, now| p.call(now, DIALLED));
    let mut server = DigestServer::new(w.now, DigestConfig::default());
    for n in 0..2 {
        let idx = invite_at(&mut w, MAIN, n);
        let challenge = server.challenge(w.now, "provider.example", false);
        let headers: Vec<(&str, &str)> = challenge
            .iter()
            .map(|c| ("Proxy-Authenticate", c.as_str()))
            .collect();
        w.with(MAIN, |p, now| p.reject_with(now, idx, 407, &headers));
    }
    w.run_for(Duration::from_secs(5));
    assert_eq!(
        w.phones[MAIN].incoming(2),
        None,
        "a second challenge means the credentials are wrong"
    );
    assert!(
        w.phones[BACKUP].incoming(0).is_none(),
        "a refusal is about the call, not the trunk: no failover"
    );
    assert!(matches!(
        w.phones[ALICE].calls[call].state,
        CallState::Failed(_)
    ));
    assert_eq!(w.lines_in_use(1), 0);
    assert_eq!(w.records().len(), 1);
}

#[test]
fn a_full_trunk_is_skipped() {
    let mut w = office(92);
    // The backup has one channel: the first call takes it after the provider fails,
    // the second finds the provider failing and the backup full.
    let first = w.with(ALICE, |p, now| p.call(now, DIALLED));
    let idx = invite_at(&mut w, MAIN, 0);
    w.with(MAIN, |p, now| p.reject(now, idx, 500));
    invite_at(&mut w, BACKUP, 0);
    let second = w.with(ALICE, |p, now| p.call(now, DIALLED));
    let idx = invite_at(&mut w, MAIN, 1);
    w.with(MAIN, |p, now| p.reject(now, idx, 500));
    assert!(w.run_until(Duration::from_secs(5), |w| matches!(
        w.phones[ALICE].calls[second].state,
        CallState::Failed(_)
    )));
    assert!(
        w.phones[BACKUP].incoming(1).is_none(),
        "the full backup never got it"
    );
    assert_eq!(w.phones[ALICE].calls[first].state, CallState::Ringing);
    assert_eq!(w.lines_in_use(2), 1);
    let records = w.records();
    assert_eq!(records.len(), 1, "the second call's record");
    assert!(records[0].lines_busy, "it found the backup's line busy");
}
