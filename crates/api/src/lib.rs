//! The one API every screen uses, in the browser and in the desktop window alike.
//!
//! Each command is declared once: a request type that implements `Command` (its name, its
//! response type, what it does), listed in `registry.rs`. One router dispatches them for
//! two transports served by axum:
//!
//! - HTTP: `POST /api/<command>` with the JSON request → `200` with the JSON response, or
//!   a 4xx/5xx with `{"error": {"message": "…", "fields": {"number": "must be 2 to 10 digits"}}}`.
//! - WebSocket `GET /api/ws`: `{"id": 7, "command": "list_extensions", "request": {}}` →
//!   `{"id": 7, "ok": …}` or `{"id": 7, "error": {…}}`, and `{"event": {"type": …}}` pushed
//!   for registrations and calls as they happen.
//!
//! Everything else is the web UI, built into the binary from `ui/dist`. The TypeScript types
//! for the UI are generated from these Rust types (`cargo run -p api --bin export-types`).
//!
//! ```no_run
//! # async fn example(engine_config: engine::Config) -> Result<(), Box<dyn std::error::Error>> {
//! let engine = engine::start(engine_config.clone()).await?;
//! let bind = "127.0.0.1:8080".parse()?;
//! let api = api::serve(api::ApiConfig::new(bind, engine_config), engine.handle.clone()).await?;
//! println!("Open {} in a browser", api.url());
//! // … on shutdown:
//! api.shutdown().await;
//! engine.handle.shutdown().await;
//! engine.wait().await;
//! # Ok(()) }
//! ```

mod audio_file;
mod auth;
mod command;
mod commands;
mod decode;
mod error;
mod events;
mod greeting_upload;
mod guard;
mod http;
mod music_upload;
mod phone_history;
mod phone_host;
mod plan;
mod plan_check;
mod provision_client;
mod provision_server;
mod recording_audio;
mod registry;
mod server;
mod types;
mod typescript;
mod ui;
mod voicemail_audio;
mod wire;
mod ws;

pub use auth::commands::{
    AdminAccess, GetAdminAccessRequest, RemoveStaffPasswordRequest, SetOwnerLoginRequest,
    SetStaffPasswordRequest, SetStaffPasswordResponse,
};
pub use commands::app_mode::{AppMode, GetAppModeRequest, SetAppModeRequest};
pub use commands::bans::{Ban, LiftBanRequest, LiftBanResponse, ListBansRequest, ListBansResponse};
pub use commands::calls::{
    CallHistoryRequest, CallHistoryResponse, CallRecord, HangUpRequest, HangUpResponse, HangupBy,
    ListLiveCallsRequest, ListLiveCallsResponse, ListRegistrationsRequest,
    ListRegistrationsResponse, LiveCall, LiveState,
};
pub use commands::click_to_call::{ClickToCallRequest, ClickToCallResponse};
pub use commands::extensions::{
    AddExtensionRequest, AddExtensionResponse, EditExtensionRequest, EditExtensionResponse,
    ListExtensionsRequest, ListExtensionsResponse, RemoveExtensionRequest, RemoveExtensionResponse,
    ResetPasswordRequest, ResetPasswordResponse,
};
pub use commands::greetings::{
    GreetingState, ListGreetingsRequest, ListGreetingsResponse, RemoveGreetingRequest,
    RemoveGreetingResponse,
};
pub use commands::names::{
    ImportBusinessNamesRequest, ImportBusinessNamesResponse, ListBusinessNamesRequest,
    ListBusinessNamesResponse, RemoveBusinessNameRequest, RemoveBusinessNameResponse,
    SaveBusinessNameResponse,
};
pub use commands::outbound::{
    ListOutboundRoutesRequest, ListOutboundRoutesResponse, SaveOutboundRoutesRequest,
    SaveOutboundRoutesResponse, SetOutboundPermissionRequest, SetOutboundPermissionResponse,
};
pub use commands::phone::{
    AudioState, CallDirection, CallState, DirectCalls, GetPhoneRequest, PhoneAccount,
    PhoneAccountMode, PhoneCall, PhoneDialRequest, PhoneState, PhoneTransport, RegState,
    Registration, SavePhoneAccountRequest, SetAudioDevicesRequest,
};
pub use commands::recordings::{
    AlwaysRecord, AlwaysRecordKind, CallLink, DeleteRecordingRequest, DeleteRecordingResponse,
    GetRecordingSettingsRequest, ListRecordingsRequest, ListRecordingsResponse, Recording,
    RecordingProblem, RecordingSettings, RecordingTrigger, SaveRecordingSettingsRequest,
    SetAlwaysRecordRequest,
};
pub use commands::ring_groups::{
    ListRingGroupsRequest, ListRingGroupsResponse, RemoveRingGroupRequest, RemoveRingGroupResponse,
    SaveRingGroupRequest, SaveRingGroupResponse,
};
pub use commands::schedules::{
    ListSchedulesRequest, ListSchedulesResponse, RemoveScheduleRequest, RemoveScheduleResponse,
    SaveScheduleResponse,
};
pub use commands::settings::{GetSettingsRequest, LogLevel, Settings, SettingsResponse};
pub use commands::setup::{CompleteSetupRequest, GetSetupStateRequest, SetupState};
pub use commands::status::{StatusRequest, StatusResponse};
pub use commands::trunks::{
    ListTrunksRequest, ListTrunksResponse, RemoveTrunkRequest, RemoveTrunkResponse,
    SaveTrunkResponse, TrunkWithState,
};
pub use commands::voicemail::{
    DeleteVoicemailRequest, DeleteVoicemailResponse, DisableMailboxRequest, DisableMailboxResponse,
    EnableMailboxRequest, EnableMailboxResponse, ListMailboxesRequest, ListMailboxesResponse,
    ListVoicemailRequest, ListVoicemailResponse, Mailbox, MarkVoicemailHeardRequest,
    MarkVoicemailHeardResponse, VoicemailMessage,
};
pub use error::{ApiError, ErrorBody, ErrorResponse};
pub use events::{Event, RegistrationChanged, UnregisteredBecause};
pub use plan::{
    BusinessName, Destination, DtmfMode, Holiday, OpenPeriod, OutboundRoute, RingGroup, RingMember,
    RingStrategy, Schedule, Trunk, TrunkAuth, TrunkTransport,
};
pub use provision_client::{redeem as redeem_setup_link, ProvisionError, Provisioned, SetupLink};
pub use provision_server::ProvisionedAccount;
pub use registry::COMMAND_NAMES;
pub use server::{
    admin_bind_allowed, check_admin_bind, serve, serve_phone_only, ApiConfig, ApiHandle, ApiServer,
    LogControl,
};
pub use types::{Device, Direction, Extension, Outcome, Transport, TrunkState, TrunkStatus};
pub use typescript::{generate as typescript, EXPORT_COMMAND, TYPES_PATH};
pub use ui::{ui_built, UiAssets, UI_BUILD_COMMAND};
pub use wire::{WsMessage, WsRequest};
