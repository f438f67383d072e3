//! Voicemail to e-mail: each message left in a mailbox that has an e-mail address is sent
//! there over SMTP with its WAV attached, from an outbox kept in the database (see
//! `store::MailSettings` and the outbox rows a saved message is queued in) and retried off
//! the call path.
//!
//! - [`send_test`] sends a short e-mail with the given settings and answers with the
//!   server's reply, for the "Send test e-mail" button.
//! - [`Outbox::spawn`] runs the sender in the background; [`Outbox::wake`] makes it look at
//!   the outbox at once (a message was just saved, or the settings changed).

mod error;
mod message;
mod outbox;
mod retry;
mod smtp;

pub use error::SendError;
pub use message::{voicemail_email, VoicemailDetails};
pub use outbox::Outbox;
pub use retry::{retry_delay, MAX_ATTEMPTS};
pub use smtp::{send, send_test, Reply};
