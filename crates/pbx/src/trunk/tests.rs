//! Inbound matching, channel counting and credentials of [`Trunks`].

use std::time::Instant;

use sip::auth::{DigestConfig, DigestServer, Secret, Verdict};
use sip::transaction::Peer;
use sip::{Method, Request, Response, Transport};

use super::{TrunkStatus, Trunks};
use crate::dialplan::{Destination, DtmfMode, Trunk, TrunkAuth, TrunkTransport};

fn peer(s: &str) -> Peer {
    Peer {
        transport: Transport::Udp,
        addr: s.parse().expect("address"),
    }
}

fn invite(uri: &str) -> Request {
    Request::new(Method::Invite, uri.parse().expect("uri"))
}

fn base(id: i64, host: &str, auth: TrunkAuth) -> Trunk {
    Trunk {
        id,
        name: format!("T{id}"),
        enabled: true,
        host: host.to_owned(),
        port: None,
        transport: TrunkTransport::Udp,
        outbound_proxy: None,
        auth,
        channels: 2,
        codecs: Vec::new(),
        dtmf: DtmfMode::Rfc4733,
        from_user: None,
        caller_id: None,
        trust_pai: false,
        overflow: None,
        default_destination: Destination::Hangup,
    }
}

fn registration(id: i64, host: &str, contact_user: &str) -> Trunk {
    base(
        id,
        host,
        TrunkAuth::Registration {
            username: "acct".to_owned(),
            password: "pw".to_owned(),
            auth_username: Some("auth-acct".to_owned()),
            contact_user: contact_user.to_owned(),
            expires: 600,
        },
    )
}

fn ip(id: i64, allowed: &[&str]) -> Trunk {
    base(
        id,
        "198.51.100.7",
        TrunkAuth::Ip {
            allowed: allowed.iter().map(|a| a.to_string()).collect(),
        },
    )
}

fn trunks(list: &[Trunk]) -> (Trunks, Instant) {
    let now = Instant::now();
    let mut t = Trunks::new(Some(1));
    t.configure(now, list);
    (t, now)
}

#[test]
fn registration_trunks_match_by_contact_user_or_provider_address() {
    let (t, _) = trunks(&[
        registration(1, "203.0.113.5", "tk-one"),
        registration(2, "203.0.113.9", "tk-two"),
    ]);
    // The Request-URI names the contact registered; the source does not matter.
    let from_anywhere = peer("192.0.2.44:5060");
    assert_eq!(
        t.match_inbound(from_anywhere, &invite("sip:tk-two@192.168.1.1")),
        Some(2)
    );
    // The provider's own address, any port.
    assert_eq!(
        t.match_inbound(peer("203.0.113.5:49152"), &invite("sip:+4420@192.168.1.1")),
        Some(1)
    );
    assert_eq!(
        t.match_inbound(from_anywhere, &invite("sip:+4420@192.168.1.1")),
        None
    );
    assert_eq!(
        t.match_inbound(from_anywhere, &invite("sip:tk-ONE@192.168.1.1")),
        None,
        "user parts compare exactly"
    );
}

#[test]
fn ip_trunks_match_only_their_allowed_sources() {
    let (mut t, now) = trunks(&[ip(3, &["198.51.100.7", "198.51.100.8:5070", "sbc.example"])]);
    let call = invite("sip:+4420@192.168.1.1");
    assert_eq!(t.match_inbound(peer("198.51.100.7:5060"), &call), Some(3));
    assert_eq!(t.match_inbound(peer("198.51.100.8:5070"), &call), Some(3));
    assert_eq!(t.match_inbound(peer("198.51.100.8:5060"), &call), None);
    // A host name counts once the runtime resolved it.
    let resolved = "192.0.2.80".parse().expect("rule");
    assert_eq!(t.match_inbound(peer("192.0.2.80:5060"), &call), None);
    t.set_target(now, 3, Some(peer("198.51.100.7:5060")), vec![resolved]);
    assert_eq!(t.match_inbound(peer("192.0.2.80:5060"), &call), Some(3));
    assert_eq!(t.target(3), Some(peer("198.51.100.7:5060")));
    assert_eq!(t.states()[0].status, TrunkStatus::Ip);
}

