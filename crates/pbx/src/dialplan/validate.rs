//! Checking a whole plan before it is saved, with messages for the owner.
//!
//! Each problem is addressed to the field that holds it, as a dotted path into the plan's
//! serde shape (`names.3.number`, `trunks.0.auth.allowed.2`), so the API can map it onto the
//! form being edited. Everything is checked in one pass: the owner sees all problems at once.

use std::collections::{HashMap, HashSet};

use super::hours::{parse_date, parse_hhmm, time_zone};
use super::names::{label_problem, name_problem};
use super::number::{is_dialable, is_phone_number, normalize_number};
use super::pattern::Pattern;
use super::{Destination, DialPlan, PlanIssue};

/// The problems found so far, in the order found.
pub(super) struct Issues(pub(super) Vec<PlanIssue>);

impl Issues {
    pub(super) fn add(&mut self, field: String, message: String) {
        self.0.push(PlanIssue::new(field, message));
    }
}

impl DialPlan {
    /// Every problem in the plan, each addressed to its field (`names.3.number`).
    /// `is_extension` says whether a number is an existing extension.
    pub fn validate(&self, is_extension: &dyn Fn(&str) -> bool) -> Result<(), Vec<PlanIssue>> {
        let mut issues = Issues(Vec::new());
        self.check_trunks(is_extension, &mut issues);
        self.check_names(is_extension, &mut issues);
        self.check_ring_groups(is_extension, &mut issues);
        self.check_schedules(is_extension, &mut issues);
        self.check_routes(&mut issues);
        self.check_lists(is_extension, &mut issues);
        self.check_toll_limits(&mut issues);
        self.check_cycles(&mut issues);
        if issues.0.is_empty() {
            Ok(())
        } else {
            Err(issues.0)
        }
    }

    /// Why `dest` cannot be used, if it cannot.
    pub(super) fn destination_problem(
        &self,
        dest: &Destination,
        is_extension: &dyn Fn(&str) -> bool,
    ) -> Option<String> {
        match dest {
            Destination::Extension(n) if !is_extension(n) => {
                Some(format!("There is no extension {n}"))
            }
            Destination::RingGroup(n) if self.ring_group(n).is_none() => {
                Some(format!("There is no ring group {n}"))
            }
            Destination::Voicemail(n) if !is_extension(n) && self.ring_group(n).is_none() => {
                Some(format!("There is no extension or ring group {n}"))
            }
            Destination::Conference(n) if !is_dialable(n.trim()) => {
                Some("Choose a conference room number (digits)".to_string())
            }
            Destination::Hours(id) if !self.schedules.iter().any(|s| s.id == *id) => {
                Some("That business hours schedule does not exist".to_string())
            }
            _ => None,
        }
    }

    pub(super) fn check_destination(
        &self,
        field: String,
        dest: &Destination,
        is_extension: &dyn Fn(&str) -> bool,
        issues: &mut Issues,
    ) {
        if let Some(message) = self.destination_problem(dest, is_extension) {
            issues.add(field, message);
        }
    }

    fn check_names(&self, is_extension: &dyn Fn(&str) -> bool, issues: &mut Issues) {
        let mut names: HashSet<String> = HashSet::new();
        let mut numbers: HashMap<String, usize> = HashMap::new();
        for (i, entry) in self.names.iter().enumerate() {
            let f = |name: &str| format!("names.{i}.{name}");
            if let Some(message) = name_problem(&entry.name) {
                issues.add(f("name"), message);
            } else if !names.insert(entry.name.to_lowercase()) {
                let message = format!("{} is already in the list", entry.name);
                issues.add(f("name"), message);
            }
            let number = normalize_number(&entry.number);
            if !is_phone_number(&entry.number) {
                let message = format!("{} is not a phone number", entry.number.trim());
                issues.add(f("number"), message);
            } else if let Some(other) = numbers.get(&number).and_then(|&j| self.names.get(j)) {
                let message = format!("This number is already used by {}", other.name);
                issues.add(f("number"), message);
            } else {
                numbers.insert(number, i);
            }
            if let Some(message) = label_problem(&entry.label) {
                issues.add(f("label"), message);
            }
            if let Some(id) = entry.trunk {
                if self.trunk(id).is_none() {
                    issues.add(f("trunk"), "That trunk does not exist".into());
                }
            }
            self.check_destination(f("destination"), &entry.destination, is_extension, issues);
        }
    }

