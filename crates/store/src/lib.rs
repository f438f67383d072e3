//! Durable state of the PBX in one SQLite file: extensions and their credentials, where each
//! phone is registered (so a restart keeps every phone reachable), call detail records and
//! the owner's settings; and the dial plan: trunks, business names, ring groups, business
//! hours and outbound routes (the types are `pbx::dialplan`'s).
//!
//! The file is `<data_dir>/switchboard.db`, in WAL mode with `synchronous=FULL` so that a row
//! reported as written survives a crash or power loss. Registrations change often (every
//! REGISTER refresh), so they go through [`BindingWriter`], which groups many changes into one
//! transaction instead of paying an fsync per packet.

mod admin_logins;
mod admin_sessions;
mod app_mode;
mod backup;
mod backup_files;
mod backup_restore;
mod backup_schedule;
mod binding_writer;
mod bindings;
mod business_names;
mod call_forwarding;
mod cdr;
mod conference;
mod db;
mod destination;
mod dial_plan;
mod error;
mod extensions;
mod guard_allow_list;
mod integrity;
mod mail;
mod migrations;
mod phone_account;
mod phone_history;
mod phone_sound;
mod provisioning;
mod recording_settings;
mod recordings;
mod remote_access;
mod ring_groups;
mod routes;
mod schedules;
mod secret;
mod settings;
mod srtp_policy;
mod trunks;
mod voicemail;

pub use admin_logins::AdminLogin;
pub use admin_sessions::{AdminSession, SessionRole};
pub use backup::{
    create_backup, list_backups, open_backup, prune_scheduled, verify_backup, BackupInfo,
    BackupTrigger, Manifest, MANIFEST_FILE,
};
pub use backup_files::{ManifestFile, BACKUPS_DIR};
pub use backup_restore::{
    apply_pending_restore, cancel_pending_restore, pending_restore, stage_restore, AppliedRestore,
    PendingRestore,
};
pub use backup_schedule::{BackupSchedule, BACKUP_KEEP_MAX};
pub use binding_writer::BindingWriter;
pub use bindings::{Binding, Transport};
pub use call_forwarding::{
    CallForwarding, ForwardKind, DEFAULT_NO_ANSWER_SECONDS, NO_ANSWER_MAX_SECONDS,
    NO_ANSWER_MIN_SECONDS,
};
pub use cdr::{Cdr, CdrFilter, Direction, HangupBy, NewCdr, Outcome};
pub use conference::{
    verify_room_pin, ConferenceRoom, ConferenceRoomAccess, PinChange, ROOM_PIN_MAX_DIGITS,
    ROOM_PIN_MIN_DIGITS,
};
pub use db::{Store, DB_FILE_NAME};
pub use dial_plan::DEFAULT_EMERGENCY_NUMBERS;
pub use error::{Error, FieldError, ValidationErrors};
pub use extensions::{CreatedExtension, Extension, NAME_MAX_CHARS};
pub use guard_allow_list::ALLOW_LIST_MAX;
pub use integrity::{check_database, integrity_problems};
pub use mail::{
    check_address as check_email_address, MailSecurity, MailSettings, MailboxEmail, OutboxEntry,
    OutboxState, EMAIL_MAX_LEN,
};
pub use migrations::SCHEMA_VERSION;
pub use phone_account::{PhoneAccount, PhoneAudio};
pub use phone_history::{NewPhoneCall, PhoneCallKind, PhoneHistoryEntry, PHONE_HISTORY_KEEP};
pub use phone_sound::{PhoneSound, PhoneSrtp, RingOn};
pub use provisioning::ProvisioningLink;
pub use recording_settings::{
    AlwaysRecord, AlwaysRecordKind, RecordingPolicy, DEFAULT_MIN_FREE_MB, MIN_FREE_MAX_MB,
    RETENTION_MAX_DAYS,
};
pub use recordings::{CallLink, NewRecording, Recording, RecordingTrigger};
pub use remote_access::{RemoteAccess, PUBLIC_ADDRESS_MAX_LEN};
pub use secret::{generate_secret, ha1_md5, ha1_sha256, SECRET_ALPHABET, SECRET_LEN};
pub use settings::{LogLevel, Settings, MAX_SIP_LISTEN, RTP_PORT_FLOOR};
pub use srtp_policy::{SrtpRequired, SrtpSettings};
pub use trunks::{generate_contact_user, CONTACT_USER_LEN};
pub use voicemail::{
    check_pin as check_mailbox_pin, Mailbox, NewVoicemail, VoicemailMessage, PIN_MAX_DIGITS,
    PIN_MIN_DIGITS,
};

/// Result type of every fallible store operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;
