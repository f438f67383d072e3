//! Versioned schema. The file's `PRAGMA user_version` says how many entries of [`MIGRATIONS`]
//! it has had applied; each one runs in its own transaction together with the version bump, so
//! a crash leaves the file at a whole version. Entries are only ever appended, never edited.

use rusqlite::{Connection, TransactionBehavior};

use crate::{Error, Result};

/// Schema version this program writes: the number of migrations it knows.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

const MIGRATIONS: &[&str] = &[
    // 1: extensions, registrations, call detail records.
    r#"
    CREATE TABLE extensions (
        number      TEXT PRIMARY KEY NOT NULL,
        name        TEXT NOT NULL,
        realm       TEXT NOT NULL,
        ha1_md5     TEXT NOT NULL,
        ha1_sha256  TEXT NOT NULL,
        created_at  INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE bindings (
        extension     TEXT NOT NULL REFERENCES extensions(number) ON DELETE CASCADE,
        binding_key   TEXT NOT NULL,
        contact       TEXT NOT NULL,
        instance      TEXT,
        transport     TEXT NOT NULL,
        source        TEXT NOT NULL,
        user_agent    TEXT,
        expires_at    INTEGER NOT NULL,
        call_id       TEXT NOT NULL,
        cseq          INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL,
        PRIMARY KEY (extension, binding_key)
    ) STRICT;
    CREATE INDEX bindings_expires_at ON bindings(expires_at);

    CREATE TABLE cdr (
        id             INTEGER PRIMARY KEY,
        call_id        TEXT NOT NULL,
        caller_number  TEXT NOT NULL,
        caller_name    TEXT,
        callee         TEXT NOT NULL,
        answered_by    TEXT,
        started_at     INTEGER NOT NULL,
        answered_at    INTEGER,
        ended_at       INTEGER NOT NULL,
        duration_s     INTEGER NOT NULL,
        outcome        TEXT NOT NULL,
        hangup_by      TEXT NOT NULL,
        reason         TEXT
    ) STRICT;
    CREATE INDEX cdr_started_at ON cdr(started_at);
    "#,
    // 2: settings the owner changes from the admin screens, one row per setting. A missing
    // row means "the default", so a default can improve in a later version for everyone who
    // never changed it.
    r#"
    CREATE TABLE settings (
        key         TEXT PRIMARY KEY NOT NULL,
        value       TEXT NOT NULL,
        updated_at  INTEGER NOT NULL
    ) STRICT;
    "#,
    // 3: trunks, business names, ring groups, business hours and outbound routes (the dial
    // plan); who may call out; what the call history needs to tell trunk calls apart.
    //
    // A destination is stored as a kind (`extension`, `ring_group`, `conference`,
    // `voicemail`, `hours`, `hangup`) and a target (a number, a schedule id as text, or NULL),
    // so "what still points at ring group 600" is one query. Short lists that nothing else
    // refers to (codecs, allowed addresses, dial patterns) are JSON arrays.
    r#"
    CREATE TABLE trunks (
        id              INTEGER PRIMARY KEY,
        name            TEXT NOT NULL,
        enabled         INTEGER NOT NULL,
        host            TEXT NOT NULL,
        port            INTEGER,
        transport       TEXT NOT NULL,
        outbound_proxy  TEXT,
        auth_mode       TEXT NOT NULL,
        username        TEXT,
        password        TEXT,
        auth_username   TEXT,
        contact_user    TEXT,
        expires         INTEGER,
        allowed         TEXT NOT NULL,
        channels        INTEGER NOT NULL,
        codecs          TEXT NOT NULL,
        dtmf            TEXT NOT NULL,
        from_user       TEXT,
        caller_id       TEXT,
        trust_pai       INTEGER NOT NULL,
        overflow_kind   TEXT,
        overflow_target TEXT,
        default_kind    TEXT NOT NULL,
        default_target  TEXT
    ) STRICT;
    -- The contact user names the trunk in inbound Request-URIs: two trunks must not share one.
    CREATE UNIQUE INDEX trunks_contact_user ON trunks(contact_user)
        WHERE contact_user IS NOT NULL AND contact_user <> '';

    CREATE TABLE business_names (
        id          INTEGER PRIMARY KEY,
        name        TEXT NOT NULL UNIQUE,
        number      TEXT NOT NULL,
        label       TEXT NOT NULL,
        trunk       INTEGER REFERENCES trunks(id),
        dest_kind   TEXT NOT NULL,
        dest_target TEXT
    ) STRICT;

    CREATE TABLE ring_groups (
        number       TEXT PRIMARY KEY NOT NULL,
        name         TEXT NOT NULL,
        strategy     TEXT NOT NULL,
        final_kind   TEXT,
        final_target TEXT
    ) STRICT;
    CREATE TABLE ring_group_members (
        group_number TEXT NOT NULL REFERENCES ring_groups(number)
                     ON DELETE CASCADE ON UPDATE CASCADE,
        position     INTEGER NOT NULL,
        number       TEXT NOT NULL,
        ring_seconds INTEGER NOT NULL,
        PRIMARY KEY (group_number, position)
    ) STRICT;

    CREATE TABLE schedules (
        id            INTEGER PRIMARY KEY,
        name          TEXT NOT NULL,
        time_zone     TEXT NOT NULL,
        open_kind     TEXT NOT NULL,
        open_target   TEXT,
        closed_kind   TEXT NOT NULL,
        closed_target TEXT
    ) STRICT;
    CREATE TABLE schedule_periods (
        schedule_id INTEGER NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
        position    INTEGER NOT NULL,
        day         INTEGER NOT NULL,
        open        TEXT NOT NULL,
        close       TEXT NOT NULL,
        PRIMARY KEY (schedule_id, position)
    ) STRICT;
    CREATE TABLE schedule_holidays (
        schedule_id INTEGER NOT NULL REFERENCES schedules(id) ON DELETE CASCADE,
        position    INTEGER NOT NULL,
        date        TEXT NOT NULL,
        name        TEXT NOT NULL,
        PRIMARY KEY (schedule_id, position)
    ) STRICT;

    CREATE TABLE outbound_routes (
        id        INTEGER PRIMARY KEY,
        position  INTEGER NOT NULL,
        name      TEXT NOT NULL,
        patterns  TEXT NOT NULL,
        strip     INTEGER NOT NULL,
        prepend   TEXT NOT NULL
    ) STRICT;
    CREATE TABLE outbound_route_trunks (
        route_id  INTEGER NOT NULL REFERENCES outbound_routes(id) ON DELETE CASCADE,
        position  INTEGER NOT NULL,
        trunk_id  INTEGER NOT NULL REFERENCES trunks(id),
        PRIMARY KEY (route_id, position)
    ) STRICT;

    ALTER TABLE extensions ADD COLUMN outbound_allowed INTEGER NOT NULL DEFAULT 0;

    ALTER TABLE cdr ADD COLUMN business_name TEXT;
    ALTER TABLE cdr ADD COLUMN trunk TEXT;
    ALTER TABLE cdr ADD COLUMN direction TEXT NOT NULL DEFAULT 'internal';
    ALTER TABLE cdr ADD COLUMN lines_busy INTEGER NOT NULL DEFAULT 0;
    "#,
    // 4: voicemail. A mailbox row exists once its owner has enabled it (there is no default
    // PIN); the number is an extension's or a ring group's, not a foreign key, because it may
    // be either. Messages keep their mailbox number after the mailbox is disabled.
    r#"
    CREATE TABLE voicemail_boxes (
        number    TEXT PRIMARY KEY NOT NULL,
        enabled   INTEGER NOT NULL,
        pin_hash  TEXT
    ) STRICT;

    CREATE TABLE voicemail_messages (
        id             INTEGER PRIMARY KEY,
        mailbox        TEXT NOT NULL,
        caller_number  TEXT NOT NULL,
        caller_name    TEXT,
        business_name  TEXT,
        received_at    INTEGER NOT NULL,
        duration_ms    INTEGER NOT NULL,
        heard          INTEGER NOT NULL,
        file           TEXT NOT NULL UNIQUE
    ) STRICT;
    CREATE INDEX voicemail_messages_mailbox ON voicemail_messages(mailbox, received_at);
    "#,
    // 5: conference rooms. The PIN is kept only as an Argon2id hash; NULL means an open room.
    r#"
    CREATE TABLE conference_rooms (
        number    TEXT PRIMARY KEY NOT NULL,
        name      TEXT NOT NULL,
        pin_hash  TEXT
    ) STRICT;
    "#,
    // do-not-disturb and call forwarding per extension (a row once changed from the default).
    r#"
    CREATE TABLE call_forwarding (
        number             TEXT PRIMARY KEY NOT NULL REFERENCES extensions(number) ON DELETE CASCADE,
        dnd                INTEGER NOT NULL DEFAULT 0,
        forward_always     TEXT,
        forward_busy       TEXT,
        forward_no_answer  TEXT,
        no_answer_seconds  INTEGER NOT NULL DEFAULT 20
    ) STRICT;
    "#,
    // voicemail to e-mail: the SMTP server (one row), each mailbox's address, and the outbox.
    // A trigger queues a message for e-mail in the same transaction that saves it, when
    // e-mail is on and its mailbox has an address, so no message is lost between the two.
    // Outbox rows copy what the screens show, since a message may be deleted once sent.
    r#"
    CREATE TABLE mail_settings (
        id            INTEGER PRIMARY KEY CHECK (id = 1),
        enabled       INTEGER NOT NULL,
        host          TEXT NOT NULL,
        port          INTEGER NOT NULL,
        security      TEXT NOT NULL,
        username      TEXT NOT NULL,
        password      TEXT NOT NULL,
        from_address  TEXT NOT NULL,
        updated_at    INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE mailbox_email (
        mailbox       TEXT PRIMARY KEY NOT NULL,
        address       TEXT NOT NULL,
        delete_after  INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE mail_outbox (
        message_id       INTEGER PRIMARY KEY NOT NULL,
        mailbox          TEXT NOT NULL,
        caller_number    TEXT NOT NULL,
        caller_name      TEXT,
        received_at      INTEGER NOT NULL,
        address          TEXT NOT NULL,
        delete_after     INTEGER NOT NULL,
        state            TEXT NOT NULL,
        attempts         INTEGER NOT NULL,
        next_attempt_at  INTEGER NOT NULL,
        last_error       TEXT,
        server_reply     TEXT,
        queued_at        INTEGER NOT NULL,
        finished_at      INTEGER
    ) STRICT;
    CREATE INDEX mail_outbox_due ON mail_outbox(state, next_attempt_at);

    CREATE TRIGGER voicemail_messages_queue_mail AFTER INSERT ON voicemail_messages
    WHEN EXISTS (SELECT 1 FROM mail_settings WHERE id = 1 AND enabled = 1)
    BEGIN
        -- Message ids may be reused after the newest is deleted: the new message replaces
        -- the old one's finished row.
        INSERT OR REPLACE INTO mail_outbox (message_id, mailbox, caller_number, caller_name, received_at,
                                 address, delete_after, state, attempts, next_attempt_at,
                                 queued_at)
        SELECT NEW.id, NEW.mailbox, NEW.caller_number, NEW.caller_name, NEW.received_at,
               e.address, e.delete_after, 'queued', 0, 0, CAST(strftime('%s', 'now') AS INTEGER)
          FROM mailbox_email e WHERE e.mailbox = NEW.mailbox;
    END;
    "#,
    // 8: recordings of calls (rows for complete files only), the "always record" flag of
    // extensions, ring groups and business names, and the recordings' retention settings.
    r#"
    ALTER TABLE extensions ADD COLUMN record_always INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE ring_groups ADD COLUMN record_always INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE business_names ADD COLUMN record_always INTEGER NOT NULL DEFAULT 0;

    CREATE TABLE recordings (
        id            INTEGER PRIMARY KEY,
        call_id       TEXT NOT NULL,
        caller        TEXT NOT NULL,
        callee        TEXT NOT NULL,
        started_at    INTEGER NOT NULL,
        duration_ms   INTEGER NOT NULL,
        trigger       TEXT NOT NULL,
        trigger_name  TEXT,
        file          TEXT NOT NULL UNIQUE,
        size_bytes    INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX recordings_started_at ON recordings(started_at);
    -- A recording shows its call's record, found by Call-ID.
    CREATE INDEX cdr_call_id ON cdr(call_id);

    CREATE TABLE recording_settings (
        key    TEXT PRIMARY KEY NOT NULL,
        value  TEXT NOT NULL
    ) STRICT;
    "#,
    // 9: a recording's row is written when it starts (complete = 0) and completed once its
    // file is in place, so one a crash cut short keeps its parties when the file is salvaged.
    r#"
    ALTER TABLE recordings ADD COLUMN complete INTEGER NOT NULL DEFAULT 1;
    "#,
    // 10: the softphone's account (one row, id = 1) and the audio devices it uses.
    r#"
    CREATE TABLE phone_account (
        id            INTEGER PRIMARY KEY CHECK (id = 1),
        server        TEXT NOT NULL,
        transport     TEXT NOT NULL,
        user          TEXT NOT NULL,
        auth_user     TEXT,
        display_name  TEXT,
        password      TEXT NOT NULL
    ) STRICT;
    CREATE TABLE phone_audio (
        id      INTEGER PRIMARY KEY CHECK (id = 1),
        input   TEXT,
        output  TEXT
    ) STRICT;
    "#,
    // 11: staff outside the office: the office's public address and STUN server (one row,
    // id = 1), and one-time provisioning links, kept as the SHA-256 of their token.
    r#"
    CREATE TABLE remote_access (
        id              INTEGER PRIMARY KEY CHECK (id = 1),
        public_address  TEXT,
        stun_server     TEXT
    ) STRICT;
    CREATE TABLE provisioning_links (
        id          INTEGER PRIMARY KEY,
        extension   TEXT NOT NULL REFERENCES extensions(number) ON DELETE CASCADE,
        token_hash  TEXT NOT NULL UNIQUE,
        created_at  INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL,
        used_at     INTEGER,
        revoked_at  INTEGER
    ) STRICT;
    CREATE INDEX provisioning_links_extension ON provisioning_links(extension);
    "#,
    // 12: the softphone's call history (in, out, missed), the missed ones unseen until the
    // person looked.
    r#"
    CREATE TABLE phone_history (
        id          INTEGER PRIMARY KEY,
        kind        TEXT NOT NULL CHECK (kind IN ('in', 'out', 'missed')),
        number      TEXT NOT NULL,
        name        TEXT,
        started_at  INTEGER NOT NULL,
        duration_s  INTEGER NOT NULL,
        unseen      INTEGER NOT NULL DEFAULT 0
    ) STRICT;
    "#,
    // 13: the softphone's TLS accounts pin the server's certificate by its SHA-256
    // fingerprint (NULL: the system's trusted authorities decide).
    r#"
    ALTER TABLE phone_account ADD COLUMN tls_fingerprint TEXT;
    "#,
    // 14: logins for the admin pages opened to the office network: the owner's and one per
    // staff extension (user name = the number), each kept only as an Argon2id hash.
    r#"
    CREATE TABLE admin_logins (
        username       TEXT PRIMARY KEY NOT NULL,
        role           TEXT NOT NULL CHECK (role IN ('owner', 'staff')),
        extension      TEXT REFERENCES extensions(number) ON DELETE CASCADE,
        password_hash  TEXT NOT NULL
    ) STRICT;
    "#,
    // 15: the softphone's sound settings (one row, id = 1): the microphone's voice processing
    // switches, and where calls ring ('speaker', 'device' named by ring_device, 'none').
    r#"
    CREATE TABLE phone_sound (
        id                 INTEGER PRIMARY KEY CHECK (id = 1),
        echo_cancellation  INTEGER NOT NULL,
        noise_suppression  INTEGER NOT NULL,
        auto_gain          INTEGER NOT NULL,
        ring               TEXT NOT NULL CHECK (ring IN ('speaker', 'device', 'none')),
        ring_device        TEXT
    ) STRICT;
    "#,
    // 16: an extension whose calls must always be encrypted (SRTP), whatever the office rule.
    r#"
    ALTER TABLE extensions ADD COLUMN srtp_required INTEGER NOT NULL DEFAULT 0;
    "#,
    // 17: logged-in admin sessions, kept across restarts: the SHA-256 of the cookie value,
    // whose session it is, its CSRF token and when it ends (Unix seconds).
    r#"
    CREATE TABLE admin_sessions (
        token_hash  TEXT PRIMARY KEY NOT NULL,
        role        TEXT NOT NULL CHECK (role IN ('owner', 'staff')),
        extension   TEXT REFERENCES extensions(number) ON DELETE CASCADE,
        csrf        TEXT NOT NULL,
        expires_at  INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX admin_sessions_expiry ON admin_sessions (expires_at);
    "#,
    // 18: whether the softphone encrypts its calls' audio (SRTP): 'auto' (over TLS), 'off'
    // or 'required'. Kept with the sound settings' row so it survives an account saved again.
    r#"
    ALTER TABLE phone_sound ADD COLUMN srtp TEXT NOT NULL DEFAULT 'auto'
        CHECK (srtp IN ('auto', 'off', 'required'));
    "#,
    // 19: a softphone account for direct calls with one other phone (no PBX): the UDP port
    // this PC takes calls on; NULL for an account that registers with a PBX.
    r#"
    ALTER TABLE phone_account ADD COLUMN direct_port INTEGER
        CHECK (direct_port IS NULL OR direct_port BETWEEN 1 AND 65535);
    "#,
];

/// The version recorded in the file.
pub(crate) fn version(conn: &Connection) -> Result<u32> {
    Ok(conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
}

/// Brings the file up to [`SCHEMA_VERSION`], one transaction per migration.
pub(crate) fn apply(conn: &mut Connection) -> Result<()> {
    loop {
        // IMMEDIATE takes the write lock before reading the version, so two processes opening
        // a fresh file at once cannot both run the same migration.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let found = version(&tx)?;
        if found > SCHEMA_VERSION {
            return Err(Error::SchemaTooNew {
                found,
                supported: SCHEMA_VERSION,
            });
        }
        let Some(sql) = MIGRATIONS.get(found as usize) else {
            return Ok(());
        };
        tx.execute_batch(sql)?;
        // user_version lives in the file header, which is written inside this transaction:
        // schema and version commit or roll back together.
        tx.pragma_update(None, "user_version", found + 1)?;
        tx.commit()?;
        tracing::info!(version = found + 1, "database schema migrated");
    }
}
