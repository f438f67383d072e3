//! The whole dial plan in one read, for the PBX; and the two settings that belong to it: the
//! emergency numbers anyone may dial out, and whether the owner has finished the setup wizard.

use std::time::{SystemTime, UNIX_EPOCH};

use pbx::dialplan::{DialPlan, TollLimits};
use rusqlite::{params, Connection, OptionalExtension};

use crate::{business_names, ring_groups, routes, schedules, trunks};
use crate::{Error, Result, Store};

/// Settings key of the emergency numbers, comma-separated.
pub(crate) const EMERGENCY_NUMBERS: &str = "emergency_numbers";
/// Settings key of the toll-fraud limits, as JSON.
pub(crate) const TOLL_LIMITS: &str = "toll_limits";
/// Settings key of the setup flag, `true` or `false`.
pub(crate) const SETUP_COMPLETE: &str = "setup_complete";

/// Emergency numbers when the owner never set any: Europe's, North America's and the UK's.
pub const DEFAULT_EMERGENCY_NUMBERS: [&str; 3] = ["112", "911", "999"];

impl Store {
    /// Everything the PBX routes trunk and group calls by, read in one transaction so the
    /// parts agree with each other.
    pub fn load_dial_plan(&self) -> Result<DialPlan> {
        let tx = self.conn.unchecked_transaction()?;
        let plan = DialPlan {
            trunks: trunks::trunks_on(&tx)?,
            names: business_names::names_on(&tx)?,
            ring_groups: ring_groups::groups_on(&tx)?,
            schedules: schedules::schedules_on(&tx)?,
            outbound_routes: routes::routes_on(&tx)?,
            emergency_numbers: emergency_numbers_on(&tx)?,
            outbound_allowed: outbound_allowed_on(&tx)?,
            toll_limits: toll_limits_on(&tx)?,
        };
        tx.commit()?;
        Ok(plan)
    }

    /// Numbers every extension may dial out, with or without permission.
    pub fn emergency_numbers(&self) -> Result<Vec<String>> {
        emergency_numbers_on(&self.conn)
    }

    /// Replaces the emergency numbers. Each must be digits (with `+ * #`), and the list
    /// must not be empty: an office without a way to call for help is a mistake.
    pub fn set_emergency_numbers(&self, numbers: &[String]) -> Result<()> {
        if numbers.is_empty() {
            return Err(Error::field(
                "emergency_numbers",
                "needs at least one number",
            ));
        }
        if let Some(bad) = numbers.iter().find(|n| !is_dialable(n)) {
            return Err(Error::field(
                "emergency_numbers",
                format!("{bad:?} is not a number (digits, + * # only)"),
            ));
        }
        put(&self.conn, EMERGENCY_NUMBERS, &numbers.join(","))
    }

    /// The limits on calls out (none until the owner sets some).
    pub fn toll_limits(&self) -> Result<TollLimits> {
        toll_limits_on(&self.conn)
    }

    /// Replaces the limits on calls out. The caller validates them with the dial plan
    /// (patterns, schedule) first, as for the rest of the plan.
    pub fn set_toll_limits(&self, limits: &TollLimits) -> Result<()> {
        let json = serde_json::to_string(limits)
            .map_err(|e| Error::field("toll_limits", e.to_string()))?;
        put(&self.conn, TOLL_LIMITS, &json)
    }

    /// Whether the owner has finished the setup wizard (false on a new database).
    pub fn setup_complete(&self) -> Result<bool> {
        Ok(get(&self.conn, SETUP_COMPLETE)?.is_some_and(|v| v == "true"))
    }

    /// Records that the setup wizard was finished (or, `false`, should run again).
    pub fn set_setup_complete(&self, complete: bool) -> Result<()> {
        put(
            &self.conn,
            SETUP_COMPLETE,
            if complete { "true" } else { "false" },
        )
    }
}

fn emergency_numbers_on(conn: &Connection) -> Result<Vec<String>> {
    let stored = get(conn, EMERGENCY_NUMBERS)?;
    let numbers: Vec<String> = stored
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|n| is_dialable(n))
        .map(str::to_owned)
        .collect();
    if numbers.is_empty() {
        // Never saved, or unreadable: the defaults, so emergency calls always get through.
        return Ok(DEFAULT_EMERGENCY_NUMBERS.map(str::to_owned).to_vec());
    }
    Ok(numbers)
}

/// The saved limits; none saved: no limits, which is what the PBX did before they existed.
/// A row that cannot be read (damaged, or a newer version's shape) fails closed: the PBX
/// still starts, but lets no call out except to emergency numbers until limits are saved.
fn toll_limits_on(conn: &Connection) -> Result<TollLimits> {
    let Some(json) = get(conn, TOLL_LIMITS)? else {
        return Ok(TollLimits::default());
    };
    match serde_json::from_str(&json) {
        Ok(limits) => Ok(limits),
        Err(e) => {
            tracing::error!(
                error = %e,
                "the saved toll-fraud limits cannot be read: calls out are refused \
                 (emergency numbers still go) until the limits are saved again"
            );
            Ok(TollLimits::unreadable())
        }
    }
}

fn outbound_allowed_on(conn: &Connection) -> Result<Vec<String>> {
    let mut stmt = conn.prepare(
        "SELECT number FROM extensions WHERE outbound_allowed <> 0
         ORDER BY length(number), number",
    )?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Characters a dialled number may contain (the same rule outbound calls follow).
fn is_dialable(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'*' | b'#'))
}

fn get(conn: &Connection, key: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
            r.get(0)
        })
        .optional()?)
}

fn put(conn: &Connection, key: &str, value: &str) -> Result<()> {
    // The row's timestamp is bookkeeping only; a clock before 1970 records 0.
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    conn.execute(
        "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET value = ?2, updated_at = ?3 WHERE value IS NOT ?2",
        params![key, value, now],
    )?;
    Ok(())
}
