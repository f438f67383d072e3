//! Ring groups: a number that rings several extensions (or other groups), all at once or
//! one after another, with their members kept in the owner's order.

use pbx::dialplan::{RingGroup, RingMember, RingStrategy};
use rusqlite::{params, Connection, OptionalExtension, Row};

use crate::destination::{self, bad_column, RING_GROUP, VOICEMAIL};
use crate::extensions::check_number;
use crate::{Error, Result, Store};

impl Store {
    /// All ring groups, ordered by number, each with its members in order.
    pub fn ring_groups(&self) -> Result<Vec<RingGroup>> {
        groups_on(&self.conn)
    }

    /// The ring group with this number, if any.
    pub fn ring_group(&self, number: &str) -> Result<Option<RingGroup>> {
        Ok(groups_on(&self.conn)?
            .into_iter()
            .find(|g| g.number == number))
    }

    /// Creates a ring group (`previous_number` `None`) or replaces the one numbered
    /// `previous_number`. When the number changes, everything that rang the old number
    /// (destinations, other groups' members, voicemail boxes) follows it to the new one.
    /// Refuses a number that is not 2 to 10 digits or belongs to an extension or another
    /// group, members that are neither an extension nor a ring group, the group itself as a
    /// member, and a final destination that names nothing.
    pub fn save_ring_group(&self, previous_number: Option<&str>, group: &RingGroup) -> Result<()> {
        let tx = self.write_tx()?;
        if let Some(e) = check_number(&group.number) {
            return Err(Error::Invalid(crate::ValidationErrors(vec![e])));
        }
        if let Some(previous) = previous_number {
            if !destination::ring_group_exists(&tx, previous)? {
                return Err(Error::NotFound(format!("ring group {previous}")));
            }
        }
        if previous_number != Some(group.number.as_str())
            && destination::ring_group_exists(&tx, &group.number)?
        {
            return Err(Error::field(
                "number",
                format!("ring group {} already exists", group.number),
            ));
        }
        if destination::extension_exists(&tx, &group.number)? {
            return Err(Error::field(
                "number",
                format!("extension {} already has this number", group.number),
            ));
        }
        if destination::conference_room_exists(&tx, &group.number)? {
            return Err(Error::field(
                "number",
                format!("conference room {} already has this number", group.number),
            ));
        }
        for member in &group.members {
            if member.number == group.number || Some(member.number.as_str()) == previous_number {
                return Err(Error::field(
                    "members",
                    "a ring group cannot contain itself",
                ));
            }
            if !destination::extension_exists(&tx, &member.number)?
                && !destination::ring_group_exists(&tx, &member.number)?
            {
                return Err(Error::field(
                    "members",
                    format!("no extension or ring group {}", member.number),
                ));
            }
        }
        if let Some(dest) = &group.final_destination {
            destination::check_exists(&tx, "final_destination", dest)?;
        }
        let (final_kind, final_target) = destination::encode_opt(group.final_destination.as_ref());
        match previous_number {
            Some(previous) => {
                // ON UPDATE CASCADE moves the members' rows with the group's number.
                tx.execute(
                    "UPDATE ring_groups SET number = ?2, name = ?3, strategy = ?4,
                            final_kind = ?5, final_target = ?6
                     WHERE number = ?1",
                    params![
                        previous,
                        group.number,
                        group.name,
                        strategy_str(group.strategy),
                        final_kind,
                        final_target
                    ],
                )?;
                if previous != group.number {
                    destination::retarget(&tx, RING_GROUP, previous, &group.number)?;
                    destination::retarget(&tx, VOICEMAIL, previous, &group.number)?;
                    tx.execute(
                        "UPDATE ring_group_members SET number = ?2 WHERE number = ?1",
                        params![previous, group.number],
                    )?;
                }
                tx.execute(
                    "DELETE FROM ring_group_members WHERE group_number = ?1",
                    [&group.number],
                )?;
            }
            None => {
                tx.execute(
                    "INSERT INTO ring_groups (number, name, strategy, final_kind, final_target)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        group.number,
                        group.name,
                        strategy_str(group.strategy),
                        final_kind,
                        final_target
                    ],
                )?;
            }
        }
        for (position, member) in group.members.iter().enumerate() {
            tx.execute(
                "INSERT INTO ring_group_members (group_number, position, number, ring_seconds)
                 VALUES (?1, ?2, ?3, ?4)",
                params![
                    group.number,
                    position as i64,
                    member.number,
                    member.ring_seconds
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Deletes a ring group and its member list. Refused while a business name, trunk,
    /// schedule, another group's final destination or member list, or a voicemail
    /// destination still uses its number.
    pub fn remove_ring_group(&self, number: &str) -> Result<()> {
        let tx = self.write_tx()?;
        let name: String = tx
            .query_row(
                "SELECT name FROM ring_groups WHERE number = ?1",
                [number],
                |r| r.get(0),
            )
            .optional()?
            .ok_or_else(|| Error::NotFound(format!("ring group {number}")))?;
        let mut by = destination::referrers(&tx, RING_GROUP, number)?;
        by.extend(destination::referrers(&tx, VOICEMAIL, number)?);
        by.extend(member_of(&tx, number)?);
        by.retain(|b| *b != format!("ring group {number}"));
        destination::refuse_if_used(format!("ring group {number} \"{name}\""), by)?;
        tx.execute("DELETE FROM ring_groups WHERE number = ?1", [number])?;
        tx.commit()?;
        Ok(())
    }
}

/// The groups that list `number` as a member, named for a person.
pub(crate) fn member_of(conn: &Connection, number: &str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT 'ring group ' || group_number FROM ring_group_members
         WHERE number = ?1 ORDER BY group_number",
    )?;
    let rows = stmt.query_map([number], |r| r.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// All ring groups on `conn` with their members in order.
pub(crate) fn groups_on(conn: &Connection) -> Result<Vec<RingGroup>> {
    let mut stmt = conn.prepare(
        "SELECT number, name, strategy, final_kind, final_target FROM ring_groups
         ORDER BY length(number), number",
    )?;
    let mut groups = stmt
        .query_map([], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut members = conn.prepare(
        "SELECT number, ring_seconds FROM ring_group_members
         WHERE group_number = ?1 ORDER BY position",
    )?;
    for group in &mut groups {
        group.members = members
            .query_map([&group.number], |r| {
                Ok(RingMember {
                    number: r.get(0)?,
                    ring_seconds: r.get(1)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
    }
    Ok(groups)
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<RingGroup> {
    let strategy: String = row.get(2)?;
    Ok(RingGroup {
        number: row.get(0)?,
        name: row.get(1)?,
        strategy: parse_strategy(&strategy).ok_or_else(|| bad_column(2, &strategy))?,
        members: Vec::new(),
        final_destination: destination::decode_opt(row, 3)?,
    })
}

fn strategy_str(s: RingStrategy) -> &'static str {
    match s {
        RingStrategy::All => "all",
        RingStrategy::InOrder => "in_order",
    }
}

fn parse_strategy(s: &str) -> Option<RingStrategy> {
    match s {
        "all" => Some(RingStrategy::All),
        "in_order" => Some(RingStrategy::InOrder),
        _ => None,
    }
}
