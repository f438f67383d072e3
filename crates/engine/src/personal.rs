//! Phone numbers, names and addresses are personal data. Logs print them through
//! [`Personal`], which hides them when the owner asks for redacted logs (e.g. before
//! sending a log to support).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

static REDACT: AtomicBool = AtomicBool::new(false);

/// Turns redaction of personal data in logs on or off for the whole process.
pub fn redact_personal_data(on: bool) {
    REDACT.store(on, Ordering::Relaxed);
}

/// Displays the value, or `[redacted]` when redaction is on.
pub(crate) struct Personal<T>(pub T);

impl<T: fmt::Display> fmt::Display for Personal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if REDACT.load(Ordering::Relaxed) {
            f.write_str("[redacted]")
        } else {
            self.0.fmt(f)
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Personal<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if REDACT.load(Ordering::Relaxed) {
            f.write_str("[redacted]")
        } else {
            self.0.fmt(f)
        }
    }
}
