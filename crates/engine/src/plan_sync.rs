//! Keeps the PBX's dial plan and trunk addresses in step with the database and the
//! network: the plan is re-read when the database changes, trunk host names are resolved
//! by the [`TrunkNet`] task, and its answers are handed to the PBX here, on the core task.

use std::collections::HashMap;
use std::time::Instant;

use pbx::dialplan::{AddressRule, DialPlan, TrunkId};
use pbx::Pbx;

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
}

impl PlanSync {
    pub fn new(net: TrunkNet) -> PlanSync {
        PlanSync {
            plan: DialPlan::default(),
            generation: 0,
            given: HashMap::new(),
            net,
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
            TrunkNetEvent::NetworkChanged => pbx.network_changed(now),
        }
    }
}
