//! The PBX's side of trunks: configuration from the runtime, REGISTER transactions
//! through the endpoint, timers and status events.

use std::time::Instant;

use sip::transaction::{ClientKey, Peer};
use sip::Response;

use super::TrunkState;
use crate::action::{Action, PbxEvent};
use crate::core::{ClientOwner, Pbx};
use crate::dialplan::{AddressRule, DialPlan, TrunkId};

impl Pbx {
    /// Takes a new dial plan. New or changed registration trunks start registering at
    /// once; removed, disabled or changed ones take their registration off the
    /// provider (Expires: 0).
    pub fn set_dial_plan(&mut self, now: Instant, plan: DialPlan) {
        self.trunks.configure(now, &plan.trunks);
        self.plan = plan;
        self.pump_trunks(now);
    }

    /// The runtime resolved trunk `id`'s host (or outbound proxy) to `target` (`None`:
    /// not resolvable yet), and its allowed host names to `allowed`.
    pub fn set_trunk_target(
        &mut self,
        now: Instant,
        id: TrunkId,
        target: Option<Peer>,
        allowed: Vec<AddressRule>,
    ) {
        self.trunks.set_target(now, id, target, allowed);
        self.pump_trunks(now);
    }

    /// The PBX's network changed (a new local address, or connectivity back): every
    /// trunk registers again now instead of waiting for its refresh or backoff.
    pub fn network_changed(&mut self, now: Instant) {
        self.trunks.network_changed(now);
        self.pump_trunks(now);
    }

    /// The PBX is stopping: every trunk takes its binding off the provider (RFC 3261
    /// §10.2.2, Expires: 0), so that the provider stops sending calls to an address
    /// nobody answers and rejects them at once instead. Calls keep working meanwhile;
    /// see [`Self::trunks_unregistering`] for when it is done.
    pub fn unregister_trunks(&mut self, now: Instant) {
        self.trunks.configure(now, &[]);
        self.pump_trunks(now);
    }

    /// Whether a trunk's removal still waits for the provider's answer.
    pub fn trunks_unregistering(&self) -> bool {
        self.trunks.unregistering()
    }

    /// Every trunk's status and line usage, in the plan's order.
    pub fn trunk_states(&self) -> Vec<TrunkState> {
        self.trunks.states()
    }

    /// Sends every REGISTER that is due and reports status changes.
    pub(crate) fn pump_trunks(&mut self, now: Instant) {
        self.trunks.queue_keepalives(now);
        let config = &self.config;
        let local = |peer: Peer| config.local_for(peer.transport, peer.addr);
        while let Some(out) = self
            .trunks
            .poll_register(now, local, self.config.user_agent.as_str())
        {
            match self.endpoint.send_request(now, out.request, out.target) {
                Ok(key) => {
                    self.by_client
                        .insert(key, ClientOwner::TrunkRegister(out.trunk));
                    self.trunks.register_sent(out.serial, key);
                }
                Err(e) => {
                    tracing::warn!(error = %e, "trunk REGISTER not sent");
                    self.trunks.register_not_sent(
                        now,
                        out.serial,
                        format!("REGISTER not sent: {e}"),
                    );
                }
            }
        }
        self.drain_trunk_events();
    }

    /// The answer to a REGISTER of a trunk.
    pub(crate) fn trunk_register_response(
        &mut self,
        now: Instant,
        trunk: TrunkId,
        key: ClientKey,
        response: &Response,
    ) {
        tracing::debug!(trunk, status = response.status, "trunk REGISTER answered");
        self.trunks.handle_response(now, key, response);
        self.pump_trunks(now);
    }

    /// Queues a `PbxEvent::TrunkStatus` for each trunk whose status or line count
    /// changed since the last one.
    pub(crate) fn drain_trunk_events(&mut self) {
        while let Some(state) = self.trunks.poll_event() {
            self.actions
                .push_back(Action::Event(PbxEvent::TrunkStatus(state)));
        }
    }
}
