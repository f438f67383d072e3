//! The loops a plan can contain, found before a call can run into them.
//!
//! Two relations can loop. Membership: a group that contains itself, directly or through
//! nested groups, would expand forever. Continuation: where a call goes next (a group's
//! final destination when nobody answers, a schedule's open or closed destination); a loop
//! there rings the same people again and again and never ends the call. The relations are
//! checked apart because a nested group's final destination is never followed.

use std::collections::HashSet;

use super::validate::Issues;
use super::{Destination, DialPlan};

/// A place a call can go next that has a next place of its own.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Node {
    Group(String),
    Schedule(i64),
}

impl DialPlan {
    pub(super) fn check_cycles(&self, issues: &mut Issues) {
        for (i, group) in self.ring_groups.iter().enumerate() {
            let me = Node::Group(group.number.clone());
            for (j, member) in group.members.iter().enumerate() {
                if self.ring_group(&member.number).is_none() {
                    continue;
                }
                let field = format!("ring_groups.{i}.members.{j}.number");
                if member.number == group.number {
                    issues.add(field, "A ring group cannot contain itself".into());
                } else if self.reaches(Node::Group(member.number.clone()), &me, &|n| {
                    self.members_of(n)
                }) {
                    let message = format!(
                        "{} would contain itself through ring group {}",
                        group.name, member.number
                    );
                    issues.add(field, message);
                }
            }
            if let Some(next) = group.final_destination.as_ref().and_then(node_of) {
                if self.reaches(next, &me, &|n| self.next_of(n)) {
                    let message =
                        "When nobody answers, calls would come back to this group forever";
                    issues.add(format!("ring_groups.{i}.final_destination"), message.into());
                }
            }
        }
        for (i, schedule) in self.schedules.iter().enumerate() {
            let me = Node::Schedule(schedule.id);
            for (field, dest) in [("open", &schedule.open), ("closed", &schedule.closed)] {
                if let Some(next) = node_of(dest) {
                    if self.reaches(next, &me, &|n| self.next_of(n)) {
                        let message = "Calls would go round in a circle back to these hours";
                        issues.add(format!("schedules.{i}.{field}"), message.into());
                    }
                }
            }
        }
    }

    /// Whether `target` can be reached from `start` (inclusive) along `edges`.
    fn reaches(&self, start: Node, target: &Node, edges: &dyn Fn(&Node) -> Vec<Node>) -> bool {
        let mut seen = HashSet::new();
        let mut stack = vec![start];
        while let Some(node) = stack.pop() {
            if &node == target {
                return true;
            }
            if seen.insert(node.clone()) {
                stack.extend(edges(&node));
            }
        }
        false
    }

    /// Groups nested in a group.
    fn members_of(&self, node: &Node) -> Vec<Node> {
        match node {
            Node::Group(number) => self
                .ring_group(number)
                .into_iter()
                .flat_map(|g| &g.members)
                .filter(|m| self.ring_group(&m.number).is_some())
                .map(|m| Node::Group(m.number.clone()))
                .collect(),
            Node::Schedule(_) => Vec::new(),
        }
    }

    /// Where a call goes after this node: a group's final destination, or either of a
    /// schedule's destinations (either may be chosen, depending on the time).
    fn next_of(&self, node: &Node) -> Vec<Node> {
        match node {
            Node::Group(number) => self
                .ring_group(number)
                .and_then(|g| g.final_destination.as_ref())
                .and_then(node_of)
                .into_iter()
                .collect(),
            Node::Schedule(id) => self
                .schedules
                .iter()
                .filter(|s| s.id == *id)
                .flat_map(|s| [&s.open, &s.closed])
                .filter_map(node_of)
                .collect(),
        }
    }
}

fn node_of(dest: &Destination) -> Option<Node> {
    match dest {
        Destination::RingGroup(n) => Some(Node::Group(n.clone())),
        Destination::Hours(id) => Some(Node::Schedule(*id)),
        _ => None,
    }
}
