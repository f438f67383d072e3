// Generated from the Rust types in crates/api. Do not edit by hand:
// run `cargo run -p api --bin export-types` after changing them.

/** Every command: its request and response types, by name. */
export type Commands = {
  status: { request: StatusRequest; response: StatusResponse };
  list_extensions: { request: ListExtensionsRequest; response: ListExtensionsResponse };
  add_extension: { request: AddExtensionRequest; response: AddExtensionResponse };
  edit_extension: { request: EditExtensionRequest; response: EditExtensionResponse };
  remove_extension: { request: RemoveExtensionRequest; response: RemoveExtensionResponse };
  reset_password: { request: ResetPasswordRequest; response: ResetPasswordResponse };
  list_registrations: { request: ListRegistrationsRequest; response: ListRegistrationsResponse };
  list_live_calls: { request: ListLiveCallsRequest; response: ListLiveCallsResponse };
  hang_up: { request: HangUpRequest; response: HangUpResponse };
  call_history: { request: CallHistoryRequest; response: CallHistoryResponse };
  get_settings: { request: GetSettingsRequest; response: SettingsResponse };
  save_settings: { request: Settings; response: SettingsResponse };
};

export type CommandName = keyof Commands;

/**
 * A new extension; its password is generated, never typed.
 */
export type AddExtensionRequest = { 
/**
 * 2 to 10 digits.
 */
number: string, 
/**
 * 1 to 64 characters, shown on the phones it calls.
 */
name: string, };

export type AddExtensionResponse = { extension: Extension, 
/**
 * The phone's SIP password. Shown once: only its hashes are kept.
 */
password: string, };

/**
 * Finished calls, newest first.
 */
export type CallHistoryRequest = { 
/**
 * Only calls this number made, was called on, or answered. Empty means all.
 */
number?: string, outcome?: Outcome, 
/**
 * 1 to 1000; 100 when absent.
 */
limit?: number, };

export type CallHistoryResponse = { calls: Array<CallRecord>, };

/**
 * A finished call.
 */
export type CallRecord = { id: number, call_id: string, caller_number: string, caller_name: string | null, callee: string, answered_by: string | null, 
/**
 * Unix seconds.
 */
started_at: number, answered_at: number | null, ended_at: number, 
/**
 * Talk time in seconds; 0 when unanswered.
 */
duration_s: number, outcome: Outcome, hangup_by: HangupBy, 
/**
 * For the expert: the SIP status that ended it ("486 Busy Here").
 */
reason: string | null, };

/**
 * A phone registered to an extension.
 */
export type Device = { extension: string, 
/**
 * The SIP contact the phone registered.
 */
contact: string, 
/**
 * Where its packets come from (differs from the contact behind NAT).
 */
address: string, transport: Transport, user_agent: string | null, 
/**
 * Seconds until the registration lapses unless the phone refreshes it.
 */
expires_in: number, };

/**
 * Renames an extension.
 */
export type EditExtensionRequest = { number: string, name: string, };

export type EditExtensionResponse = { extension: Extension, };

/**
 * An error as the client receives it.
 */
export type ErrorBody = { 
/**
 * A sentence for a person.
 */
message: string, 
/**
 * The refused input fields and, for each, a short sentence without the field's name.
 */
fields?: { [key in string]: string }, };

/**
 * The body of an HTTP error response.
 */
export type ErrorResponse = { error: ErrorBody, };

/**
 * Something happened; the screens update without a reload.
 */
export type Event = { "type": "registration_changed" } & RegistrationChanged | { "type": "call_ringing", call_id: string, caller: string, callee: string, } | { "type": "call_answered", call_id: string, answered_by: string, } | { "type": "call_ended", call_id: string, outcome: Outcome, } | { "type": "extensions_changed", number: string, } | { "type": "resync", missed: number, };

/**
 * An extension, with the phones registered to it right now.
 */
export type Extension = { 
/**
 * 2 to 10 digits; also the phones' SIP user name.
 */
number: string, name: string, 
/**
 * Unix seconds.
 */
created_at: number, 
/**
 * At least one phone is registered.
 */
registered: boolean, devices: Array<Device>, };

export type GetSettingsRequest = Record<symbol, never>;

/**
 * Ends a live call for everyone in it.
 */
export type HangUpRequest = { call_id: string, };

export type HangUpResponse = Record<symbol, never>;

/**
 * Who ended a call.
 */
