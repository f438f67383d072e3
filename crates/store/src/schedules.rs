//! Business hours: weekly opening periods and holidays in a time zone, choosing between an
//! open and a closed destination. Periods and holidays keep the owner's order.

use pbx::dialplan::{Holiday, OpenPeriod, Schedule};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::destination::{self, HOURS};
use crate::{Error, Result, Store};

impl Store {
    /// All schedules, in the order they were created, with their periods and holidays.
    pub fn schedules(&self) -> Result<Vec<Schedule>> {
        schedules_on(&self.conn)
    }

    /// The schedule with this id, if any.
    pub fn schedule(&self, id: i64) -> Result<Option<Schedule>> {
        Ok(schedules_on(&self.conn)?.into_iter().find(|s| s.id == id))
    }

    /// Saves a schedule: `id` 0 creates one, any other id replaces that one (periods and
    /// holidays included). Refuses open and closed destinations that name nothing (the
    /// schedule itself is allowed: whether that loops is the dial plan's check). Returns
    /// its id.
    pub fn save_schedule(&self, schedule: &Schedule) -> Result<i64> {
        let tx = self.write_tx()?;
        destination::check_exists(&tx, "open", &schedule.open)?;
        destination::check_exists(&tx, "closed", &schedule.closed)?;
        let (open_kind, open_target) = destination::encode(&schedule.open);
        let (closed_kind, closed_target) = destination::encode(&schedule.closed);
        let id = if schedule.id == 0 {
            tx.execute(
                "INSERT INTO schedules (name, time_zone, open_kind, open_target, closed_kind,
                                        closed_target)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    schedule.name,
                    schedule.time_zone,
                    open_kind,
                    open_target,
                    closed_kind,
                    closed_target
                ],
            )?;
            tx.last_insert_rowid()
        } else {
            let changed = tx.execute(
                "UPDATE schedules SET name = ?2, time_zone = ?3, open_kind = ?4,
                        open_target = ?5, closed_kind = ?6, closed_target = ?7
                 WHERE id = ?1",
                params![
                    schedule.id,
                    schedule.name,
                    schedule.time_zone,
                    open_kind,
                    open_target,
                    closed_kind,
                    closed_target
                ],
            )?;
            if changed == 0 {
                return Err(Error::NotFound(format!("schedule {}", schedule.id)));
            }
            tx.execute(
                "DELETE FROM schedule_periods WHERE schedule_id = ?1",
                [schedule.id],
            )?;
            tx.execute(
                "DELETE FROM schedule_holidays WHERE schedule_id = ?1",
                [schedule.id],
            )?;
            schedule.id
        };
        for (position, p) in schedule.periods.iter().enumerate() {
            tx.execute(
                "INSERT INTO schedule_periods (schedule_id, position, day, open, close)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, position as i64, p.day, p.open, p.close],
            )?;
        }
        for (position, h) in schedule.holidays.iter().enumerate() {
            tx.execute(
                "INSERT INTO schedule_holidays (schedule_id, position, date, name)
                 VALUES (?1, ?2, ?3, ?4)",
                params![id, position as i64, h.date, h.name],
            )?;
        }
        tx.commit()?;
        Ok(id)
    }

    /// Deletes a schedule with its periods and holidays. Refused while anything routes
    /// calls to it.
    pub fn remove_schedule(&self, id: i64) -> Result<()> {
        let tx = self.write_tx()?;
        let name: String = tx
            .query_row("SELECT name FROM schedules WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("schedule {id}")))?;
        let what = format!("business hours \"{name}\"");
        let mut by = destination::referrers(&tx, HOURS, &id.to_string())?;
        // Its own closed destination pointing back at it is no reason to keep it.
        by.retain(|b| *b != what);
        destination::refuse_if_used(what, by)?;
        tx.execute("DELETE FROM schedules WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(())
    }
}

/// All schedules on `conn`, oldest first.
pub(crate) fn schedules_on(conn: &Connection) -> Result<Vec<Schedule>> {
    let mut stmt = conn.prepare(
        "SELECT id, name, time_zone, open_kind, open_target, closed_kind, closed_target
         FROM schedules ORDER BY id",
    )?;
    let mut schedules = stmt
        .query_map([], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut periods = conn.prepare(
        "SELECT day, open, close FROM schedule_periods WHERE schedule_id = ?1 ORDER BY position",
    )?;
    let mut holidays = conn.prepare(
        "SELECT date, name FROM schedule_holidays WHERE schedule_id = ?1 ORDER BY position",
    )?;
    for s in &mut schedules {
        s.periods = periods
            .query_map([s.id], |r| {
                Ok(OpenPeriod {
                    day: r.get(0)?,
                    open: r.get(1)?,
                    close: r.get(2)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        s.holidays = holidays
            .query_map([s.id], |r| {
                Ok(Holiday {
                    date: r.get(0)?,
                    name: r.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
    }
    Ok(schedules)
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<Schedule> {
    Ok(Schedule {
        id: row.get(0)?,
        name: row.get(1)?,
        time_zone: row.get(2)?,
        periods: Vec::new(),
        holidays: Vec::new(),
        open: destination::decode(row, 3)?,
        closed: destination::decode(row, 5)?,
    })
}
