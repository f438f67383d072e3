//! The store's one error type. Input mistakes (a bad extension number, a duplicate) are
//! reported per field so a form can show each message next to its field.

use std::fmt;

use serde::Serialize;

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The caller's input was refused; nothing was changed.
    #[error("invalid input: {0}")]
    Invalid(ValidationErrors),
    /// The extension named does not exist.
    #[error("no extension {0}")]
    ExtensionNotFound(String),
    /// The file was written by a newer program; opening it could corrupt it.
    #[error("database schema version {found} is newer than this program supports ({supported})")]
    SchemaTooNew { found: u32, supported: u32 },
    /// The data folder could not be created.
    #[error("cannot create data folder: {0}")]
    Io(#[from] std::io::Error),
    /// SQLite refused an operation (disk full, corrupt file, locked for too long, …).
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The thing named does not exist (`trunk 7`, `ring group 600`, `schedule 3`).
    #[error("no {0}")]
    NotFound(String),
    /// Removing this would leave something pointing at nothing; nothing was changed.
    /// `what` and `by` name both for a person: `ring group 600 "Sales"`, `business name sales.acme`.
    #[error("{what} is still used by {by}")]
    InUse { what: String, by: String },
    /// One entry of a list saved all or nothing was refused, so none was saved. `index`
    /// counts from 0.
    #[error("entry {}: {source}", .index + 1)]
    Entry { index: usize, source: Box<Error> },
    /// The registration writer thread is gone, so changes can no longer be saved.
    #[error("registration writer stopped")]
    WriterStopped,
    /// A batch of registration changes could not be committed.
    #[error("registration writer failed: {0}")]
    WriterFailed(String),
    /// The database file failed SQLite's consistency check at start; it is left as it is.
    #[error("the database {} is damaged: {detail}", .path.display())]
    Damaged {
        path: std::path::PathBuf,
        detail: String,
    },
    /// A backup could not be made, read or restored (missing file, wrong checksum, …).
    #[error("backup: {0}")]
    Backup(String),
}

impl Error {
    /// The field-level errors, when the error is about the caller's input.
    pub fn validation(&self) -> Option<&ValidationErrors> {
        match self {
            Error::Invalid(v) => Some(v),
            _ => None,
        }
    }

    pub(crate) fn field(field: &'static str, message: impl Into<String>) -> Self {
        Error::Invalid(ValidationErrors(vec![FieldError {
            field,
            message: message.into(),
        }]))
    }
}

/// One refused field and why, e.g. `number`: "must be 2 to 10 digits".
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The input field's name as the API and the CLI call it.
    pub field: &'static str,
    /// A short sentence for a person, without the field name.
    pub message: String,
}

/// All the fields refused in one request (never empty when returned in an error).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    /// The message for `field`, if that field was refused.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

impl fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{}: {}", e.field, e.message)?;
        }
        Ok(())
    }
}