    fn check_ring_groups(&self, is_extension: &dyn Fn(&str) -> bool, issues: &mut Issues) {
        for (i, group) in self.ring_groups.iter().enumerate() {
            let f = |name: &str| format!("ring_groups.{i}.{name}");
            let number = group.number.as_str();
            let first_with_number = self.ring_groups.iter().position(|g| g.number == number);
            if !is_dialable(number) {
                issues.add(
                    f("number"),
                    "A ring group's number is made of digits".into(),
                );
            } else if is_extension(number) {
                let message = format!("Extension {number} already has this number");
                issues.add(f("number"), message);
            } else if first_with_number != Some(i) {
                let message = "Another ring group already has this number".to_string();
                issues.add(f("number"), message);
            }
            if group.members.is_empty() {
                issues.add(f("members"), "Add at least one member".into());
            }
            for (j, member) in group.members.iter().enumerate() {
                let m = |name: &str| format!("ring_groups.{i}.members.{j}.{name}");
                let n = member.number.as_str();
                if !is_extension(n) && self.ring_group(n).is_none() {
                    let message = format!("There is no extension or ring group {n}");
                    issues.add(m("number"), message);
                } else if group.members.iter().position(|o| o.number == n) != Some(j) {
                    issues.add(m("number"), format!("{n} is already a member"));
                }
                if member.ring_seconds == 0 {
                    let message = "Ring time must be at least 1 second".to_string();
                    issues.add(m("ring_seconds"), message);
                }
            }
            if let Some(dest) = &group.final_destination {
                self.check_destination(f("final_destination"), dest, is_extension, issues);
            }
        }
    }

    fn check_schedules(&self, is_extension: &dyn Fn(&str) -> bool, issues: &mut Issues) {
        for (i, schedule) in self.schedules.iter().enumerate() {
            let f = |name: &str| format!("schedules.{i}.{name}");
            if time_zone(&schedule.time_zone).is_err() {
                let message = format!(
                    "{} is not a known time zone (such as Europe/London)",
                    schedule.time_zone.trim()
                );
                issues.add(f("time_zone"), message);
            }
            for (j, period) in schedule.periods.iter().enumerate() {
                let p = |name: &str| format!("schedules.{i}.periods.{j}.{name}");
                if !(1..=7).contains(&period.day) {
                    let message = "The day must be 1 (Monday) to 7 (Sunday)".to_string();
                    issues.add(p("day"), message);
                }
                let open = parse_hhmm(&period.open);
                let close = parse_hhmm(&period.close);
                let hhmm = |s: &str| format!("{} is not a time like 09:00", s.trim());
                if open.is_err() {
                    issues.add(p("open"), hhmm(&period.open));
                }
                if close.is_err() {
                    issues.add(p("close"), hhmm(&period.close));
                }
                if let (Ok(open), Ok(close)) = (open, close) {
                    if close <= open {
                        let message = "The closing time must be after the opening time";
                        issues.add(p("close"), message.to_string());
                    }
                }
            }
            for (j, holiday) in schedule.holidays.iter().enumerate() {
                if parse_date(&holiday.date).is_err() {
                    let message = format!("{} is not a date like 2026-12-25", holiday.date.trim());
                    issues.add(format!("schedules.{i}.holidays.{j}.date"), message);
                }
            }
            self.check_destination(f("open"), &schedule.open, is_extension, issues);
            self.check_destination(f("closed"), &schedule.closed, is_extension, issues);
        }
    }

    fn check_routes(&self, issues: &mut Issues) {
        for (i, route) in self.outbound_routes.iter().enumerate() {
            let f = |name: &str| format!("outbound_routes.{i}.{name}");
            if route.patterns.is_empty() {
                issues.add(f("patterns"), "Add at least one dial pattern".into());
            }
            for (j, pattern) in route.patterns.iter().enumerate() {
                if Pattern::parse(pattern).is_err() {
                    let message = format!(
                        "{pattern} is not a dial pattern (digits, + * #, X Z N, [1-5], and . or ! at the end)"
                    );
                    issues.add(format!("outbound_routes.{i}.patterns.{j}"), message);
                }
            }
            let prepend = route.prepend.trim();
            if !prepend.is_empty() && !is_dialable(prepend) {
                let message = "Only digits, +, * and # can be put in front".to_string();
                issues.add(f("prepend"), message);
            }
            if route.trunks.is_empty() {
                issues.add(f("trunks"), "Choose at least one trunk".into());
            }
            for (j, &id) in route.trunks.iter().enumerate() {
                if self.trunk(id).is_none() {
                    let field = format!("outbound_routes.{i}.trunks.{j}");
                    issues.add(field, "That trunk does not exist".into());
                }
            }
        }
    }

    fn check_lists(&self, is_extension: &dyn Fn(&str) -> bool, issues: &mut Issues) {
        for (i, number) in self.emergency_numbers.iter().enumerate() {
            if !is_dialable(&normalize_number(number)) {
                let message = format!("{number} is not a phone number");
                issues.add(format!("emergency_numbers.{i}"), message);
            }
        }
        for (i, extension) in self.outbound_allowed.iter().enumerate() {
            if !is_extension(extension) {
                let message = format!("There is no extension {extension}");
                issues.add(format!("outbound_allowed.{i}"), message);
            }
        }
    }
}