export type HangupBy = "caller" | "callee" | "system";

export type ListExtensionsRequest = Record<symbol, never>;

export type ListExtensionsResponse = { 
/**
 * Ordered by number, shorter numbers first.
 */
extensions: Array<Extension>, };

export type ListLiveCallsRequest = Record<symbol, never>;

export type ListLiveCallsResponse = { 
/**
 * Oldest first.
 */
calls: Array<LiveCall>, };

export type ListRegistrationsRequest = Record<symbol, never>;

export type ListRegistrationsResponse = { registrations: Array<Device>, };

/**
 * A call ringing or in progress.
 */
export type LiveCall = { 
/**
 * Names the call in events, in `hang_up` and in the history.
 */
call_id: string, caller_number: string, caller_name: string | null, 
/**
 * The number dialled.
 */
callee: string, answered_by: string | null, state: LiveState, 
/**
 * Unix seconds.
 */
started_at: number, answered_at: number | null, };

export type LiveState = "ringing" | "answered";

export type LogLevel = "error" | "warn" | "info" | "debug" | "trace";

/**
 * How a call ended.
 */
export type Outcome = "answered" | "busy" | "no_answer" | "unavailable" | "not_found" | "cancelled" | "failed";

/**
 * A phone's registration, as it changed.
 */
export type RegistrationChanged = { extension: string, contact: string, 
/**
 * `true` when the phone is now registered at `address`.
 */
registered: boolean, 
/**
 * Where its packets come from; only when registered.
 */
address: string | null, transport: Transport | null, user_agent: string | null, 
/**
 * Why it went away; only when no longer registered.
 */
reason: UnregisteredBecause | null, };

/**
 * Deletes an extension; its phones can no longer register or call.
 */
export type RemoveExtensionRequest = { number: string, };

export type RemoveExtensionResponse = Record<symbol, never>;

/**
 * Replaces an extension's password with a new generated one; its phones must be given
 * the new one to register again.
 */
export type ResetPasswordRequest = { number: string, };

export type ResetPasswordResponse = { 
/**
 * Shown once: only its hashes are kept.
 */
password: string, };

/**
 * The settings the owner can change. Also the request of `save_settings`, which saves all
 * of them or, when any field is refused, none.
 */
export type Settings = { 
/**
 * Addresses to take SIP on, like `0.0.0.0:5060` (every IPv4 interface) or
 * `[::]:5060`. Each is served over UDP and TCP.
 */
sip_listen: Array<string>, 
/**
 * The UDP ports relayed audio may use; each call takes two.
 */
rtp_port_min: number, rtp_port_max: number, 
/**
 * Applies at once.
 */
log_level: LogLevel, 
/**
 * Where the admin pages and this API are served. Only this computer (127.0.0.1 or ::1)
 * until the admin pages have a login.
 */
admin_bind: string, };

/**
 * The settings, what cannot be changed here, and what waits for a restart.
 */
export type SettingsResponse = { settings: Settings, 
/**
 * Where the database and audio files are (read-only: chosen when the program starts).
 */
data_folder: string, 
/**
 * Each SIP address is served over these (read-only).
 */
sip_transports: Array<Transport>, 
/**
 * Saved settings the running program does not use yet, by field name; they apply
 * when Switchboard is restarted.
 */
restart_required: Array<string>, };

export type StatusRequest = Record<symbol, never>;

/**
 * Is the phone system running, and how busy is it.
 */
export type StatusResponse = { 
/**
 * The PBX answers; when `false` the counts are zero.
 */
running: boolean, registered_phones: number, live_calls: number, extensions: number, 
/**
 * Where it takes SIP (UDP and TCP on each).
 */
sip_addresses: Array<string>, 
/**
 * The program's version.
 */
version: string, };

export type Transport = "udp" | "tcp" | "tls";

/**
 * Why a phone is no longer registered.
 */
export type UnregisteredBecause = "unregistered" | "expired" | "removed";

/**
 * Everything the server sends over the WebSocket.
 */
export type WsMessage = { id: number, ok: unknown, } | { id: number | null, error: ErrorBody, } | { event: Event, };

/**
 * A command sent over the WebSocket.
 */
export type WsRequest = { 
/**
 * Chosen by the client; the answer carries the same id. Answers may come out of order.
 */
id: number, command: string, 
/**
 * The command's request; may be left out for commands without input.
 */
request?: unknown, };
