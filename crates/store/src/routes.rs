//! Outbound routes: which dialled numbers leave through which trunks. The list is ordered
//! (the first matching route wins), so it is saved whole.

use pbx::dialplan::OutboundRoute;
use rusqlite::{params, Connection, ErrorCode};

use crate::destination;
use crate::trunks::{from_json, to_json};
use crate::{Error, Result, Store};

impl Store {
    /// All outbound routes in priority order, each with its trunks in failover order.
    pub fn outbound_routes(&self) -> Result<Vec<OutboundRoute>> {
        routes_on(&self.conn)
    }

    /// Replaces every outbound route with `routes`, in this order, all or nothing. A route
    /// with `id` 0 gets a new id; others keep theirs. Refuses unknown trunks and an id given
    /// twice (the error names the entry). Returns the ids in order.
    pub fn save_outbound_routes(&self, routes: &[OutboundRoute]) -> Result<Vec<i64>> {
        let tx = self.write_tx()?;
        tx.execute("DELETE FROM outbound_routes", [])?;
        let mut ids = Vec::with_capacity(routes.len());
        for (index, route) in routes.iter().enumerate() {
            let id = insert(&tx, index, route).map_err(|e| Error::Entry {
                index,
                source: Box::new(e),
            })?;
            ids.push(id);
        }
        tx.commit()?;
        Ok(ids)
    }
}

fn insert(conn: &Connection, position: usize, route: &OutboundRoute) -> Result<i64> {
    for trunk in &route.trunks {
        if !destination::trunk_exists(conn, *trunk)? {
            return Err(Error::field("trunks", format!("no trunk {trunk}")));
        }
    }
    let inserted = conn
        .prepare_cached(
            "INSERT INTO outbound_routes (id, position, name, patterns, strip, prepend)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            (route.id != 0).then_some(route.id),
            position as i64,
            route.name,
            to_json(&route.patterns),
            route.strip,
            route.prepend
        ]);
    match inserted {
        Ok(_) => {}
        Err(rusqlite::Error::SqliteFailure(e, _)) if e.code == ErrorCode::ConstraintViolation => {
            return Err(Error::field(
                "id",
                format!("route {} is listed twice", route.id),
            ));
        }
        Err(e) => return Err(e.into()),
    }
    let id = conn.last_insert_rowid();
    for (position, trunk) in route.trunks.iter().enumerate() {
        conn.prepare_cached(
            "INSERT INTO outbound_route_trunks (route_id, position, trunk_id)
             VALUES (?1, ?2, ?3)",
        )?
        .execute(params![id, position as i64, trunk])?;
    }
    Ok(id)
}

/// All routes on `conn` in priority order.
pub(crate) fn routes_on(conn: &Connection) -> Result<Vec<OutboundRoute>> {
    let mut stmt = conn.prepare(
        "SELECT id, name, patterns, strip, prepend FROM outbound_routes ORDER BY position, id",
    )?;
    let mut routes = stmt
        .query_map([], |r| {
            Ok(OutboundRoute {
                id: r.get(0)?,
                name: r.get(1)?,
                patterns: from_json(r, 2)?,
                strip: r.get(3)?,
                prepend: r.get(4)?,
                trunks: Vec::new(),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut trunks = conn.prepare(
        "SELECT trunk_id FROM outbound_route_trunks WHERE route_id = ?1 ORDER BY position",
    )?;
    for route in &mut routes {
        route.trunks = trunks
            .query_map([route.id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
    }
    Ok(routes)
}
