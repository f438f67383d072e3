//! Checking a dial-plan change before it is saved: the whole plan, as it would be after the
//! change, goes through `DialPlan::validate` (so a ring group that would contain itself
//! through another group, or a number already taken by another name, is caught), and each
//! problem is reported on the request's own field names so a form can show it in place.

use std::collections::{BTreeMap, HashSet};

use pbx::dialplan::{DialPlan, PlanIssue};

use crate::ApiError;

/// Says which request field a problem in the plan belongs to: `Some(field)` for a problem
/// with the thing being changed, `None` for a problem elsewhere in the plan.
pub(crate) type FieldMap<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Refuses the change when the plan `after` it has problems.
///
/// Problems with the changed thing (those `map` places) are always reported: the owner is
/// editing it and can fix them. Problems elsewhere are reported only when the change
/// caused them (`before` did not have them), on the field `elsewhere` picks for their
/// path (a clash with another name's number is about this one's number too); a problem
/// saved earlier does not block unrelated edits.
pub(crate) fn check(
    before: &DialPlan,
    after: &DialPlan,
    extensions: &HashSet<String>,
    map: FieldMap<'_>,
    elsewhere: &Elsewhere,
) -> Result<(), ApiError> {
    let is_extension = |n: &str| extensions.contains(n);
    let Err(issues) = after.validate(&is_extension) else {
        return Ok(());
    };
    let known: HashSet<String> = match before.validate(&is_extension) {
        Ok(()) => HashSet::new(),
        Err(old) => old.into_iter().map(|i| i.message).collect(),
    };
    refuse(issues, &known, map, elsewhere)
}

/// The field errors for `issues`; `Ok` when none of them is new.
fn refuse(
    issues: Vec<PlanIssue>,
    known: &HashSet<String>,
    map: FieldMap<'_>,
    elsewhere: &Elsewhere,
) -> Result<(), ApiError> {
    let mut fields: BTreeMap<String, String> = BTreeMap::new();
    for issue in issues {
        let field = match map(&issue.field) {
            Some(field) if !field.is_empty() => field,
            Some(_) => elsewhere.default.to_owned(),
            None if known.contains(&issue.message) => continue,
            None => elsewhere.field_for(&issue.field),
        };
        // One message per field: the first is the one to fix first, the others often
        // follow from it. Further ones for the catch-all field are kept, joined.
        match fields.get_mut(&field) {
            Some(existing) if field == elsewhere.default && !existing.contains(&issue.message) => {
                existing.push_str("; ");
                existing.push_str(&issue.message);
            }
            Some(_) => {}
            None => {
                fields.insert(field, issue.message);
            }
        }
    }
    if fields.is_empty() {
        Ok(())
    } else {
        Err(ApiError::fields(fields))
    }
}

/// Where a problem caused elsewhere in the plan is shown: on the request's field of the
/// same name when the problem is about that field of another item in the list
/// (`names.4.number` → `number`), else on `default`.
pub(crate) struct Elsewhere {
    pub default: &'static str,
    pub fields: &'static [&'static str],
}

impl Elsewhere {
    pub(crate) const fn on(default: &'static str) -> Elsewhere {
        Elsewhere {
            default,
            fields: &[],
        }
    }

    fn field_for(&self, path: &str) -> String {
        // `<list>.<index>.<field>`: the field of another item in the same list.
        let rest = path.splitn(3, '.').nth(2).unwrap_or_default();
        match self.fields.iter().find(|f| **f == rest) {
            Some(f) => (*f).to_owned(),
            None => self.default.to_owned(),
        }
    }
}

/// Maps `<list>.<index>.<rest>` to `<rest>` (and `<list>.<index>` itself to the catch-all
/// field): the plan's path of the item being saved, onto the request that carries its
/// fields at the top level.
pub(crate) fn item(list: &'static str, index: usize) -> impl Fn(&str) -> Option<String> {
    let prefix = format!("{list}.{index}");
    move |path: &str| {
        let rest = path.strip_prefix(&prefix)?;
        if rest.is_empty() {
            return Some(String::new());
        }
        rest.strip_prefix('.').map(str::to_owned)
    }
}

