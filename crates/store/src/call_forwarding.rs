//! Do-not-disturb and call forwarding, per extension. Kept in a table of their own (one
//! row per extension that ever changed them) because staff change them many times a day,
//! by feature code from their phone, while the extension itself rarely changes.

use rusqlite::{params, OptionalExtension, Row};

use crate::error::{FieldError, ValidationErrors};
use crate::{Error, Result, Store};

/// Ring time before a call not answered is forwarded, unless the owner sets another.
pub const DEFAULT_NO_ANSWER_SECONDS: u32 = 20;
/// Shortest ring time before forwarding an unanswered call.
pub const NO_ANSWER_MIN_SECONDS: u32 = 5;
/// Longest ring time before forwarding an unanswered call.
pub const NO_ANSWER_MAX_SECONDS: u32 = 120;
/// Longest forwarding target accepted (an outside number with its prefix).
const TARGET_MAX_CHARS: usize = 24;

/// One extension's do-not-disturb and forwarding. Targets are extensions, ring groups or
/// outside numbers (which leave through an outbound route, with the extension's own
/// permission to call out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallForwarding {
    pub number: String,
    /// Calls are not put through: the caller hears busy (or the voicemail greeting).
    pub dnd: bool,
    /// Every call goes to this number instead.
    pub always: Option<String>,
    /// Calls arriving while the extension is busy go to this number.
    pub busy: Option<String>,
    /// Calls not answered within `no_answer_seconds` go to this number.
    pub no_answer: Option<String>,
    pub no_answer_seconds: u32,
}

impl CallForwarding {
    /// Nothing set: calls ring the extension as usual.
    pub fn off(number: &str) -> CallForwarding {
        CallForwarding {
            number: number.to_owned(),
            dnd: false,
            always: None,
            busy: None,
            no_answer: None,
            no_answer_seconds: DEFAULT_NO_ANSWER_SECONDS,
        }
    }

    /// Whether anything differs from ringing as usual.
    pub fn is_active(&self) -> bool {
        self.dnd || self.always.is_some() || self.busy.is_some() || self.no_answer.is_some()
    }
}

/// Which forwarding a feature code or a form changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForwardKind {
    Always,
    Busy,
    NoAnswer,
}

impl Store {
    /// The extension's settings (all off when never changed).
    pub fn call_forwarding(&self, number: &str) -> Result<CallForwarding> {
        if !self.extension_exists(number)? {
            return Err(Error::ExtensionNotFound(number.to_owned()));
        }
        let found = self
            .conn
            .query_row(
                "SELECT number, dnd, forward_always, forward_busy, forward_no_answer,
                        no_answer_seconds
                 FROM call_forwarding WHERE number = ?1",
                [number],
                from_row,
            )
            .optional()?;
        Ok(found.unwrap_or_else(|| CallForwarding::off(number)))
    }

    /// Every extension's settings that differ from the default, for routing.
    pub fn all_call_forwarding(&self) -> Result<Vec<CallForwarding>> {
        let mut stmt = self.conn.prepare(
            "SELECT number, dnd, forward_always, forward_busy, forward_no_answer,
                    no_answer_seconds
             FROM call_forwarding ORDER BY number",
        )?;
        let rows = stmt.query_map([], from_row)?;
        let mut all = Vec::new();
        for row in rows {
            all.push(row?);
        }
        Ok(all)
    }

    /// Saves the whole of an extension's settings, after checking every field: each
    /// target is a number (digits, optionally a leading `+`) other than the extension's
    /// own, and the ring time is within bounds.
    pub fn set_call_forwarding(&self, settings: &CallForwarding) -> Result<()> {
        let mut errors = Vec::new();
        let targets = [
            ("forward_always", &settings.always),
            ("forward_busy", &settings.busy),
            ("forward_no_answer", &settings.no_answer),
        ];
        for (field, target) in targets {
            if let Some(target) = target {
                errors.extend(check_target(field, &settings.number, target));
            }
        }
        if !(NO_ANSWER_MIN_SECONDS..=NO_ANSWER_MAX_SECONDS).contains(&settings.no_answer_seconds) {
            errors.push(FieldError {
                field: "no_answer_seconds",
                message: format!(
                    "must be {NO_ANSWER_MIN_SECONDS} to {NO_ANSWER_MAX_SECONDS} seconds"
                ),
            });
        }
        if !errors.is_empty() {
            return Err(Error::Invalid(ValidationErrors(errors)));
        }
        let tx = self.write_tx()?;
        let exists: bool = tx
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM extensions WHERE number = ?1)",
                [&settings.number],
                |r| r.get(0),
            )
            .unwrap_or(false);
        if !exists {
            return Err(Error::ExtensionNotFound(settings.number.clone()));
        }
        tx.execute(
            "INSERT INTO call_forwarding (number, dnd, forward_always, forward_busy,
                                          forward_no_answer, no_answer_seconds)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT(number) DO UPDATE SET dnd = ?2, forward_always = ?3,
                 forward_busy = ?4, forward_no_answer = ?5, no_answer_seconds = ?6",
            params![
                settings.number,
                settings.dnd,
                settings.always,
                settings.busy,
                settings.no_answer,
                settings.no_answer_seconds,
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Turns do-not-disturb on or off, leaving forwarding as it is.
    pub fn set_dnd(&self, number: &str, on: bool) -> Result<CallForwarding> {
        let mut settings = self.call_forwarding(number)?;
        settings.dnd = on;
        self.set_call_forwarding(&settings)?;
        Ok(settings)
    }

    /// Sets (`Some`) or clears (`None`) one kind of forwarding, leaving the rest.
    pub fn set_forward(
        &self,
        number: &str,
        kind: ForwardKind,
        target: Option<&str>,
    ) -> Result<CallForwarding> {
        let mut settings = self.call_forwarding(number)?;
        let target = target.map(str::to_owned);
        match kind {
            ForwardKind::Always => settings.always = target,
            ForwardKind::Busy => settings.busy = target,
            ForwardKind::NoAnswer => settings.no_answer = target,
        }
        self.set_call_forwarding(&settings)?;
        Ok(settings)
    }

    fn extension_exists(&self, number: &str) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM extensions WHERE number = ?1)",
            [number],
            |r| r.get(0),
        )?)
    }
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<CallForwarding> {
    Ok(CallForwarding {
        number: row.get(0)?,
        dnd: row.get(1)?,
        always: row.get(2)?,
        busy: row.get(3)?,
        no_answer: row.get(4)?,
        no_answer_seconds: row.get(5)?,
    })
}

/// A target is dialled like any number: digits, with an optional leading `+` for an
/// outside number in international form. Forwarding to oneself would ring nobody.
fn check_target(field: &'static str, own: &str, target: &str) -> Option<FieldError> {
    let digits = target.strip_prefix('+').unwrap_or(target);
    let message = if target.is_empty() || target.len() > TARGET_MAX_CHARS {
        format!("must be 1 to {TARGET_MAX_CHARS} digits")
    } else if !digits.bytes().all(|b| b.is_ascii_digit()) || digits.is_empty() {
        "must be a number (digits, optionally starting with +)".to_owned()
    } else if target == own {
        "cannot be the extension itself".to_owned()
    } else {
        return None;
    };
    Some(FieldError { field, message })
}
