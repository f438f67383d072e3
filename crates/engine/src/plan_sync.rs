//! Keeps the PBX's dial plan and trunk addresses in step with the database and the
//! network: the plan is re-read when the database changes, trunk host names are resolved
//! by the [`TrunkNet`] task, and its answers are handed to the PBX here, on the core task.

use std::collections::HashMap;
use std::time::Instant;

use pbx::dialplan::{AddressRule, DialPlan, TrunkId};
use pbx::Pbx;

use crate::advertise::Advertised;
use crate::trunk_net::{ResolvedTrunk, TrunkNet, TrunkNetEvent};

/// The core's side of the trunk network task.
pub(crate) struct PlanSync {
    /// The plan the PBX has, to skip re-applying an unchanged one (the database also
    /// changes with every call record and registration written).
    plan: DialPlan,
    /// Counts plans applied, so answers resolved for an older one can be told apart.
    generation: u64,
    /// What each trunk was last given, so a periodic refresh that finds the same
    /// addresses changes nothing.
    given: HashMap<TrunkId, ResolvedTrunk>,
    net: TrunkNet,
    /// Our addresses as written into Via, Contact and SDP, looked up again when the
    /// network changes.
    advertised: Advertised,
}

impl PlanSync {
    pub fn new(net: TrunkNet, advertised: Advertised) -> PlanSync {
        PlanSync {
            plan: DialPlan::default(),
            generation: 0,
            given: HashMap::new(),
            net,
            advertised,
        }
    }

    /// Reads the plan from the database and applies it when it differs from the PBX's.
    /// An unreadable plan leaves the current one in force.
    pub fn reload(&mut self, now: Instant, pbx: &mut Pbx, store: &store::Store) {
        match store.load_dial_plan() {
            Ok(plan) => self.apply(now, pbx, plan),
            Err(e) => {
                tracing::warn!(error = %e, "could not read the dial plan; keeping the current one")
            }
        }
    }

    fn apply(&mut self, now: Instant, pbx: &mut Pbx, plan: DialPlan) {
        if plan == self.plan && self.generation > 0 {
            return;
        }
        self.generation += 1;
        tracing::info!(
            trunks = plan.trunks.len(),
            names = plan.names.len(),
            ring_groups = plan.ring_groups.len(),
            "dial plan loaded"
        );
        self.net.set_plan(self.generation, &plan);
        self.plan = plan.clone();
        // Every trunk is told its addresses again after a plan change: a changed trunk
        // starts over without them.
        self.given.clear();
        pbx.set_dial_plan(now, plan);
    }

