//! Business names: the provider's name → number table and where each name rings. List,
//! save one, remove one, or import the provider's whole list at once (all or nothing).

use pbx::dialplan::{self as model, default_label, parse_name_list_numbered, DialPlan};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{Command, Ctx};
use crate::plan::{typed, BusinessName, Destination};
use crate::plan_check::{check, extension_numbers, item, Elsewhere};
use crate::ApiError;

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ListBusinessNamesRequest {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ListBusinessNamesResponse {
    pub names: Vec<BusinessName>,
}

impl Command for ListBusinessNamesRequest {
    const NAME: &'static str = "list_business_names";
    type Response = ListBusinessNamesResponse;

    async fn run(self, ctx: &Ctx) -> Result<ListBusinessNamesResponse, ApiError> {
        let plan = ctx.store(|s| Ok(s.load_dial_plan()?)).await?;
        Ok(ListBusinessNamesResponse {
            names: plan.names.into_iter().map(BusinessName::from).collect(),
        })
    }
}

/// `save_business_name`'s request is the name itself: `id` 0 adds a new one, any other id
/// replaces that one. An empty `label` becomes the name's first part (`Sales` for
/// `sales.acme`).
impl Command for BusinessName {
    const NAME: &'static str = "save_business_name";
    type Response = SaveBusinessNameResponse;

    async fn run(self, ctx: &Ctx) -> Result<SaveBusinessNameResponse, ApiError> {
        let name = self.into_model();
        let saved = ctx
            .store(move |s| {
                let before = s.load_dial_plan()?;
                let mut after = before.clone();
                let index = if name.id == 0 {
                    after.names.push(name.clone());
                    after.names.len() - 1
                } else {
                    let i = after
                        .names
                        .iter()
                        .position(|n| n.id == name.id)
                        .ok_or_else(|| no_name(name.id))?;
                    after.names[i] = name.clone();
                    i
                };
                let exts = extension_numbers(s)?;
                check(&before, &after, &exts, &item("names", index), &ELSEWHERE)?;
                let id = s.save_business_name(&name)?;
                Ok(model::BusinessName { id, ..name })
            })
            .await?;
        ctx.dial_plan_changed("business_names".to_owned()).await;
        Ok(SaveBusinessNameResponse { name: saved.into() })
    }
}

impl BusinessName {
    fn into_model(self) -> model::BusinessName {
        let name = self.name.trim().to_owned();
        let label = typed(Some(self.label)).unwrap_or_else(|| default_label(&name));
        model::BusinessName {
            id: self.id,
            number: self.number.trim().to_owned(),
            label,
            name,
            trunk: self.trunk,
            destination: self.destination.into(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SaveBusinessNameResponse {
    /// As saved, with its id and label.
    pub name: BusinessName,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RemoveBusinessNameRequest {
    pub id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RemoveBusinessNameResponse {}

impl Command for RemoveBusinessNameRequest {
    const NAME: &'static str = "remove_business_name";
    type Response = RemoveBusinessNameResponse;

    async fn run(self, ctx: &Ctx) -> Result<RemoveBusinessNameResponse, ApiError> {
        let id = self.id;
        ctx.store(move |s| {
            let plan = s.load_dial_plan()?;
            if !plan.names.iter().any(|n| n.id == id) {
                return Err(no_name(id));
            }
            s.remove_business_name(id)
                .map_err(|e| ApiError::from_store(e, "id"))
        })
        .await?;
        ctx.dial_plan_changed("business_names".to_owned()).await;
        Ok(RemoveBusinessNameResponse {})
    }
}

/// Adds the provider's list of names at once: one per line, `sales.acme +44 20 7123 4567
/// [Sales]`, or CSV `name,number[,label]` (a header row may come first). Every name goes
/// to `destination` (and `trunk`); each can be changed afterwards.
///
/// All or nothing: when any line is wrong, nothing is added and the error's `fields` name
/// each wrong line as `text.<line number>` (counting from 1), e.g.
/// `{"text.3": "the number is missing"}`. A number already used (by a saved name or an
/// earlier line) is reported on its line the same way.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ImportBusinessNamesRequest {
    pub text: String,
    /// The trunk that delivers these numbers; any trunk when left out.
    #[serde(default)]
    #[ts(optional)]
    pub trunk: Option<i64>,
    pub destination: Destination,
    /// Only check the list and answer what would be added, without adding it.
    #[serde(default)]
    #[ts(optional)]
    pub check_only: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ImportBusinessNamesResponse {
    /// The names added (id 0 for each when `check_only`).
    pub names: Vec<BusinessName>,
    /// `false` when only checked.
    pub imported: bool,
}

impl Command for ImportBusinessNamesRequest {
    const NAME: &'static str = "import_business_names";
    type Response = ImportBusinessNamesResponse;

    async fn run(self, ctx: &Ctx) -> Result<ImportBusinessNamesResponse, ApiError> {
        let entries = parse_name_list_numbered(&self.text).map_err(|errors| {
            ApiError::fields(
                errors
                    .into_iter()
                    .map(|e| (format!("text.{}", e.line), e.message)),
            )
        })?;
        if entries.is_empty() {
            return Err(ApiError::field(
                "text",
                "has no names: type or paste the list",
            ));
        }
        let lines: Vec<usize> = entries.iter().map(|(line, _)| *line).collect();
        let destination: model::Destination = self.destination.into();
        let names: Vec<model::BusinessName> = entries
            .into_iter()
            .map(|(_, e)| model::BusinessName {
                id: 0,
                label: typed(e.label).unwrap_or_else(|| default_label(&e.name)),
                name: e.name,
                number: e.number,
                trunk: self.trunk,
                destination: destination.clone(),
            })
            .collect();
        let check_only = self.check_only.unwrap_or(false);
        let saved = ctx
            .store(move |s| {
                let before = s.load_dial_plan()?;
                let mut after = before.clone();
                let first = after.names.len();
                after.names.extend(names.iter().cloned());
                let exts = extension_numbers(s)?;
                let map = |path: &str| imported_field(path, first, &lines);
                check(&before, &after, &exts, &map, &Elsewhere::on("text"))?;
                if check_only {
                    return Ok(names);
                }
                let ids = s.import_business_names(&names).map_err(|e| match e {
                    store::Error::Entry { index, source } => {
                        let field = line_field(index, &lines);
                        match ApiError::from(*source) {
                            ApiError::Invalid { fields, .. } => ApiError::fields(
                                fields.into_values().map(|m| (field.clone(), m)).take(1),
                            ),
                            other => ApiError::field(&field, other.to_string()),
                        }
                    }
                    other => other.into(),
                })?;
                Ok(names
                    .into_iter()
                    .zip(ids)
                    .map(|(n, id)| model::BusinessName { id, ..n })
                    .collect())
            })
            .await?;
        if !check_only {
            ctx.dial_plan_changed("business_names".to_owned()).await;
        }
        Ok(ImportBusinessNamesResponse {
            names: saved.into_iter().map(BusinessName::from).collect(),
            imported: !check_only,
        })
    }
}

/// The field for a problem with the `index`th imported name: its line.
fn line_field(index: usize, lines: &[usize]) -> String {
    lines
        .get(index)
        .map_or_else(|| "text".to_owned(), |line| format!("text.{line}"))
}

/// Where a plan problem about an imported name goes: its line for the name, number and
/// label, the request's `trunk` or `destination` for those (shared by every line).
fn imported_field(path: &str, first: usize, lines: &[usize]) -> Option<String> {
    let rest = path.strip_prefix("names.")?;
    let (index, field) = rest.split_once('.').unwrap_or((rest, ""));
    let index: usize = index.parse().ok()?;
    let entry = index.checked_sub(first)?;
    let top = field.split('.').next().unwrap_or_default();
    Some(match top {
        "trunk" | "destination" => field.to_owned(),
        _ => line_field(entry, lines),
    })
}

/// A clash with another name (same number, same name) is this one's problem too.
const ELSEWHERE: Elsewhere = Elsewhere {
    default: "destination",
    fields: &["number", "name"],
};

fn no_name(id: i64) -> ApiError {
    ApiError::NotFound {
        message: format!("there is no business name {id}"),
        field: "id",
    }
}

/// The business names of `plan` by id, for click-to-call.
pub(crate) fn find(plan: DialPlan, id: i64) -> Result<model::BusinessName, ApiError> {
    plan.names
        .into_iter()
        .find(|n| n.id == id)
        .ok_or_else(|| no_name(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_imported_name_problem_is_put_on_its_line() {
        let lines = [2, 4];
        assert_eq!(
            imported_field("names.6.number", 5, &lines).as_deref(),
            Some("text.4")
        );
        assert_eq!(
            imported_field("names.5.destination.target", 5, &lines).as_deref(),
            Some("destination.target")
        );
        assert_eq!(imported_field("names.4.number", 5, &lines), None);
        assert_eq!(imported_field("ring_groups.5.number", 5, &lines), None);
        assert_eq!(
            imported_field("names.9.number", 5, &lines).as_deref(),
            Some("text")
        );
    }
}
