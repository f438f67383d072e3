//! The trunks' view of the network, kept off the core task because DNS can take seconds:
//! host names resolved at start, when the dial plan changes and every few minutes, and the
//! local route towards each trunk watched for changes. Results go to the core as
//! [`TrunkNetEvent`]s, which it applies to the PBX.

#[cfg(test)]
mod fake_dns;
mod resolve;
mod target;
mod watch;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use pbx::dialplan::DialPlan;
use tokio::sync::{mpsc, watch as latest};
use tokio::time::MissedTickBehavior;

pub(crate) use resolve::ResolvedTrunk;
use resolve::{Dns, Resolver, SystemDns};
use target::TrunkLookup;
pub(crate) use watch::local_address_towards;
use watch::{NetworkWatch, INTERNET_PROBE};

/// How often host names are looked up again, so a provider moving its servers is
/// followed within minutes.
const REFRESH: Duration = Duration::from_secs(5 * 60);

/// How often the local route towards each trunk is checked.
const PROBE: Duration = Duration::from_secs(10);

/// What the trunk network task tells the core.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum TrunkNetEvent {
    /// Addresses for the trunks of the plan with this generation (see [`TrunkNet::set_plan`]);
    /// answers for an older plan are stale and dropped by the core.
    Resolved {
        generation: u64,
        trunks: Vec<ResolvedTrunk>,
    },
    /// The local address towards a trunk changed, or the network came back: re-register.
    NetworkChanged,
}

/// Handle to the task; dropping it stops the task.
pub(crate) struct TrunkNet {
    plans: latest::Sender<(u64, Vec<TrunkLookup>)>,
}

/// The periods of the task, shorter in tests.
#[derive(Debug, Clone, Copy)]
struct Timing {
    refresh: Duration,
    probe: Duration,
}

impl TrunkNet {
    /// Starts the task. `ipv4`/`ipv6`: whether the PBX has a SIP socket of that family,
    /// so trunk targets are only chosen where it can send.
    pub fn spawn(ipv4: bool, ipv6: bool, events: mpsc::Sender<TrunkNetEvent>) -> TrunkNet {
        let timing = Timing {
            refresh: REFRESH,
            probe: PROBE,
        };
        Self::spawn_with(
            Resolver::new(SystemDns, ipv4, ipv6),
            local_address_towards,
            timing,
            events,
        )
    }

    fn spawn_with<D, P>(
        resolver: Resolver<D>,
        probe: P,
        timing: Timing,
        events: mpsc::Sender<TrunkNetEvent>,
    ) -> TrunkNet
    where
        D: Dns + Send + 'static,
        P: Fn(SocketAddr) -> Option<IpAddr> + Send + 'static,
    {
        let (plans, rx) = latest::channel((0, Vec::new()));
        tokio::spawn(run(rx, resolver, probe, timing, events));
        TrunkNet { plans }
    }

    /// Resolves the trunks of a new plan (at once, then periodically). Only the latest plan
    /// is worked on when several arrive while a lookup is under way.
    pub fn set_plan(&self, generation: u64, plan: &DialPlan) {
        // The task has stopped only when the runtime is shutting down.
        let _ = self.plans.send((generation, target::lookups(plan)));
    }
}

async fn run<D: Dns, P: Fn(SocketAddr) -> Option<IpAddr>>(
    mut plans: latest::Receiver<(u64, Vec<TrunkLookup>)>,
    mut resolver: Resolver<D>,
    probe: P,
    timing: Timing,
    events: mpsc::Sender<TrunkNetEvent>,
) {
    let mut refresh = tokio::time::interval(timing.refresh);
    refresh.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut probes = tokio::time::interval(timing.probe);
    probes.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut watch = NetworkWatch::default();
    let (mut generation, mut lookups) = (0, Vec::new());
    let mut resolved: Vec<ResolvedTrunk> = Vec::new();
    loop {
        let mut network_changed = false;
        tokio::select! {
            changed = plans.changed() => {
                if changed.is_err() {
                    return; // the core has stopped
                }
                (generation, lookups) = plans.borrow_and_update().clone();
                refresh.reset();
            }
            _ = refresh.tick() => {}
            _ = probes.tick() => {
                if lookups.is_empty() {
                    continue;
                }
                let targets = resolved
                    .iter()
                    .filter_map(|t| t.target.map(|p| p.addr))
                    .chain([INTERNET_PROBE]);
                network_changed = watch.observe(targets.map(|t| (t, probe(t))).collect::<Vec<_>>());
                if !network_changed {
                    continue;
                }
                tracing::info!("network changed; trunks re-register");
            }
        }
        // A changed network may also mean names resolve again (or differently).
        resolved = resolver.resolve_all(&lookups).await;
        let update = TrunkNetEvent::Resolved {
            generation,
            trunks: resolved.clone(),
        };
        if events.send(update).await.is_err() {
            return;
        }
        if network_changed && events.send(TrunkNetEvent::NetworkChanged).await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests;
