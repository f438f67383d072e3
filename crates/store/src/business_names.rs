//! Business names: the names the provider sells (`sales.acme`), the number each arrives as,
//! and where its calls ring.

use pbx::dialplan::BusinessName;
use rusqlite::{params, Connection, ErrorCode, Row};

use crate::destination;
use crate::{Error, Result, Store};

const COLUMNS: &str = "id, name, number, label, trunk, dest_kind, dest_target";

impl Store {
    /// All business names, ordered by name.
    pub fn business_names(&self) -> Result<Vec<BusinessName>> {
        names_on(&self.conn)
    }

    /// Saves a business name: `id` 0 creates one, any other id replaces that one. Refuses an
    /// empty name or number, a name already taken, an unknown trunk and a destination that
    /// names nothing. Returns its id.
    pub fn save_business_name(&self, name: &BusinessName) -> Result<i64> {
        let tx = self.write_tx()?;
        let id = save_on(&tx, name)?;
        tx.commit()?;
        Ok(id)
    }

    /// Saves every entry (as [`Store::save_business_name`] does, in order) or, when any is
    /// refused, none: the error says which entry. Returns the ids in the same order.
    pub fn import_business_names(&self, names: &[BusinessName]) -> Result<Vec<i64>> {
        let tx = self.write_tx()?;
        let mut ids = Vec::with_capacity(names.len());
        for (index, name) in names.iter().enumerate() {
            let id = save_on(&tx, name).map_err(|e| Error::Entry {
                index,
                source: Box::new(e),
            })?;
            ids.push(id);
        }
        // Dropping the transaction on an error above rolls every earlier entry back.
        tx.commit()?;
        Ok(ids)
    }

    /// Deletes a business name; calls to its number then go to the trunk's default
    /// destination.
    pub fn remove_business_name(&self, id: i64) -> Result<()> {
        let changed = self
            .conn
            .execute("DELETE FROM business_names WHERE id = ?1", [id])?;
        if changed == 0 {
            return Err(Error::NotFound(format!("business name {id}")));
        }
        Ok(())
    }
}

/// All business names on `conn`, ordered by name.
pub(crate) fn names_on(conn: &Connection) -> Result<Vec<BusinessName>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM business_names ORDER BY name, id"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn save_on(conn: &Connection, name: &BusinessName) -> Result<i64> {
    if name.name.trim().is_empty() {
        return Err(Error::field("name", "must not be empty"));
    }
    if name.number.trim().is_empty() {
        return Err(Error::field("number", "must not be empty"));
    }
    if let Some(trunk) = name.trunk {
        if !destination::trunk_exists(conn, trunk)? {
            return Err(Error::field("trunk", format!("no trunk {trunk}")));
        }
    }
    destination::check_exists(conn, "destination", &name.destination)?;
    let (kind, target) = destination::encode(&name.destination);
    let values = params![
        name.name,
        name.number,
        name.label,
        name.trunk,
        kind,
        target,
        name.id
    ];
    let written = if name.id == 0 {
        conn.prepare_cached(
            "INSERT INTO business_names (name, number, label, trunk, dest_kind, dest_target)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(&values[..6])
    } else {
        conn.prepare_cached(
            "UPDATE business_names SET name = ?1, number = ?2, label = ?3, trunk = ?4,
                    dest_kind = ?5, dest_target = ?6
             WHERE id = ?7",
        )?
        .execute(values)
    };
    match written {
        Ok(0) => Err(Error::NotFound(format!("business name {}", name.id))),
        Ok(_) if name.id == 0 => Ok(conn.last_insert_rowid()),
        Ok(_) => Ok(name.id),
        // The name is the only unique column besides the id.
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::ConstraintViolation => {
            Err(Error::field(
                "name",
                format!("{} is already taken", name.name),
            ))
        }
        Err(e) => Err(e.into()),
    }
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<BusinessName> {
    Ok(BusinessName {
        id: row.get(0)?,
        name: row.get(1)?,
        number: row.get(2)?,
        label: row.get(3)?,
        trunk: row.get(4)?,
        destination: destination::decode(row, 5)?,
    })
}