/// Maps `<list>.<rest>` to `<renamed>.<rest>`: for a request that carries the whole list.
pub(crate) fn list(list: &'static str, renamed: &'static str) -> impl Fn(&str) -> Option<String> {
    move |path: &str| {
        let rest = path.strip_prefix(list)?;
        if rest.is_empty() {
            return Some(renamed.to_owned());
        }
        rest.strip_prefix('.').map(|r| format!("{renamed}.{r}"))
    }
}

/// The extension numbers, for validation.
pub(crate) fn extension_numbers(store: &store::Store) -> Result<HashSet<String>, ApiError> {
    Ok(store.extensions()?.into_iter().map(|e| e.number).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn issue(field: &str, message: &str) -> PlanIssue {
        PlanIssue {
            field: field.to_owned(),
            message: message.to_owned(),
        }
    }

    fn fields(r: Result<(), ApiError>) -> Vec<(String, String)> {
        match r {
            Err(ApiError::Invalid { fields, .. }) => fields.into_iter().collect(),
            Ok(()) => Vec::new(),
            Err(other) => panic!("not a field error: {other}"),
        }
    }

    #[test]
    fn an_item_path_maps_to_the_request_field() {
        let map = item("names", 3);
        assert_eq!(map("names.3.number").as_deref(), Some("number"));
        assert_eq!(
            map("names.3.destination.target").as_deref(),
            Some("destination.target")
        );
        assert_eq!(map("names.3").as_deref(), Some(""));
        assert_eq!(map("names.31.number"), None);
        assert_eq!(map("names.2.number"), None);
        assert_eq!(map("ring_groups.3.number"), None);
    }

    #[test]
    fn a_list_path_is_renamed() {
        let map = list("outbound_routes", "routes");
        assert_eq!(
            map("outbound_routes.1.patterns.0").as_deref(),
            Some("routes.1.patterns.0")
        );
        assert_eq!(map("outbound_routes").as_deref(), Some("routes"));
        assert_eq!(map("outbound_routes_x.1"), None);
        assert_eq!(map("trunks.1.name"), None);
    }

    #[test]
    fn old_problems_elsewhere_do_not_block_but_new_ones_do() {
        let map = item("names", 1);
        let known: HashSet<String> = ["schedule 4 has a bad time zone".to_owned()].into();
        let issues = vec![
            issue("schedules.0.time_zone", "schedule 4 has a bad time zone"),
            issue("names.1.number", "is already used by sales.acme"),
            issue("names.1.number", "second message for the same field"),
            issue("ring_groups.0.members.0", "ring group 600 contains itself"),
            issue("names.1", "about the whole item"),
        ];
        assert_eq!(
            fields(refuse(issues, &known, &map, &Elsewhere::on("destination"))),
            [
                (
                    "destination".to_owned(),
                    "ring group 600 contains itself; about the whole item".to_owned()
                ),
                (
                    "number".to_owned(),
                    "is already used by sales.acme".to_owned()
                ),
            ]
        );
        let only_old = vec![issue(
            "schedules.0.time_zone",
            "schedule 4 has a bad time zone",
        )];
        assert_eq!(
            fields(refuse(
                only_old,
                &known,
                &map,
                &Elsewhere::on("destination")
            )),
            []
        );
    }

    #[test]
    fn a_clash_caused_elsewhere_lands_on_the_field_of_the_same_name() {
        let map = item("names", 0);
        let elsewhere = Elsewhere {
            default: "destination",
            fields: &["number", "name"],
        };
        let issues = vec![
            issue(
                "names.4.number",
                "This number is already used by sales.acme",
            ),
            issue("ring_groups.1.members.0.number", "600 would contain itself"),
        ];
        assert_eq!(
            fields(refuse(issues, &HashSet::new(), &map, &elsewhere)),
            [
                (
                    "destination".to_owned(),
                    "600 would contain itself".to_owned()
                ),
                (
                    "number".to_owned(),
                    "This number is already used by sales.acme".to_owned()
                ),
            ]
        );
    }
}
