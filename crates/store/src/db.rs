//! Opening the database file with the settings every connection needs.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::binding_writer::BindingWriter;
use crate::{migrations, Result};

/// File name of the database inside the data folder.
pub const DB_FILE_NAME: &str = "switchboard.db";

/// How long a statement waits for another connection's write lock (the registration writer,
/// or a CLI command while the daemon runs) before giving up with `SQLITE_BUSY`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// An open database. Queries run on the calling thread; wrap it in a mutex or use it from
/// one task to share it (a connection is `Send` but not `Sync`).
pub struct Store {
    pub(crate) conn: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) `<data_dir>/switchboard.db` and brings its schema up to
    /// date. Refuses a file written by a newer version of the program.
    pub fn open(data_dir: &Path) -> Result<Store> {
        std::fs::create_dir_all(data_dir)?;
        let path = data_dir.join(DB_FILE_NAME);
        let mut conn = connect(&path)?;
        migrations::apply(&mut conn)?;
        Ok(Store { conn, path })
    }

    /// The database file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Starts the background thread that saves registration changes in batches, on its own
    /// connection to the same file.
    pub fn binding_writer(&self) -> Result<BindingWriter> {
        BindingWriter::spawn(connect(&self.path)?)
    }

    /// A number that changes whenever another connection commits to the file
    /// (`PRAGMA data_version`): the daemon polls it to notice extensions changed by the
    /// command line while it runs.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .pragma_query_value(None, "data_version", |r| r.get(0))?)
    }

    /// A transaction that holds the write lock from its first statement. Changes that read
    /// before they write (checking references, then deleting) need it: a deferred transaction
    /// would fail with `SQLITE_BUSY` instead of waiting when another connection wrote between
    /// its read and its write.
    pub(crate) fn write_tx(&self) -> Result<Transaction<'_>> {
        Ok(Transaction::new_unchecked(
            &self.conn,
            TransactionBehavior::Immediate,
        )?)
    }

    /// The schema version recorded in the file (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<u32> {
        migrations::version(&self.conn)
    }
}

/// Opens one connection with the durability settings the whole program relies on.
pub(crate) fn connect(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // WAL lets the CLI read while the daemon writes; it is a property of the file, and the
    // pragma answers with the mode actually in force.
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "wal", |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(%mode, "database refused WAL journal mode");
    }
    // FULL: a commit is on disk before it returns, so an acknowledged registration or CDR
    // survives power loss, not only a process crash.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}
