//! Voicemail to e-mail: each message left in a mailbox that has an e-mail address is sent
//! there over SMTP with its WAV attached, from a queue kept in the database and retried off
//! the call path.
