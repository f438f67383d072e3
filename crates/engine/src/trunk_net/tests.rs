//! The task end to end with a table for DNS and a scripted route probe.

use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use pbx::dialplan::{Destination, DialPlan, DtmfMode, Trunk, TrunkAuth, TrunkTransport};
use sip::transaction::Peer;
use sip::Transport;
use tokio::sync::mpsc;

use super::fake_dns::FakeDns;
use super::*;

/// Bound on any wait, so a broken task fails the test instead of hanging it.
const PATIENCE: Duration = Duration::from_secs(5);

fn trunk(id: i64, host: &str, auth: TrunkAuth) -> Trunk {
    Trunk {
        id,
        name: format!("trunk {id}"),
        enabled: true,
        host: host.into(),
        port: None,
        transport: TrunkTransport::Udp,
        outbound_proxy: None,
        auth,
        channels: 2,
        codecs: vec!["PCMU".into()],
        dtmf: DtmfMode::Rfc4733,
        from_user: None,
        caller_id: None,
        trust_pai: false,
        overflow: None,
        default_destination: Destination::Hangup,
    }
}

fn plan(trunks: Vec<Trunk>) -> DialPlan {
    DialPlan {
        trunks,
        ..DialPlan::default()
    }
}

fn peer(s: &str) -> Option<Peer> {
    Some(Peer {
        transport: Transport::Udp,
        addr: s.parse().expect("addr"),
    })
}

struct Harness {
    dns: Arc<FakeDns>,
    /// What the scripted probe answers for every target.
    route: Arc<Mutex<Option<IpAddr>>>,
    /// Completed probe rounds (the internet probe comes last in each).
    rounds: Arc<AtomicUsize>,
    net: TrunkNet,
    events: mpsc::Receiver<TrunkNetEvent>,
}

fn harness(refresh: Duration) -> Harness {
    let dns = Arc::new(FakeDns::default());
    let route = Arc::new(Mutex::new("192.168.1.10".parse().ok()));
    let (tx, events) = mpsc::channel(16);
    let rounds = Arc::new(AtomicUsize::new(0));
    let (probe_route, probe_rounds) = (route.clone(), rounds.clone());
    let net = TrunkNet::spawn_with(
        Resolver::new(dns.clone(), true, true),
        move |target| {
            if target == INTERNET_PROBE {
                probe_rounds.fetch_add(1, Ordering::SeqCst);
            }
            *probe_route.lock().expect("lock")
        },
        Timing {
            refresh,
            probe: Duration::from_millis(10),
        },
        tx,
    );
    Harness {
        dns,
        route,
        rounds,
        net,
        events,
    }
}

impl Harness {
    async fn next(&mut self) -> TrunkNetEvent {
        tokio::time::timeout(PATIENCE, self.events.recv())
            .await
            .expect("an event in time")
            .expect("task running")
    }

    /// Waits until the task has completed another round of probes.
    async fn probe_round(&self) {
        let start = self.rounds.load(Ordering::SeqCst);
        tokio::time::timeout(PATIENCE, async {
            while self.rounds.load(Ordering::SeqCst) == start {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .expect("a probe round in time");
    }

    /// The next answer for `generation`, skipping earlier ones.
    async fn resolved(&mut self, generation: u64) -> Vec<ResolvedTrunk> {
        loop {
            if let TrunkNetEvent::Resolved {
                generation: g,
                trunks,
            } = self.next().await
            {
                if g == generation {
                    return trunks;
                }
            }
        }
    }
}

#[tokio::test]
async fn a_plan_is_resolved_and_answered_with_its_generation() {
    let mut h = harness(REFRESH);
    h.dns.set("sip.example.com", &["203.0.113.5"]);
    h.dns.set("gw.example.com", &["198.51.100.1"]);
    let ip_mode = TrunkAuth::Ip {
        allowed: vec!["gw.example.com".into(), "10.0.0.0/8".into()],
    };
    h.net.set_plan(
        3,
        &plan(vec![
            trunk(1, "sip.example.com", reg()),
            trunk(2, "gw.example.com:5070", ip_mode),
        ]),
    );
    let got = h.resolved(3).await;
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].target, peer("203.0.113.5:5060"));
    assert_eq!(got[1].target, peer("198.51.100.1:5070"));
    assert_eq!(got[1].allowed, vec!["198.51.100.1"]);
}

#[tokio::test]
async fn disabled_trunks_are_not_resolved() {
    let mut h = harness(REFRESH);
    h.dns.set("sip.example.com", &["203.0.113.5"]);
    let mut off = trunk(1, "sip.example.com", reg());
    off.enabled = false;
    h.net
        .set_plan(1, &plan(vec![off, trunk(2, "sip.example.com", reg())]));
    let got = h.resolved(1).await;
    assert_eq!(got.iter().map(|t| t.id).collect::<Vec<_>>(), vec![2]);
}

#[tokio::test]
async fn the_outbound_proxy_is_the_target() {
    let mut h = harness(REFRESH);
    h.dns.set("sip.example.com", &["203.0.113.5"]);
    h.dns.set("proxy.example.com", &["203.0.113.99"]);
    let mut t = trunk(1, "sip.example.com", reg());
    t.outbound_proxy = Some("sip:proxy.example.com:5080;lr".into());
    h.net.set_plan(1, &plan(vec![t]));
    assert_eq!(h.resolved(1).await[0].target, peer("203.0.113.99:5080"));
}

#[tokio::test]
async fn a_periodic_refresh_follows_the_provider_to_a_new_address() {
    let mut h = harness(Duration::from_millis(20));
    h.dns.set("sip.example.com", &["203.0.113.5"]);
    h.net
        .set_plan(1, &plan(vec![trunk(1, "sip.example.com", reg())]));
    assert_eq!(h.resolved(1).await[0].target, peer("203.0.113.5:5060"));
    h.dns.set("sip.example.com", &["203.0.113.6"]);
    loop {
        if h.resolved(1).await[0].target == peer("203.0.113.6:5060") {
            break;
        }
    }
}

#[tokio::test]
async fn a_new_local_address_asks_for_re_registration_after_fresh_addresses() {
    let mut h = harness(REFRESH);
    h.dns.set("sip.example.com", &["203.0.113.5"]);
    h.net
        .set_plan(1, &plan(vec![trunk(1, "sip.example.com", reg())]));
    h.resolved(1).await;
    // A probe round sets the baseline before the address changes.
    h.probe_round().await;
    h.dns.set("sip.example.com", &["203.0.113.7"]);
    *h.route.lock().expect("lock") = "10.0.0.4".parse().ok();
    let got = h.resolved(1).await;
    assert_eq!(got[0].target, peer("203.0.113.7:5060"));
    assert_eq!(h.next().await, TrunkNetEvent::NetworkChanged);
}

#[tokio::test]
async fn the_network_coming_back_asks_for_re_registration() {
    let mut h = harness(REFRESH);
    *h.route.lock().expect("lock") = None;
    h.dns.set("sip.example.com", &["203.0.113.5"]);
    h.net
        .set_plan(1, &plan(vec![trunk(1, "sip.example.com", reg())]));
    h.resolved(1).await;
    h.probe_round().await;
    *h.route.lock().expect("lock") = "192.168.1.10".parse().ok();
    loop {
        if h.next().await == TrunkNetEvent::NetworkChanged {
            break;
        }
    }
}

fn reg() -> TrunkAuth {
    TrunkAuth::Registration {
        username: "acme".into(),
        password: "secret".into(),
        auth_username: None,
        contact_user: "c0ffee".into(),
        expires: 300,
    }
}
