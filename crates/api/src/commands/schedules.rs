//! Business hours: weekly opening periods plus holidays in a time zone, choosing where a
//! call goes when open and when closed.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{Command, Ctx};
use crate::plan::Schedule;
use crate::plan_check::{check, extension_numbers, item, Elsewhere};
use crate::ApiError;

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ListSchedulesRequest {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ListSchedulesResponse {
    pub schedules: Vec<Schedule>,
}

impl Command for ListSchedulesRequest {
    const NAME: &'static str = "list_schedules";
    type Response = ListSchedulesResponse;

    async fn run(self, ctx: &Ctx) -> Result<ListSchedulesResponse, ApiError> {
        let plan = ctx.store(|s| Ok(s.load_dial_plan()?)).await?;
        Ok(ListSchedulesResponse {
            schedules: plan.schedules.into_iter().map(Schedule::from).collect(),
        })
    }
}

/// `save_schedule`'s request is the schedule itself: `id` 0 adds a new one, any other id
/// replaces that one.
impl Command for Schedule {
    const NAME: &'static str = "save_schedule";
    type Response = SaveScheduleResponse;

    async fn run(self, ctx: &Ctx) -> Result<SaveScheduleResponse, ApiError> {
        let schedule: pbx::dialplan::Schedule = self.into();
        let saved = ctx
            .store(move |s| {
                let before = s.load_dial_plan()?;
                let mut after = before.clone();
                let index = if schedule.id == 0 {
                    after.schedules.push(schedule.clone());
                    after.schedules.len() - 1
                } else {
                    let i = after
                        .schedules
                        .iter()
                        .position(|x| x.id == schedule.id)
                        .ok_or_else(|| no_schedule(schedule.id))?;
                    after.schedules[i] = schedule.clone();
                    i
                };
                let exts = extension_numbers(s)?;
                check(
                    &before,
                    &after,
                    &exts,
                    &item("schedules", index),
                    &Elsewhere::on("open"),
                )?;
                let id = s.save_schedule(&schedule)?;
                Ok(pbx::dialplan::Schedule { id, ..schedule })
            })
            .await?;
        ctx.dial_plan_changed("schedules".to_owned()).await;
        Ok(SaveScheduleResponse {
            schedule: saved.into(),
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SaveScheduleResponse {
    /// As saved, with its id.
    pub schedule: Schedule,
}

/// Removes a schedule; refused while a destination still uses it.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RemoveScheduleRequest {
    pub id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RemoveScheduleResponse {}

impl Command for RemoveScheduleRequest {
    const NAME: &'static str = "remove_schedule";
    type Response = RemoveScheduleResponse;

    async fn run(self, ctx: &Ctx) -> Result<RemoveScheduleResponse, ApiError> {
        let id = self.id;
        ctx.store(move |s| {
            let before = s.load_dial_plan()?;
            if !before.schedules.iter().any(|x| x.id == id) {
                return Err(no_schedule(id));
            }
            let mut after = before.clone();
            after.schedules.retain(|x| x.id != id);
            let exts = extension_numbers(s)?;
            check(
                &before,
                &after,
                &exts,
                &|_: &str| None,
                &Elsewhere::on("id"),
            )?;
            s.remove_schedule(id)
                .map_err(|e| ApiError::from_store(e, "id"))
        })
        .await?;
        ctx.dial_plan_changed("schedules".to_owned()).await;
        Ok(RemoveScheduleResponse {})
    }
}

fn no_schedule(id: i64) -> ApiError {
    ApiError::NotFound {
        message: format!("there are no business hours {id}"),
        field: "id",
    }
}