#[test]
fn disabled_trunks_match_nothing_and_carry_no_calls() {
    let mut off = ip(4, &["198.51.100.7"]);
    off.enabled = false;
    let mut reg_off = registration(5, "203.0.113.5", "tk-off");
    reg_off.enabled = false;
    let (mut t, _) = trunks(&[off, reg_off]);
    assert_eq!(
        t.match_inbound(peer("198.51.100.7:5060"), &invite("sip:tk-off@pbx")),
        None
    );
    assert!(!t.acquire_line(4));
    assert_eq!(t.states()[0].status, TrunkStatus::Disabled);
    assert_eq!(t.states()[1].status, TrunkStatus::Disabled);
}

#[test]
fn lines_are_counted_up_to_the_channels_and_reported() {
    let (mut t, _) = trunks(&[ip(6, &["198.51.100.7"])]);
    while t.poll_event().is_some() {}
    assert!(t.acquire_line(6));
    assert!(t.acquire_line(6));
    assert!(!t.acquire_line(6), "both channels busy");
    assert_eq!(t.lines_in_use(6), 2);
    t.release_line(6);
    assert_eq!(t.lines_in_use(6), 1);
    t.release_line(6);
    t.release_line(6); // one too many changes nothing
    assert_eq!(t.lines_in_use(6), 0);
    let counts: Vec<u32> = std::iter::from_fn(|| t.poll_event())
        .map(|s| s.lines_in_use)
        .collect();
    assert_eq!(counts, [1, 2, 1, 0]);
    assert!(!t.acquire_line(99), "unknown trunk");
}

#[test]
fn a_line_held_by_a_removed_trunk_can_still_be_released() {
    let (mut t, now) = trunks(&[ip(7, &["198.51.100.7"])]);
    assert!(t.acquire_line(7));
    t.configure(now, &[]);
    t.release_line(7);
    assert_eq!(t.lines_in_use(7), 0);
}

#[test]
fn challenges_are_answered_with_the_auth_user_name() {
    let (t, now) = trunks(&[registration(8, "203.0.113.5", "tk"), ip(9, &[])]);
    let creds = t.credentials(8).expect("credentials");
    assert_eq!(creds.username, "auth-acct");
    assert!(
        !format!("{creds:?}").contains("pw"),
        "password in debug output"
    );
    assert!(t.credentials(9).is_none());

    let mut server = DigestServer::with_secret(now, DigestConfig::default(), [3; 32]);
    let mut challenge = Response::new(407, "Proxy Authentication Required");
    for v in server.challenge(now, "provider.example", false) {
        challenge.headers.push("Proxy-Authenticate", v);
    }
    let uri = "sip:+441234@203.0.113.5";
    let mut rng = rand::rngs::mock::StepRng::new(7, 11);
    let (header, value) = t
        .credentials(8)
        .and_then(|c| c.answer(&challenge, "INVITE", uri, &mut rng))
        .expect("answer");
    assert_eq!(header, "Proxy-Authorization");
    let verdict = server.verify(now, "INVITE", &value, |user, _| {
        (user == "auth-acct").then(|| Secret::Password("pw".to_owned()))
    });
    assert!(matches!(verdict, Verdict::Authorized { .. }), "{verdict:?}");
}

#[test]
fn a_host_name_waits_for_the_runtime() {
    let (mut t, now) = trunks(&[registration(10, "sip.provider.example", "tk")]);
    assert_eq!(t.states()[0].status, TrunkStatus::Resolving);
    assert!(t.poll_timeout().is_none());
    t.set_target(now, 10, Some(peer("203.0.113.5:5060")), Vec::new());
    assert_eq!(t.states()[0].status, TrunkStatus::Registering);
    assert_eq!(t.poll_timeout(), Some(now));
}