    pub fn handle(&mut self, now: Instant, pbx: &mut Pbx, event: TrunkNetEvent) {
        match event {
            TrunkNetEvent::Resolved { generation, trunks } => {
                if generation != self.generation {
                    return; // for a plan that has since been replaced
                }
                for trunk in trunks {
                    if self.given.get(&trunk.id) == Some(&trunk) {
                        continue;
                    }
                    let allowed = trunk
                        .allowed
                        .iter()
                        .filter_map(|rule| match rule.parse::<AddressRule>() {
                            Ok(rule) => Some(rule),
                            Err(e) => {
                                tracing::warn!(trunk = trunk.id, rule, error = %e, "allowed address ignored");
                                None
                            }
                        })
                        .collect();
                    tracing::debug!(trunk = trunk.id, target = ?trunk.target.map(|p| p.addr), "trunk addresses");
                    pbx.set_trunk_target(now, trunk.id, trunk.target, allowed);
                    self.given.insert(trunk.id, trunk);
                }
            }
            TrunkNetEvent::NetworkChanged => {
                // The new addresses first, so the REGISTERs that follow carry them.
                if let Some(local) = self.advertised.refresh() {
                    tracing::info!(?local, "advertised addresses changed");
                    pbx.set_local_addresses(now, local.to_vec());
                }
                pbx.network_changed(now);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::{IpAddr, SocketAddr};
    use std::sync::{Arc, Mutex};

    use pbx::dialplan::{Destination, DtmfMode, Trunk, TrunkAuth, TrunkTransport};
    use pbx::media_relay::{MediaRelay, RelayPorts};
    use pbx::registrar::{Directory, RegistrarConfig};
    use pbx::{PbxConfig, TrunkStatus};
    use sip::transaction::Peer;
    use sip::{Message, Response, Transport};
    use tokio::sync::mpsc;

    use super::*;

    struct NoRelay;

    impl MediaRelay for NoRelay {
        fn allocate(&mut self, _: IpAddr, _: IpAddr) -> Option<RelayPorts> {
            None
        }
    }

    const LOCAL: &str = "192.0.2.10:5060";
    const PROVIDER: &str = "203.0.113.5:5060";

    fn pbx(now: Instant) -> Pbx {
        let local = vec![(Transport::Udp, LOCAL.parse().expect("addr"))];
        let config = PbxConfig::new(local, RegistrarConfig::new("switchboard"));
        Pbx::new(now, config, Directory::new(), Box::new(NoRelay), Some(7))
    }

    fn plan() -> DialPlan {
        DialPlan {
            trunks: vec![Trunk {
                id: 1,
                name: "Provider".into(),
                enabled: true,
                host: "sip.example.com".into(),
                port: None,
                transport: TrunkTransport::Udp,
                outbound_proxy: None,
                auth: TrunkAuth::Registration {
                    username: "acme".into(),
                    password: "secret".into(),
                    auth_username: None,
                    contact_user: "c0ffee".into(),
                    expires: 120,
                },
                channels: 2,
                codecs: vec!["PCMU".into()],
                dtmf: DtmfMode::Rfc4733,
                from_user: None,
                caller_id: None,
                trust_pai: false,
                overflow: None,
                default_destination: Destination::Hangup,
            }],
            ..DialPlan::default()
        }
    }

    fn sync() -> PlanSync {
        let explicit = vec![LOCAL.parse().expect("addr")];
        sync_with(Advertised::new(explicit, Box::new(|_| None)))
    }

    fn sync_with(advertised: Advertised) -> PlanSync {
        // The task is never asked anything here: its answers are handed in by the tests.
        let (tx, _rx) = mpsc::channel(1);
        PlanSync::new(TrunkNet::spawn(true, false, tx), advertised)
    }

    fn resolved(generation: u64) -> TrunkNetEvent {
        TrunkNetEvent::Resolved {
            generation,
            trunks: vec![ResolvedTrunk {
                id: 1,
                target: Some(Peer {
                    transport: Transport::Udp,
                    addr: PROVIDER.parse().expect("addr"),
                }),
                allowed: vec![],
            }],
        }
    }

    /// The REGISTER requests the PBX sent, each with where it went.
    fn registers(pbx: &mut Pbx) -> Vec<(SocketAddr, sip::Request)> {
        let mut out = Vec::new();
        while let Some(t) = pbx.poll_transmit() {
            if let Ok(Message::Request(r)) = sip::parse(&t.bytes) {
                out.push((t.dest, r));
            }
        }
        out
    }

    #[tokio::test]
    async fn the_trunk_registers_once_its_current_plan_is_resolved() {
        let now = Instant::now();
        let mut pbx = pbx(now);
        let mut sync = sync();
        sync.apply(now, &mut pbx, plan());
        assert!(
            registers(&mut pbx).is_empty(),
            "a host name needs resolving first"
        );
        assert_eq!(pbx.trunk_states()[0].status, TrunkStatus::Resolving);

        // An answer for an older plan is not used.
        sync.handle(now, &mut pbx, resolved(0));
        assert!(registers(&mut pbx).is_empty());

        sync.handle(now, &mut pbx, resolved(1));
        let sent = registers(&mut pbx);
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].0, PROVIDER.parse::<SocketAddr>().expect("addr"));

        // The same answer again (a periodic refresh) changes nothing.
        sync.handle(now, &mut pbx, resolved(1));
        assert!(registers(&mut pbx).is_empty());

        // Nor does the same plan read again (the database changed for something else).
        sync.apply(now, &mut pbx, plan());
        assert!(registers(&mut pbx).is_empty());
    }

    #[tokio::test]
    async fn a_network_change_re_registers_at_once() {
        let now = Instant::now();
        let mut pbx = pbx(now);
        let mut sync = sync();
        sync.apply(now, &mut pbx, plan());
        sync.handle(now, &mut pbx, resolved(1));
        let (_, register) = registers(&mut pbx).pop().expect("a REGISTER");
        let mut ok = Response::for_request(&register, 200, "OK");
        let contact = register
            .headers
            .get("Contact")
            .unwrap_or_default()
            .to_owned();
        ok.headers.push("Contact", format!("{contact};expires=120"));
        let provider = Peer {
            transport: Transport::Udp,
            addr: PROVIDER.parse().expect("addr"),
        };
        pbx.handle_input(now, 0, provider, &ok.to_bytes());
        assert!(matches!(
            pbx.trunk_states()[0].status,
            TrunkStatus::Registered { .. }
        ));
        assert!(registers(&mut pbx).is_empty());

        sync.handle(now, &mut pbx, TrunkNetEvent::NetworkChanged);
        let again = registers(&mut pbx);
        assert_eq!(
            again.len(),
            1,
            "registers again without waiting for the refresh"
        );
        assert_eq!(again[0].1.call_id(), register.call_id());
    }

    #[tokio::test]
    async fn a_wildcard_listen_re_registers_from_its_new_address() {
        let now = Instant::now();
        let route = Arc::new(Mutex::new(IpAddr::from([192, 168, 1, 23])));
        let shared = Arc::clone(&route);
        let probe = move |_| Some(*shared.lock().expect("route"));
        let advertised =
            Advertised::new(vec!["0.0.0.0:5060".parse().expect("addr")], Box::new(probe));
        let config = PbxConfig::new(
            advertised.current().to_vec(),
            RegistrarConfig::new("switchboard"),
        );
        let mut pbx = Pbx::new(now, config, Directory::new(), Box::new(NoRelay), Some(8));
        let mut sync = sync_with(advertised);
        sync.apply(now, &mut pbx, plan());
        sync.handle(now, &mut pbx, resolved(1));
        let (_, register) = registers(&mut pbx).pop().expect("a REGISTER");
        let contact = register
            .headers
            .get("Contact")
            .unwrap_or_default()
            .to_owned();
        assert!(contact.contains("192.168.1.23:5060"), "{contact}");

        // Nothing moved: the same addresses, re-registering all the same.
        sync.handle(now, &mut pbx, TrunkNetEvent::NetworkChanged);
        let same = registers(&mut pbx);
        assert_eq!(same.len(), 1);
        assert_eq!(same[0].1.headers.get("Contact"), Some(contact.as_str()));

        // Wi-Fi to tethering.
        *route.lock().expect("route") = IpAddr::from([172, 20, 10, 2]);
        sync.handle(now, &mut pbx, TrunkNetEvent::NetworkChanged);
        let moved = registers(&mut pbx);
        assert_eq!(moved.len(), 1);
        let contact = moved[0].1.headers.get("Contact").unwrap_or_default();
        assert!(contact.contains("172.20.10.2:5060"), "{contact}");
        let via = moved[0].1.top_via().expect("via");
        assert_eq!(via.host, sip::Host::from(IpAddr::from([172, 20, 10, 2])));
    }
}
