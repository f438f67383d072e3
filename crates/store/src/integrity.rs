//! The check at start: a damaged database is reported, with the file and the newest backup
//! named, instead of being opened — SQLite would otherwise fail later, half-way through a
//! call, or an automatic repair would silently lose rows.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::db::DB_FILE_NAME;
use crate::{Error, Result};

/// How many problems `quick_check` reports at most; the first few say enough.
const MAX_PROBLEMS: u32 = 5;

/// Runs `PRAGMA quick_check` on `<data_dir>/switchboard.db` (O(N) in the file's size, without
/// the index cross-checks of `integrity_check`: well under a second for an office's
/// database). A missing file is fine (a first start). Fails with [`Error::Damaged`].
pub fn check_database(data_dir: &Path) -> Result<()> {
    let path = data_dir.join(DB_FILE_NAME);
    if !path.exists() {
        return Ok(());
    }
    let damaged = |detail: String| Error::Damaged {
        path: path.clone(),
        detail,
    };
    let conn = Connection::open_with_flags(
        &path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| damaged(e.to_string()))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let problems = run_check(&conn, "quick_check").map_err(|e| match e {
        // Locked by another program is not damage.
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
            ) =>
        {
            Error::Sqlite(e)
        }
        other => damaged(other.to_string()),
    })?;
    if problems.is_empty() {
        Ok(())
    } else {
        Err(damaged(problems.join("; ")))
    }
}

/// The problems `PRAGMA <check>` reports (`quick_check` or `integrity_check`); empty when
/// it says `ok`.
pub fn integrity_problems(conn: &Connection, full: bool) -> Result<Vec<String>> {
    let pragma = if full {
        "integrity_check"
    } else {
        "quick_check"
    };
    Ok(run_check(conn, pragma)?)
}

fn run_check(conn: &Connection, pragma: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("PRAGMA {pragma}({MAX_PROBLEMS})"))?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut problems = Vec::new();
    for row in rows {
        let row = row?;
        if row != "ok" {
            problems.push(row);
        }
    }
    Ok(problems)
}
