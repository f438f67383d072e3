//! Ring groups: a number that rings several extensions (or other groups), all at once or
//! one after another, then goes to a final destination when nobody answers.

use pbx::dialplan as model;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{Command, Ctx};
use crate::plan::{typed, Destination, RingGroup, RingMember, RingStrategy};
use crate::plan_check::{check, extension_numbers, item, Elsewhere};
use crate::ApiError;

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ListRingGroupsRequest {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ListRingGroupsResponse {
    pub groups: Vec<RingGroup>,
}

impl Command for ListRingGroupsRequest {
    const NAME: &'static str = "list_ring_groups";
    type Response = ListRingGroupsResponse;

    async fn run(self, ctx: &Ctx) -> Result<ListRingGroupsResponse, ApiError> {
        let plan = ctx.store(|s| Ok(s.load_dial_plan()?)).await?;
        Ok(ListRingGroupsResponse {
            groups: plan.ring_groups.into_iter().map(RingGroup::from).collect(),
        })
    }
}

/// Adds a ring group, or replaces the one numbered `previous_number` (which may differ
/// from `number`: the group is renumbered and everything that rang it follows).
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SaveRingGroupRequest {
    /// The group's number before this change; left out for a new group.
    #[serde(default)]
    #[ts(optional)]
    pub previous_number: Option<String>,
    pub number: String,
    pub name: String,
    pub strategy: RingStrategy,
    pub members: Vec<RingMember>,
    pub final_destination: Option<Destination>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SaveRingGroupResponse {
    pub group: RingGroup,
}

impl Command for SaveRingGroupRequest {
    const NAME: &'static str = "save_ring_group";
    type Response = SaveRingGroupResponse;

    async fn run(self, ctx: &Ctx) -> Result<SaveRingGroupResponse, ApiError> {
        let previous = typed(self.previous_number);
        let group: model::RingGroup = RingGroup {
            number: self.number,
            name: self.name,
            strategy: self.strategy,
            members: self.members,
            final_destination: self.final_destination,
        }
        .into();
        let saved = ctx
            .store(move |s| {
                let before = s.load_dial_plan()?;
                let exts = extension_numbers(s)?;
                if exts.contains(&group.number) {
                    return Err(ApiError::field(
                        "number",
                        format!("{} is an extension's number", group.number),
                    ));
                }
                let mut after = before.clone();
                let index = match &previous {
                    Some(old) => {
                        let i = after
                            .ring_groups
                            .iter()
                            .position(|g| &g.number == old)
                            .ok_or_else(|| no_group(old, "previous_number"))?;
                        after.ring_groups[i] = group.clone();
                        // Everything that rang the old number follows the group, as the
                        // store does when it saves.
                        if *old != group.number {
                            renumber(&mut after, old, &group.number);
                        }
                        i
                    }
                    None => {
                        after.ring_groups.push(group.clone());
                        after.ring_groups.len() - 1
                    }
                };
                check(
                    &before,
                    &after,
                    &exts,
                    &item("ring_groups", index),
                    &ELSEWHERE,
                )?;
                s.save_ring_group(previous.as_deref(), &group)?;
                Ok(group)
            })
            .await?;
        ctx.dial_plan_changed("ring_groups".to_owned()).await;
        Ok(SaveRingGroupResponse {
            group: saved.into(),
        })
    }
}

/// A number clash or a loop through another group is this group's problem too.
const ELSEWHERE: Elsewhere = Elsewhere {
    default: "members",
    fields: &["number"],
};

/// Points every reference to ring group `old` at `new`.
fn renumber(plan: &mut model::DialPlan, old: &str, new: &str) {
    let fix = |d: &mut model::Destination| {
        if let model::Destination::RingGroup(n) = d {
            if n == old {
                *n = new.to_owned();
            }
        }
    };
    for t in &mut plan.trunks {
        if let Some(d) = &mut t.overflow {
            fix(d);
        }
        fix(&mut t.default_destination);
    }
    for n in &mut plan.names {
        fix(&mut n.destination);
    }
    for g in &mut plan.ring_groups {
        for m in &mut g.members {
            if m.number == old {
                m.number = new.to_owned();
            }
        }
        if let Some(d) = &mut g.final_destination {
            fix(d);
        }
    }
    for s in &mut plan.schedules {
        fix(&mut s.open);
        fix(&mut s.closed);
    }
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RemoveRingGroupRequest {
    pub number: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RemoveRingGroupResponse {}

impl Command for RemoveRingGroupRequest {
    const NAME: &'static str = "remove_ring_group";
    type Response = RemoveRingGroupResponse;

    async fn run(self, ctx: &Ctx) -> Result<RemoveRingGroupResponse, ApiError> {
        let number = self.number.trim().to_owned();
        ctx.store(move |s| {
            let before = s.load_dial_plan()?;
            if before.ring_group(&number).is_none() {
                return Err(no_group(&number, "number"));
            }
            let mut after = before.clone();
            after.ring_groups.retain(|g| g.number != number);
            let exts = extension_numbers(s)?;
            check(
                &before,
                &after,
                &exts,
                &|_: &str| None,
                &Elsewhere::on("number"),
            )?;
            s.remove_ring_group(&number)
                .map_err(|e| ApiError::from_store(e, "number"))
        })
        .await?;
        ctx.dial_plan_changed("ring_groups".to_owned()).await;
        Ok(RemoveRingGroupResponse {})
    }
}

fn no_group(number: &str, field: &'static str) -> ApiError {
    ApiError::NotFound {
        message: format!("there is no ring group {number}"),
        field,
    }
}
