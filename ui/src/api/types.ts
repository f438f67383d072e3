// Generated from the Rust types in crates/api. Do not edit by hand:
// run `cargo run -p api --bin export-types` after changing them.

/** Every command: its request and response types, by name. */
export type Commands = {
  status: { request: StatusRequest; response: StatusResponse };
  list_bans: { request: ListBansRequest; response: ListBansResponse };
  lift_ban: { request: LiftBanRequest; response: LiftBanResponse };
  get_allow_list: { request: GetAllowListRequest; response: AllowList };
  set_allow_list: { request: SetAllowListRequest; response: AllowList };
  list_extensions: { request: ListExtensionsRequest; response: ListExtensionsResponse };
  add_extension: { request: AddExtensionRequest; response: AddExtensionResponse };
  edit_extension: { request: EditExtensionRequest; response: EditExtensionResponse };
  remove_extension: { request: RemoveExtensionRequest; response: RemoveExtensionResponse };
  reset_password: { request: ResetPasswordRequest; response: ResetPasswordResponse };
  list_call_forwarding: { request: ListCallForwardingRequest; response: ListCallForwardingResponse };
  save_call_forwarding: { request: SaveCallForwardingRequest; response: SaveCallForwardingResponse };
  list_feature_codes: { request: ListFeatureCodesRequest; response: ListFeatureCodesResponse };
  get_music_on_hold: { request: GetMusicOnHoldRequest; response: GetMusicOnHoldResponse };
  remove_music_on_hold: { request: RemoveMusicOnHoldRequest; response: RemoveMusicOnHoldResponse };
  list_registrations: { request: ListRegistrationsRequest; response: ListRegistrationsResponse };
  list_live_calls: { request: ListLiveCallsRequest; response: ListLiveCallsResponse };
  hang_up: { request: HangUpRequest; response: HangUpResponse };
  call_history: { request: CallHistoryRequest; response: CallHistoryResponse };
  start_recording: { request: StartRecordingRequest; response: StartRecordingResponse };
  stop_recording: { request: StopRecordingRequest; response: StopRecordingResponse };
  list_recordings: { request: ListRecordingsRequest; response: ListRecordingsResponse };
  delete_recording: { request: DeleteRecordingRequest; response: DeleteRecordingResponse };
  get_recording_settings: { request: GetRecordingSettingsRequest; response: RecordingSettings };
  save_recording_settings: { request: SaveRecordingSettingsRequest; response: RecordingSettings };
  set_always_record: { request: SetAlwaysRecordRequest; response: RecordingSettings };
  get_settings: { request: GetSettingsRequest; response: SettingsResponse };
  save_settings: { request: Settings; response: SettingsResponse };
  set_tls_certificate: { request: SetTlsCertificateRequest; response: SettingsResponse };
  remove_tls_certificate: { request: RemoveTlsCertificateRequest; response: SettingsResponse };
  list_backups: { request: ListBackupsRequest; response: BackupsResponse };
  create_backup: { request: CreateBackupRequest; response: BackupSummary };
  save_backup_schedule: { request: BackupSchedule; response: BackupsResponse };
  restore_backup: { request: RestoreBackupRequest; response: BackupsResponse };
  cancel_restore: { request: CancelRestoreRequest; response: BackupsResponse };
  get_remote_access: { request: GetRemoteAccessRequest; response: RemoteAccessResponse };
  save_remote_access: { request: RemoteAccess; response: RemoteAccessResponse };
  discover_public_address: { request: DiscoverPublicAddressRequest; response: DiscoverPublicAddressResponse };
  get_srtp_settings: { request: GetSrtpSettingsRequest; response: SrtpSettings };
  save_srtp_settings: { request: SrtpSettings; response: SrtpSettings };
  create_setup_link: { request: CreateSetupLinkRequest; response: CreateSetupLinkResponse };
  list_setup_links: { request: ListSetupLinksRequest; response: ListSetupLinksResponse };
  revoke_setup_link: { request: RevokeSetupLinkRequest; response: RevokeSetupLinkResponse };
  phone_provision: { request: PhoneProvisionRequest; response: PhoneState };
  list_trunks: { request: ListTrunksRequest; response: ListTrunksResponse };
  save_trunk: { request: Trunk; response: SaveTrunkResponse };
  remove_trunk: { request: RemoveTrunkRequest; response: RemoveTrunkResponse };
  list_business_names: { request: ListBusinessNamesRequest; response: ListBusinessNamesResponse };
  save_business_name: { request: BusinessName; response: SaveBusinessNameResponse };
  remove_business_name: { request: RemoveBusinessNameRequest; response: RemoveBusinessNameResponse };
  import_business_names: { request: ImportBusinessNamesRequest; response: ImportBusinessNamesResponse };
  click_to_call: { request: ClickToCallRequest; response: ClickToCallResponse };
  list_ring_groups: { request: ListRingGroupsRequest; response: ListRingGroupsResponse };
  save_ring_group: { request: SaveRingGroupRequest; response: SaveRingGroupResponse };
  remove_ring_group: { request: RemoveRingGroupRequest; response: RemoveRingGroupResponse };
  list_schedules: { request: ListSchedulesRequest; response: ListSchedulesResponse };
  save_schedule: { request: Schedule; response: SaveScheduleResponse };
  remove_schedule: { request: RemoveScheduleRequest; response: RemoveScheduleResponse };
  list_outbound_routes: { request: ListOutboundRoutesRequest; response: ListOutboundRoutesResponse };
  save_outbound_routes: { request: SaveOutboundRoutesRequest; response: SaveOutboundRoutesResponse };
  set_outbound_permission: { request: SetOutboundPermissionRequest; response: SetOutboundPermissionResponse };
  get_setup_state: { request: GetSetupStateRequest; response: SetupState };
  complete_setup: { request: CompleteSetupRequest; response: SetupState };
  list_voicemail: { request: ListVoicemailRequest; response: ListVoicemailResponse };
  mark_voicemail_heard: { request: MarkVoicemailHeardRequest; response: MarkVoicemailHeardResponse };
  delete_voicemail: { request: DeleteVoicemailRequest; response: DeleteVoicemailResponse };
  list_mailboxes: { request: ListMailboxesRequest; response: ListMailboxesResponse };
  enable_mailbox: { request: EnableMailboxRequest; response: EnableMailboxResponse };
  disable_mailbox: { request: DisableMailboxRequest; response: DisableMailboxResponse };
  list_conference_rooms: { request: ListConferenceRoomsRequest; response: ListConferenceRoomsResponse };
  add_conference_room: { request: AddConferenceRoomRequest; response: ConferenceRoomResponse };
  edit_conference_room: { request: EditConferenceRoomRequest; response: ConferenceRoomResponse };
  remove_conference_room: { request: RemoveConferenceRoomRequest; response: RemoveConferenceRoomResponse };
  mute_participant: { request: MuteParticipantRequest; response: ParticipantResponse };
  remove_participant: { request: RemoveParticipantRequest; response: ParticipantResponse };
  get_mail_settings: { request: GetMailSettingsRequest; response: MailSettingsResponse };
  save_mail_settings: { request: SaveMailSettingsRequest; response: MailSettingsResponse };
  set_mailbox_email: { request: SetMailboxEmailRequest; response: MailSettingsResponse };
  send_test_email: { request: SendTestEmailRequest; response: SendTestEmailResponse };
  list_greetings: { request: ListGreetingsRequest; response: ListGreetingsResponse };
  remove_greeting: { request: RemoveGreetingRequest; response: RemoveGreetingResponse };
  get_phone: { request: GetPhoneRequest; response: PhoneState };
  save_phone_account: { request: SavePhoneAccountRequest; response: PhoneState };
  remove_phone_account: { request: RemovePhoneAccountRequest; response: PhoneState };
  set_audio_devices: { request: SetAudioDevicesRequest; response: PhoneState };
  phone_dial: { request: PhoneDialRequest; response: PhoneCall };
  phone_answer: { request: PhoneAnswerRequest; response: PhoneState };
  phone_decline: { request: PhoneDeclineRequest; response: PhoneState };
  phone_hang_up: { request: PhoneHangUpRequest; response: PhoneState };
  phone_hold: { request: PhoneHoldRequest; response: PhoneState };
  phone_mute: { request: PhoneMuteRequest; response: PhoneState };
  phone_dtmf: { request: PhoneDtmfRequest; response: PhoneState };
  phone_audio_test: { request: PhoneAudioTestRequest; response: AudioTestState };
  phone_audio_test_state: { request: PhoneAudioTestStateRequest; response: AudioTestState };
  phone_sound: { request: PhoneSoundRequest; response: PhoneSound };
  phone_set_sound: { request: PhoneSetSoundRequest; response: PhoneSound };
  phone_set_srtp: { request: PhoneSetSrtpRequest; response: PhoneState };
  phone_transfer: { request: PhoneTransferRequest; response: PhoneState };
  phone_consult: { request: PhoneConsultRequest; response: PhoneCall };
  phone_complete_transfer: { request: PhoneCompleteTransferRequest; response: PhoneState };
  phone_set_dnd: { request: PhoneSetDndRequest; response: PhoneState };
  phone_mark_missed_seen: { request: PhoneMarkMissedSeenRequest; response: PhoneState };
  phone_history: { request: PhoneHistoryRequest; response: PhoneHistory };
  phone_contacts: { request: PhoneContactsRequest; response: PhoneContacts };
  get_app_mode: { request: GetAppModeRequest; response: AppMode };
  set_app_mode: { request: SetAppModeRequest; response: AppMode };
  get_admin_access: { request: GetAdminAccessRequest; response: AdminAccess };
  set_owner_login: { request: SetOwnerLoginRequest; response: AdminAccess };
  set_staff_password: { request: SetStaffPasswordRequest; response: SetStaffPasswordResponse };
  remove_staff_password: { request: RemoveStaffPasswordRequest; response: AdminAccess };
};

export type CommandName = keyof Commands;

/**
 * Adds a room; its number must not be an extension's, a ring group's or another room's.
 */
export type AddConferenceRoomRequest = { number: string, name: string, 
/**
 * 3 to 10 digits; left out or empty for a room anyone may join.
 */
pin?: string, };

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
 * Who can log in to the admin pages from the office network.
 */
export type AdminAccess = { 
/**
 * The owner's user name; `null` until an owner password is set (the admin pages stay
 * on this computer until then).
 */
owner_username: string | null, 
/**
 * Extensions whose staff have a web password.
 */
staff: Array<string>, 
/**
 * The admin pages are served beyond this computer now.
 */
open_to_network: boolean, };

/**
 * Who is never blocked.
 */
export type AllowList = { 
/**
 * The owner's entries: addresses (`203.0.113.5`, `2001:db8::1`) and networks
 * (`192.168.1.0/24`), written the way the PBX reads them.
 */
entries: Array<string>, 
/**
 * This computer's own addresses (loopback and the addresses SIP listens on), always
 * allowed.
 */
this_computer: Array<string>, };

/**
 * Which extensions, ring groups and business names have every call recorded.
 */
export type AlwaysRecord = { extensions: Array<string>, ring_groups: Array<string>, business_names: Array<string>, };

/**
 * What an always-on flag is set on.
 */
export type AlwaysRecordKind = "extension" | "ring_group" | "business_name";

/**
 * The stored choice and how this program actually runs (they differ until it restarts,
 * or for a moment while the desktop app switches).
 */
export type AppMode = { 
/**
 * The first-run question was answered. A new desktop install starts nothing that takes
 * calls until it is, and shows the question first.
 */
chosen: boolean, 
/**
 * Chosen: this PC is only a phone ("Connect to my office").
 */
phone_only: boolean, 
/**
 * The PBX runs in this program now.
 */
pbx_running: boolean, };

/**
 * The sound devices. Without any (`available: false`) calls still connect, silently.
 */
export type AudioState = { available: boolean, error: string | null, inputs: Array<string>, outputs: Array<string>, 
/**
 * The chosen devices; `null` is the system's default.
 */
input: string | null, output: string | null, 
/**
 * Why a call under way could not move to the device chosen last ("Could not open
 * Headset; the call stays on Laptop."); `null` once a choice opened, or after the
 * next choice.
 */
device_problem: string | null, };

/**
 * What the device test does.
 */
export type AudioTestKind = "microphone" | "loopback" | "speaker";

/**
 * The device test now.
 */
export type AudioTestState = { 
/**
 * `null`: no test running.
 */
running: AudioTestKind | null, 
/**
 * The microphone's RMS level in dBFS (-96 is silence); `null` without a microphone
 * test.
 */
level_dbfs: number | null, 
/**
 * Its peak level in dBFS.
 */
peak_dbfs: number | null, 
/**
 * Why the last test could not start ("no audio device", a device's error).
 */
error: string | null, };

/**
 * When backups are made by themselves. Also the request of `save_backup_schedule`.
 */
export type BackupSchedule = { enabled: boolean, 
/**
 * Local hour, 0–23.
 */
hour: number, 
/**
 * Scheduled backups kept (the newest); backups made by hand are never removed.
 */
keep: number, 
/**
 * Another folder for backups (a full path), or null for the data folder's `backups`.
 */
folder: string | null, };

/**
 * A backup in the list.
 */
export type BackupSummary = { 
/**
 * Its name, which `restore_backup` takes.
 */
name: string, 
/**
 * Unix seconds.
 */
created_at: number, 
/**
 * Made by the schedule (pruned to the newest `keep`) rather than by hand.
 */
scheduled: boolean, files: number, bytes: number, };

/**
 * Everything the Backups section shows.
 */
export type BackupsResponse = { 
/**
 * Newest first.
 */
backups: Array<BackupSummary>, 
/**
 * Where they are.
 */
folder: string, schedule: BackupSchedule, pending_restore: PendingRestore | null, };

/**
 * One blocked address.
 */
export type Ban = { address: string, 
/**
 * `failed_logins` (ten wrong passwords within ten minutes) or `flood` (far more
 * requests than any phone sends).
 */
reason: string, 
/**
 * How many times it has been blocked; each block lasts twice as long as the last.
 */
strikes: number, 
/**
 * Seconds until the block ends on its own.
 */
remaining_secs: number, };

/**
 * A business name the provider delivers as a number (`sales.acme` → `+44 20 7123 4567`).
 */
export type BusinessName = { id: number, 
/**
 * `sales.acme`
 */
name: string, 
/**
 * As typed; calls match it with spaces, dashes and a leading `00` ignored.
 */
number: string, 
/**
 * Shown on ringing phones as `[Sales] Jane Doe`.
 */
label: string, 
/**
 * The trunk that delivers it; `null`: any trunk.
 */
trunk: number | null, destination: Destination, };

export type CallDirection = "in" | "out";

/**
 * One extension's do-not-disturb and forwarding. Targets are an extension, a ring group
 * or an outside number (digits, optionally starting with `+`), which leaves through the
 * outbound routes when the extension may call out.
 */
export type CallForwarding = { number: string, 
/**
 * Calls are refused as busy (or go to voicemail when the mailbox is on).
 */
dnd: boolean, 
/**
 * Every call goes here instead.
 */
forward_always: string | null, 
/**
 * Calls while the extension is on a call go here.
 */
forward_busy: string | null, 
/**
 * Calls not answered within `no_answer_seconds` go here.
 */
forward_no_answer: string | null, 
/**
 * 5 to 120.
 */
no_answer_seconds: number, };

/**
 * Finished calls, newest first.
 */
export type CallHistoryRequest = { 
/**
 * Only calls this number made, was called on, or answered. Empty means all.
 */
number?: string, outcome?: Outcome, direction?: Direction, 
/**
 * Only calls in or out by the trunk with this name.
 */
trunk?: string, 
/**
 * Only calls to this business name (`sales.acme`).
 */
business_name?: string, 
/**
 * `true`: only calls that found every line busy; `false`: only the others.
 */
lines_busy?: boolean, 
/**
 * 1 to 1000; 100 when absent.
 */
limit?: number, };

export type CallHistoryResponse = { calls: Array<CallRecord>, };

/**
 * What the call history says about a recorded call.
 */
export type CallLink = { 
/**
 * The call record's id.
 */
cdr_id: number, caller_name: string | null, 
/**
 * The business name the caller dialled (`sales.acme`), for calls from a trunk.
 */
business_name: string | null, 
/**
 * How long the call was connected, in seconds.
 */
duration_s: number, };

/**
 * A call's quality figures; each is `null` until a report made it known.
 */
export type CallQuality = { 
/**
 * Share of the far end's packets lost on their way to us (last few seconds), %.
 */
loss_percent: number | null, 
/**
 * Share of our packets the far end reports lost on their way to it, %.
 */
far_loss_percent: number | null, 
/**
 * Interarrival jitter of what we receive, ms.
 */
jitter_ms: number | null, 
/**
 * Round trip to the far end (or the PBX relaying the call), ms.
 */
round_trip_ms: number | null, };

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
reason: string | null, 
/**
 * The business name dialled (`sales.acme`), for calls from a trunk.
 */
business_name: string | null, 
/**
 * The trunk's name, for calls in or out by a trunk.
 */
trunk: string | null, direction: Direction, 
/**
 * Every line of the trunk was busy when the call came in, so it went to the
 * overflow destination: a sign the office needs more lines.
 */
lines_busy: boolean, };

export type CallState = "ringing" | "calling" | "talking" | "held" | "ended";

export type CancelRestoreRequest = Record<symbol, never>;

export type ClickToCallRequest = { 
/**
 * The business name's id.
 */
id: number, };

export type ClickToCallResponse = { 
/**
 * `tel:+442071234567`
 */
tel: string, 
/**
 * `sip:sales.acme@pbx.example.com`
 */
sip: string, 
/**
 * `skype:sales.acme?call`; `null` when the name cannot be a Skype name.
 */
skype: string | null, 
/**
 * The links as an HTML fragment, escaped, ready to paste.
 */
html: string, };

/**
 * Marks the wizard as finished.
 */
export type CompleteSetupRequest = Record<symbol, never>;

/**
 * Someone in a room now.
 */
export type ConferenceParticipant = { 
/**
 * Names the participant while connected, for mute and remove.
 */
id: number, 
/**
 * The room's number.
 */
room: string, 
/**
 * The caller's number and name.
 */
number: string, name: string | null, 
/**
 * The codec the caller's phone talks in (`PCMU`, `G722`, `opus`…).
 */
codec: string, 
/**
 * A muted participant hears the room but is not heard.
 */
muted: boolean, 
/**
 * False while the caller is still typing the PIN.
 */
in_room: boolean, 
/**
 * Unix seconds.
 */
joined_at: number, };

/**
 * A conference room. Its PIN is never shown again once saved.
 */
export type ConferenceRoom = { number: string, name: string, 
/**
 * Whether callers must type the room's PIN (then `#`) to join.
 */
has_pin: boolean, };

export type ConferenceRoomResponse = { room: ConferenceRoom, };

export type ContactSource = "extension" | "history";

export type CreateBackupRequest = Record<symbol, never>;

/**
 * Makes a link for `extension` (revoking its earlier unused one).
 */
export type CreateSetupLinkRequest = { extension: string, };

export type CreateSetupLinkResponse = { 
/**
 * The link to send to the member of staff; shown once.
 */
link: string, 
/**
 * The same link as a QR code (an SVG image) for a phone's camera.
 */
qr_svg: string, 
/**
 * Unix seconds after which the link is refused.
 */
expires_at: number, 
/**
 * The host in the link: the public address, or this PC's LAN address when none is
 * set (then it works inside the office only).
 */
host: string, 
/**
 * Whether `host` is the public address.
 */
public: boolean, };

/**
 * Deletes a recording: its row first (gone from every list at once), then its file.
 */
export type DeleteRecordingRequest = { id: number, };

export type DeleteRecordingResponse = Record<symbol, never>;

/**
 * Deletes a message: its row first (so it is gone from every list at once), then its
 * file. A file already missing is not an error: the message is gone either way.
 */
export type DeleteVoicemailRequest = { id: number, };

export type DeleteVoicemailResponse = Record<symbol, never>;

/**
 * Where a call goes. `conference` can be chosen but is not available yet: a call routed
 * there is answered "Temporarily Unavailable". `voicemail` takes a message when the
 * number's mailbox is turned on, and is answered the same way otherwise.
 */
export type Destination = { "kind": "extension", "target": string } | { "kind": "ring_group", "target": string } | { "kind": "conference", "target": string } | { "kind": "voicemail", "target": string } | { "kind": "hours", "target": number } | { "kind": "hangup" };

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
 * A phone taking calls straight from one other phone, with no PBX between.
 */
export type DirectCalls = { 
/**
 * The UDP port this PC takes calls on (the one the running phone holds).
 */
port: number, 
/**
 * The other phone's `host:port`: the only one whose calls ring.
 */
peer: string, };

/**
 * Which way a call went.
 */
export type Direction = "internal" | "inbound" | "outbound";

/**
 * Switches a mailbox off and forgets its PIN: calls no longer leave messages there. The
 * messages already in it are kept.
 */
export type DisableMailboxRequest = { number: string, };

export type DisableMailboxResponse = { mailbox: Mailbox, };

/**
 * Asks a STUN server for our public address; nothing is saved.
 */
export type DiscoverPublicAddressRequest = { 
/**
 * `host:port`; `None` for the saved or default server.
 */
stun_server: string | null, };

export type DiscoverPublicAddressResponse = { 
/**
 * The IP address the STUN server saw us at.
 */
public_address: string, 
/**
 * The server that answered.
 */
stun_server: string, };

/**
 * How DTMF digits travel on the trunk.
 */
export type DtmfMode = "rfc4733" | "info" | "inband";

/**
 * Renames a room and sets or removes its PIN (the PIN is kept when neither is asked).
 */
export type EditConferenceRoomRequest = { number: string, name: string, 
/**
 * A new PIN (3 to 10 digits); left out or empty keeps the current one.
 */
pin?: string, 
/**
 * Lets anyone join without a PIN.
 */
remove_pin?: boolean, };

/**
 * Renames an extension, and sets whether its calls are always encrypted.
 */
export type EditExtensionRequest = { number: string, name: string, 
/**
 * True: its calls are always encrypted (SRTP; its phones must use TLS unless keys
 * over plain signalling are allowed in Settings). False: as the office rule says.
 * Left out: unchanged.
 */
srtp_required?: boolean, };

export type EditExtensionResponse = { extension: Extension, };

/**
 * Switches a mailbox on, or changes its PIN. The PIN is chosen by the owner (there is no
 * default one) and refused when easy to guess (`1234`, `0000`, the number itself).
 */
export type EnableMailboxRequest = { 
/**
 * The extension's or ring group's number.
 */
number: string, 
/**
 * 4 to 10 digits, asked for when listening by phone.
 */
pin: string, };

export type EnableMailboxResponse = { mailbox: Mailbox, };

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
export type Event = { "type": "registration_changed" } & RegistrationChanged | { "type": "call_ringing", call_id: string, 
/**
 * The caller's number.
 */
caller: string, 
/**
 * The number dialled.
 */
callee: string, 
/**
 * The caller's own display name, without the `[Label] ` the phones show.
 */
caller_name: string | null, 
/**
 * The business name dialled (`sales.acme`), for calls from a trunk.
 */
business_name: string | null, } | { "type": "call_answered", call_id: string, answered_by: string, } | { "type": "call_ended", call_id: string, outcome: Outcome, } | { "type": "extensions_changed", number: string, } | { "type": "trunk_status", state: TrunkState, } | { "type": "dial_plan_changed", what: string, } | { "type": "voicemail_changed", mailbox: string, } | { "type": "conference_changed", room: string, } | { "type": "recordings_changed" } | { "type": "recording_alert", message: string, } | { "type": "phone_changed", } | { "type": "app_mode_changed", phone_only: boolean, } | { "type": "phone_incoming", call: number, name: string | null, number: string, } | { "type": "resync", missed: number, };

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
registered: boolean, 
/**
 * May call out through the trunks (emergency numbers are always allowed).
 */
outbound_allowed: boolean, 
/**
 * Its calls are always encrypted (SRTP); false: as the office rule says (Settings).
 */
srtp_required: boolean, devices: Array<Device>, };

/**
 * One feature code, as the PBX knows it.
 */
export type FeatureCode = { code: string, argument: FeatureCodeArgument, usage: FeatureCodeUsage, description: string, 
/**
 * False: the code is reserved but the PBX does not act on it yet.
 */
available: boolean, };

/**
 * What follows a feature code.
 */
export type FeatureCodeArgument = "none" | "number" | "optional_extension";

/**
 * When a feature code is used.
 */
export type FeatureCodeUsage = "dial" | "in_call";

export type GetAdminAccessRequest = Record<symbol, never>;

export type GetAllowListRequest = Record<symbol, never>;

export type GetAppModeRequest = Record<symbol, never>;

export type GetMailSettingsRequest = Record<symbol, never>;

export type GetMusicOnHoldRequest = Record<symbol, never>;

export type GetMusicOnHoldResponse = { music: MusicOnHold, };

export type GetPhoneRequest = Record<symbol, never>;

/**
 * Reads the recording settings.
 */
export type GetRecordingSettingsRequest = Record<symbol, never>;

export type GetRemoteAccessRequest = Record<symbol, never>;

export type GetSettingsRequest = Record<symbol, never>;

export type GetSetupStateRequest = Record<symbol, never>;

export type GetSrtpSettingsRequest = Record<symbol, never>;

/**
 * Which greeting a mailbox plays.
 */
export type GreetingState = { 
/**
 * The extension's or ring group's number.
 */
number: string, 
/**
 * Whether callers hear the owner's own greeting (else the default "The person you
 * are calling is not available").
 */
custom: boolean, 
/**
 * Where the own greeting is served (`/api/greetings/201`), when there is one.
 */
audio_path: string | null, };

/**
 * Ends a live call for everyone in it.
 */
export type HangUpRequest = { call_id: string, };

export type HangUpResponse = Record<symbol, never>;

/**
 * Who ended a call.
 */
export type HangupBy = "caller" | "callee" | "system";

export type HistoryKind = "in" | "out" | "missed";

/**
 * A closed day, `YYYY-MM-DD` in the schedule's time zone.
 */
export type Holiday = { date: string, name: string, };

/**
 * Adds the provider's list of names at once: one per line, `sales.acme +44 20 7123 4567
 * [Sales]`, or CSV `name,number[,label]` (a header row may come first). Every name goes
 * to `destination` (and `trunk`); each can be changed afterwards.
 *
 * All or nothing: when any line is wrong, nothing is added and the error's `fields` name
 * each wrong line as `text.<line number>` (counting from 1), e.g.
 * `{"text.3": "the number is missing"}`. A number already used (by a saved name or an
 * earlier line) is reported on its line the same way.
 */
export type ImportBusinessNamesRequest = { text: string, 
/**
 * The trunk that delivers these numbers; any trunk when left out.
 */
trunk?: number, destination: Destination, 
/**
 * Only check the list and answer what would be added, without adding it.
 */
check_only?: boolean, };

export type ImportBusinessNamesResponse = { 
/**
 * The names added (id 0 for each when `check_only`).
 */
names: Array<BusinessName>, 
/**
 * `false` when only checked.
 */
imported: boolean, };

/**
 * Lets a blocked address in again at once.
 */
export type LiftBanRequest = { address: string, };

export type LiftBanResponse = Record<symbol, never>;

export type ListBackupsRequest = Record<symbol, never>;

export type ListBansRequest = Record<symbol, never>;

export type ListBansResponse = { bans: Array<Ban>, };

export type ListBusinessNamesRequest = Record<symbol, never>;

export type ListBusinessNamesResponse = { names: Array<BusinessName>, };

/**
 * Every extension's settings, ordered by number (all off for one never changed).
 */
export type ListCallForwardingRequest = Record<symbol, never>;

export type ListCallForwardingResponse = { extensions: Array<CallForwarding>, };

export type ListConferenceRoomsRequest = Record<symbol, never>;

export type ListConferenceRoomsResponse = { rooms: Array<ConferenceRoom>, 
/**
 * Everyone in any room now, by room.
 */
participants: Array<ConferenceParticipant>, };

export type ListExtensionsRequest = Record<symbol, never>;

export type ListExtensionsResponse = { 
/**
 * Ordered by number, shorter numbers first.
 */
extensions: Array<Extension>, };

/**
 * Every feature code, in the PBX's own order.
 */
export type ListFeatureCodesRequest = Record<symbol, never>;

export type ListFeatureCodesResponse = { codes: Array<FeatureCode>, };

/**
 * Every mailbox's greeting, ordered by number.
 */
export type ListGreetingsRequest = Record<symbol, never>;

export type ListGreetingsResponse = { greetings: Array<GreetingState>, };

export type ListLiveCallsRequest = Record<symbol, never>;

export type ListLiveCallsResponse = { 
/**
 * Oldest first.
 */
calls: Array<LiveCall>, };

/**
 * Every extension's mailbox, switched on or not, ordered by number.
 */
export type ListMailboxesRequest = Record<symbol, never>;

export type ListMailboxesResponse = { mailboxes: Array<Mailbox>, };

export type ListOutboundRoutesRequest = Record<symbol, never>;

export type ListOutboundRoutesResponse = { 
/**
 * In priority order: the first route whose pattern matches is used.
 */
routes: Array<OutboundRoute>, 
/**
 * Always allowed out, whatever an extension's permission.
 */
emergency_numbers: Array<string>, 
/**
 * The extensions allowed to call out.
 */
outbound_allowed: Array<string>, 
/**
 * What even an allowed extension may not dial, how many calls at once, and when.
 */
toll_limits: TollLimits, 
/**
 * The saved limits could not be read: every call out but to an emergency number is
 * refused until limits are saved again (`toll_limits` then shows none).
 */
toll_limits_unreadable: boolean, };

/**
 * The recordings, newest first.
 */
export type ListRecordingsRequest = { 
/**
 * At most this many (default and maximum 500).
 */
limit?: number, };

export type ListRecordingsResponse = { recordings: Array<Recording>, };

export type ListRegistrationsRequest = Record<symbol, never>;

export type ListRegistrationsResponse = { registrations: Array<Device>, };

export type ListRingGroupsRequest = Record<symbol, never>;

export type ListRingGroupsResponse = { groups: Array<RingGroup>, };

export type ListSchedulesRequest = Record<symbol, never>;

export type ListSchedulesResponse = { schedules: Array<Schedule>, };

export type ListSetupLinksRequest = Record<symbol, never>;

export type ListSetupLinksResponse = { links: Array<SetupLinkState>, 
/**
 * Whether links can be made (the provisioning listener runs).
 */
available: boolean, };

export type ListTrunksRequest = Record<symbol, never>;

export type ListTrunksResponse = { 
/**
 * In the order they were created.
 */
trunks: Array<TrunkWithState>, };

/**
 * The messages, newest first; of one mailbox, or of all.
 */
export type ListVoicemailRequest = { 
/**
 * Only this mailbox (an extension's or ring group's number); every mailbox when left out.
 */
mailbox?: string, };

export type ListVoicemailResponse = { 
/**
 * Newest first.
 */
messages: Array<VoicemailMessage>, };

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
started_at: number, answered_at: number | null, 
/**
 * The business name dialled (`sales.acme`), for calls from a trunk.
 */
business_name: string | null, 
/**
 * The trunk's name, for calls in or out by a trunk.
 */
trunk: string | null, direction: Direction, };

export type LiveState = "ringing" | "answered";

export type LogLevel = "error" | "warn" | "info" | "debug" | "trace";

/**
 * One voicemail message's e-mail.
 */
export type MailOutboxEntry = { message_id: number, mailbox: string, caller_number: string, caller_name: string | null, 
/**
 * When the message was left, Unix seconds.
 */
received_at: number, address: string, state: MailState, 
/**
 * Attempts made so far.
 */
attempts: number, 
/**
 * When the next attempt is due (Unix seconds), while queued.
 */
next_attempt_at: number | null, 
/**
 * Why the last attempt failed: what happened, then the server's words.
 */
error: string | null, 
/**
 * The server's answer when it took the e-mail.
 */
server_reply: string | null, };

/**
 * How the connection to the mail server is protected.
 */
export type MailSecurity = "starttls" | "tls" | "none";

/**
 * The SMTP settings as the screens see them (without the password).
 */
export type MailSettings = { 
/**
 * Whether voicemail messages are e-mailed.
 */
enabled: boolean, 
/**
 * The mail server's name, like `smtp.example.com`.
 */
host: string, port: number, security: MailSecurity, 
/**
 * Login name; empty when the server takes mail without a login.
 */
username: string, 
/**
 * Whether a password is stored (it is never sent back).
 */
password_set: boolean, 
/**
 * The sender address of the e-mails.
 */
from: string, };

/**
 * The e-mail settings, every mailbox's address and the recent e-mails.
 */
export type MailSettingsResponse = { settings: MailSettings, 
/**
 * Mailboxes that have an address, by number.
 */
mailboxes: Array<MailboxEmail>, 
/**
 * The most recent voicemail e-mails, newest message first.
 */
outbox: Array<MailOutboxEntry>, };

/**
 * How one voicemail e-mail went.
 */
export type MailState = "queued" | "sent" | "failed";

/**
 * The mailbox of an extension or ring group, and how many messages wait in it.
 */
export type Mailbox = { 
/**
 * The extension's or ring group's number; the mailbox has no number of its own.
 */
number: string, 
/**
 * Whether unanswered calls may leave a message here.
 */
enabled: boolean, 
/**
 * Messages nobody has listened to yet (these light the phone's message lamp).
 */
new_count: number, 
/**
 * Messages already heard and kept.
 */
saved_count: number, };

/**
 * Where a mailbox's messages are e-mailed.
 */
export type MailboxEmail = { 
/**
 * The mailbox: an extension's or ring group's number.
 */
mailbox: string, address: string, 
/**
 * Messages are deleted from the mailbox once e-mailed.
 */
delete_after_sending: boolean, };

/**
 * Marks a message heard (or new again, so the phone's lamp lights once more).
 */
export type MarkVoicemailHeardRequest = { id: number, heard: boolean, };

export type MarkVoicemailHeardResponse = { message: VoicemailMessage, };

/**
 * Which music held callers hear.
 */
export type MusicOnHold = { 
/**
 * Whether the owner's own upload plays (else the music that ships with the program).
 */
custom: boolean, 
/**
 * Where the own music is served for the page's player, when there is one.
 */
audio_path: string | null, };

/**
 * Mutes or unmutes a participant: a muted one still hears the room.
 */
export type MuteParticipantRequest = { id: number, muted: boolean, };

/**
 * One opening period: ISO weekday (1 = Monday … 7 = Sunday), local `HH:MM` times.
 */
export type OpenPeriod = { day: number, open: string, close: string, };

/**
 * Sends dialled numbers matching one of `patterns` out through the first of `trunks`
 * with a free line.
 */
export type OutboundRoute = { 
/**
 * Ignored when saving (routes are saved as a whole list); may be left out.
 */
id: number, name: string, 
/**
 * Digits and `+ * #` as they are; `X` any digit, `Z` 1–9, `N` 2–9, `[1-5]` a set;
 * a trailing `.` one or more further characters, `!` zero or more.
 */
patterns: Array<string>, 
/**
 * Leading characters removed from the dialled number.
 */
strip: number, 
/**
 * Then put in front.
 */
prepend: string, 
/**
 * Trunk ids to try in order.
 */
trunks: Array<number>, };

/**
 * How a call ended.
 */
export type Outcome = "answered" | "busy" | "no_answer" | "unavailable" | "not_found" | "cancelled" | "failed";

export type ParticipantResponse = Record<symbol, never>;

/**
 * A restore waiting for the restart.
 */
export type PendingRestore = { backup: string, backup_created_at: number, 
/**
 * Where what it replaces will be kept.
 */
replaced_folder: string, };

/**
 * The saved account, without its password.
 */
export type PhoneAccount = { 
/**
 * `host:port`.
 */
server: string, transport: PhoneTransport, user: string, auth_user: string | null, display_name: string | null, password_set: boolean, 
/**
 * For TLS: the SHA-256 fingerprint the server's certificate must have (`None`: the
 * system's trusted authorities decide).
 */
tls_fingerprint: string | null, 
/**
 * Direct calls with the phone at `server` (no PBX), taken on this UDP port; `null`
 * for an account that registers.
 */
direct_port: number | null, };

/**
 * How the account places and takes calls.
 */
export type PhoneAccountMode = "pbx" | "direct";

export type PhoneAnswerRequest = { call: number, };

/**
 * Starts a device test (stopping any other), or stops it with `test: null`.
 */
export type PhoneAudioTestRequest = { test: AudioTestKind | null, };

/**
 * The device test's state and the microphone's live level.
 */
export type PhoneAudioTestStateRequest = Record<symbol, never>;

export type PhoneCall = { id: number, direction: CallDirection, number: string, name: string | null, state: CallState, held_by_far_end: boolean, muted: boolean, 
/**
 * Unix seconds.
 */
started_at: number, answered_at: number | null, ended_reason: string | null, 
/**
 * The codec the call's audio uses once it started ("opus", "G722", "PCMU", "PCMA").
 */
codec: string | null, 
/**
 * The call's audio is encrypted (SRTP), known once its audio started.
 */
encrypted: boolean, 
/**
 * How a transfer of this call goes ("transferring", "target ringing", "transferred",
 * "transfer failed: 486 Busy Here"); `null` when none was asked.
 */
transfer: string | null, 
/**
 * This call asks someone first before transferring call `consult_for` to them
 * (attended transfer): `phone_complete_transfer { call: consult_for, consult: id }`.
 */
consult_for: number | null, 
/**
 * How the call's audio travels, from RTCP reports (RFC 3550 §6.4) every few seconds.
 */
quality: CallQuality, };

/**
 * Attended transfer, second step: joins the far ends of `call` and `consult`; both
 * calls then leave this phone.
 */
export type PhoneCompleteTransferRequest = { call: number, consult: number, };

/**
 * Attended transfer, first step: `call` goes on hold and `to` is called to ask first.
 * The new call names `call` in its `consult_for`.
 */
export type PhoneConsultRequest = { call: number, to: string, };

export type PhoneContact = { number: string, name: string | null, source: ContactSource, };

export type PhoneContacts = { 
/**
 * Extensions first (by number, without the phone's own), then the history's other
 * numbers, most recent first.
 */
contacts: Array<PhoneContact>, };

export type PhoneContactsRequest = Record<symbol, never>;

/**
 * Refuses a ringing call (the caller hears busy).
 */
export type PhoneDeclineRequest = { call: number, };

export type PhoneDialRequest = { number: string, };

export type PhoneDtmfRequest = { call: number, keys: string, };

export type PhoneHangUpRequest = { call: number, };

export type PhoneHistory = { 
/**
 * Newest first, the latest 100.
 */
calls: Array<PhoneHistoryCall>, };

/**
 * One call of the phone's history.
 */
export type PhoneHistoryCall = { id: number, kind: HistoryKind, number: string, name: string | null, 
/**
 * Unix seconds.
 */
started_at: number, 
/**
 * Seconds talked; 0 when not answered.
 */
duration_s: number, 
/**
 * A missed call not looked at yet.
 */
unseen: boolean, };

export type PhoneHistoryRequest = Record<symbol, never>;

export type PhoneHoldRequest = { call: number, on: boolean, };

/**
 * The person has looked at the missed calls: `missed` goes back to 0.
 */
export type PhoneMarkMissedSeenRequest = Record<symbol, never>;

/**
 * A muted call sends silence instead of the microphone.
 */
export type PhoneMuteRequest = { call: number, on: boolean, };

/**
 * Sets this app's phone up from a link made by the office's PBX.
 */
export type PhoneProvisionRequest = { link: string, };

/**
 * Do not disturb: while on, calls to this phone get busy and are listed as missed.
 */
export type PhoneSetDndRequest = { on: boolean, };

/**
 * Changes the settings given (omitted ones stay), saves them and puts them in force: the
 * switches at once (calls under way included), the ringing at once too (a call ringing
 * moves to where it now rings).
 */
export type PhoneSetSoundRequest = { echo_cancellation?: boolean, noise_suppression?: boolean, auto_gain?: boolean, ring?: RingChoice, 
/**
 * Required with `ring: "device"`: one of the phone's outputs.
 */
ring_device?: string, };

/**
 * Sets whether calls encrypt their audio: saved, and in force from the next call without
 * signing in again. `srtp` is `auto`, `off` or `required`; `required` needs the account
 * on TLS, since the keys travel inside the signalling.
 */
export type PhoneSetSrtpRequest = { 
/**
 * Taken as text so a wrong value is refused next to the field, not as bad JSON.
 */
srtp: string, };

/**
 * The sound settings in force.
 */
export type PhoneSound = { echo_cancellation: boolean, noise_suppression: boolean, auto_gain: boolean, ring: RingChoice, 
/**
 * With `ring: "device"`, the output calls ring on (the speaker when it is unplugged).
 */
ring_device: string | null, };

export type PhoneSoundRequest = Record<symbol, never>;

/**
 * Whether the phone's calls encrypt their audio (SRTP, keys in the SDP).
 */
export type PhoneSrtpMode = "auto" | "off" | "required";

/**
 * Everything the phone screen shows.
 */
export type PhoneState = { 
/**
 * `null`: not set up yet.
 */
account: PhoneAccount | null, registration: Registration, audio: AudioState, calls: Array<PhoneCall>, 
/**
 * Do not disturb: calls get busy and are listed as missed.
 */
dnd: boolean, 
/**
 * Missed calls not looked at yet (`phone_mark_missed_seen` clears it).
 */
missed: number, 
/**
 * Whether calls encrypt their audio (`phone_set_srtp` changes it).
 */
srtp: PhoneSrtpMode, 
/**
 * Set while the phone takes direct calls (an account with `direct_port`) and runs:
 * where it listens and for whom. `null` otherwise (see `registration`).
 */
direct: DirectCalls | null, };

/**
 * Blind transfer: the far end of `call` is sent to `to`; the call ends once `to`
 * answers, and stays if it does not (its `transfer` says why).
 */
export type PhoneTransferRequest = { call: number, to: string, };

export type PhoneTransport = "udp" | "tcp" | "tls";

/**
 * One finished recording: a stereo WAV, the caller on the left, the callee on the right.
 */
export type Recording = { id: number, 
/**
 * The call's Call-ID: the call history entry with the same Call-ID is this call.
 */
call_id: string, 
/**
 * The caller's number (left channel).
 */
caller: string, 
/**
 * Who answered, else the number dialled (right channel).
 */
callee: string, 
/**
 * When recording started, Unix seconds.
 */
started_at: number, duration_ms: number, trigger: RecordingTrigger, 
/**
 * The extension, ring group number or business name that records every call; none
 * for a recording made on demand.
 */
trigger_name: string | null, size_bytes: number, 
/**
 * Where the WAV is served, relative to the API's address; add `?download` to save it.
 */
audio_path: string, 
/**
 * The call's record in the call history, once written.
 */
call: CallLink | null, };

/**
 * A recording that failed (disk full, write error) or was refused for lack of space.
 */
export type RecordingProblem = { message: string, 
/**
 * Unix seconds.
 */
at: number, };

/**
 * The recording settings and always-on flags.
 */
export type RecordingSettings = { 
/**
 * Recordings older than this are deleted once a day; 0 keeps them forever.
 */
retention_days: number, 
/**
 * New recordings are refused (with an alert) while the data folder's disk has less
 * free space than this, in megabytes.
 */
min_free_mb: number, always: AlwaysRecord, 
/**
 * Free space on the data folder's disk now, in megabytes (unknown on some systems).
 */
free_mb: number | null, 
/**
 * The latest recording that failed or was refused, and why.
 */
last_alert: RecordingProblem | null, };

/**
 * Why a call was recorded.
 */
export type RecordingTrigger = "on_demand" | "extension" | "ring_group" | "business_name";

export type RegState = "off" | "registering" | "registered" | "failed";

export type Registration = { state: RegState, 
/**
 * Why it failed (the server's answer), when it did.
 */
reason: string | null, };

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
 * The public address settings; also the request of `save_remote_access`.
 */
export type RemoteAccess = { 
/**
 * Host name or IP address of the office's router as seen from the internet; `None`
 * (or empty) when staff only call from inside the office.
 */
public_address: string | null, 
/**
 * `host:port` of the STUN server "Discover" asks; `None` (or empty) for the default.
 */
stun_server: string | null, };

/**
 * The settings and what they mean now.
 */
export type RemoteAccessResponse = { settings: RemoteAccess, 
/**
 * The IP advertised to phones outside the LAN (the public address resolved), or
 * `None` when none is set or it does not resolve.
 */
advertised_ip: string | null, 
/**
 * The STUN server used when none is set.
 */
default_stun_server: string, };

export type RemoveBusinessNameRequest = { id: number, };

export type RemoveBusinessNameResponse = Record<symbol, never>;

/**
 * Removes a room; refused while a business name or another destination leads to it.
 */
export type RemoveConferenceRoomRequest = { number: string, };

export type RemoveConferenceRoomResponse = Record<symbol, never>;

/**
 * Deletes an extension; its phones can no longer register or call.
 */
export type RemoveExtensionRequest = { number: string, };

export type RemoveExtensionResponse = Record<symbol, never>;

/**
 * Removes the owner's own greeting: callers hear the default one again.
 */
export type RemoveGreetingRequest = { number: string, };

export type RemoveGreetingResponse = { greeting: GreetingState, };

/**
 * Removes the owner's music: held callers hear the bundled piece from the next hold on.
 */
export type RemoveMusicOnHoldRequest = Record<symbol, never>;

export type RemoveMusicOnHoldResponse = { music: MusicOnHold, };

/**
 * Ends a participant's call.
 */
export type RemoveParticipantRequest = { id: number, };

export type RemovePhoneAccountRequest = Record<symbol, never>;

export type RemoveRingGroupRequest = { number: string, };

export type RemoveRingGroupResponse = Record<symbol, never>;

/**
 * Removes a schedule; refused while a destination still uses it.
 */
export type RemoveScheduleRequest = { id: number, };

export type RemoveScheduleResponse = Record<symbol, never>;

/**
 * Takes a staff member's web password away; they are logged out everywhere.
 */
export type RemoveStaffPasswordRequest = { number: string, };

/**
 * Goes back to the PBX's generated certificate (from the next start).
 */
export type RemoveTlsCertificateRequest = Record<symbol, never>;

/**
 * Removes a trunk; refused while a business name, a route or a destination still uses it.
 */
export type RemoveTrunkRequest = { id: number, };

export type RemoveTrunkResponse = Record<symbol, never>;

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
 * Checks the backup and stages it to replace the database and audio files at the next
 * start.
 */
export type RestoreBackupRequest = { name: string, };

export type RevokeSetupLinkRequest = { extension: string, };

export type RevokeSetupLinkResponse = { 
/**
 * Whether there was a waiting link to revoke.
 */
revoked: boolean, };

/**
 * Where incoming calls ring.
 */
export type RingChoice = "speaker" | "device" | "none";

export type RingGroup = { 
/**
 * Dialable from the office's phones, like an extension.
 */
number: string, name: string, strategy: RingStrategy, members: Array<RingMember>, 
/**
 * Where the call goes when nobody answers; `null`: the caller hears "unavailable".
 */
final_destination: Destination | null, };

/**
 * An extension or another ring group's number, and how long it rings.
 */
export type RingMember = { number: string, ring_seconds: number, };

export type RingStrategy = "all" | "in_order";

export type SaveBusinessNameResponse = { 
/**
 * As saved, with its id and label.
 */
name: BusinessName, };

/**
 * Saves one extension's settings whole; in force for the next call.
 */
export type SaveCallForwardingRequest = { forwarding: CallForwarding, };

export type SaveCallForwardingResponse = { forwarding: CallForwarding, };

/**
 * The SMTP settings to save (or to send a test e-mail with).
 */
export type SaveMailSettingsRequest = { enabled: boolean, host: string, port: number, security: MailSecurity, username: string, 
/**
 * A new password; left out (or null) keeps the stored one, `""` removes it.
 */
password?: string, from: string, };

/**
 * Replaces every outbound route with `routes`, in this order, and the emergency numbers
 * and toll limits when given. Problems are named by position: `routes.1.patterns.0`,
 * `emergency_numbers.0`.
 */
export type SaveOutboundRoutesRequest = { routes: Array<OutboundRoute>, 
/**
 * Numbers every extension may always call (`112`, `999`); kept as they are when left
 * out. At least one.
 */
emergency_numbers?: Array<string>, 
/**
 * The limits on calls out; kept as they are when left out. Problems are named
 * `toll_limits.allowed_destinations.0`, `toll_limits.after_hours_schedule`.
 */
toll_limits?: TollLimits, };

export type SaveOutboundRoutesResponse = { 
/**
 * As saved, with their ids.
 */
routes: Array<OutboundRoute>, emergency_numbers: Array<string>, toll_limits: TollLimits, };

/**
 * Saves the account and restarts the phone with it.
 */
export type SavePhoneAccountRequest = { 
/**
 * Omitted: `pbx`.
 */
mode?: PhoneAccountMode, 
/**
 * The PBX's `host:port`; for `direct`, the other phone's.
 */
server: string, 
/**
 * Ignored for `direct` (UDP).
 */
transport: PhoneTransport, 
/**
 * Ignored for `direct`.
 */
user: string, auth_user?: string, display_name?: string, 
/**
 * Omitted: keep the saved one.
 */
password?: string, 
/**
 * With TLS: pin the server's certificate to this SHA-256 fingerprint (the office
 * PBX's Settings page shows it). Omitted or blank: the system's trusted authorities.
 */
tls_fingerprint?: string, 
/**
 * For `direct`: the UDP port this PC takes calls on (1–65535, free).
 */
direct_port?: number, };

/**
 * Saves the retention and free-space settings (applied from the next check: the daily
 * clean-up and the next recording).
 */
export type SaveRecordingSettingsRequest = { retention_days: number, min_free_mb: number, };

/**
 * Adds a ring group, or replaces the one numbered `previous_number` (which may differ
 * from `number`: the group is renumbered and everything that rang it follows).
 */
export type SaveRingGroupRequest = { 
/**
 * The group's number before this change; left out for a new group.
 */
previous_number?: string, number: string, name: string, strategy: RingStrategy, members: Array<RingMember>, final_destination: Destination | null, };

export type SaveRingGroupResponse = { group: RingGroup, };

export type SaveScheduleResponse = { 
/**
 * As saved, with its id.
 */
schedule: Schedule, };

export type SaveTrunkResponse = { 
/**
 * As saved, with its id (and a generated contact user when it had none).
 */
trunk: Trunk, };

/**
 * Business hours: a weekly schedule plus holidays in a time zone, choosing between two
 * destinations.
 */
export type Schedule = { id: number, name: string, 
/**
 * IANA name (`Europe/London`).
 */
time_zone: string, periods: Array<OpenPeriod>, holidays: Array<Holiday>, open: Destination, closed: Destination, };

/**
 * Sends a test e-mail to `to` with the settings given (saved or not yet saved; without a
 * password the stored one is used) and answers with what the server said.
 */
export type SendTestEmailRequest = { to: string, settings: SaveMailSettingsRequest, };

/**
 * The outcome in words, and the server's answer.
 */
export type SendTestEmailResponse = { 
/**
 * Whether the server took the e-mail.
 */
sent: boolean, 
/**
 * What happened, for a person.
 */
message: string, 
/**
 * The server's answer ("250 2.0.0 Ok: queued as 4F2A") or the error as it came.
 */
server_reply: string, };

/**
 * Replaces the owner's list. A bad entry is refused on `entries.<index>` and nothing is
 * saved; an address that is blocked now and covered by the new list is let in at once.
 */
export type SetAllowListRequest = { entries: Array<string>, };

/**
 * Turns always-on recording on or off for an extension (by number), a ring group (by
 * number) or a business name (by name). Calls answered from then on follow it.
 */
export type SetAlwaysRecordRequest = { kind: AlwaysRecordKind, 
/**
 * The extension or ring group number, or the business name.
 */
key: string, on: boolean, };

/**
 * Stores the choice. The desktop app follows [`Event::AppModeChanged`] and switches at
 * once; `switchboard serve` applies it at its next start.
 */
export type SetAppModeRequest = { phone_only: boolean, };

/**
 * Chooses the microphone and speaker; `null` is the system's default. A call under way
 * moves to them at once, as does a call ringing on the speaker. Saved, so they are chosen
 * again at the next start.
 */
export type SetAudioDevicesRequest = { input: string | null, output: string | null, };

/**
 * Sets the address a mailbox's messages are e-mailed to; an empty address stops e-mailing
 * them.
 */
export type SetMailboxEmailRequest = { 
/**
 * The extension's or ring group's number.
 */
mailbox: string, address: string, 
/**
 * Delete each message from the mailbox once it has been e-mailed.
 */
delete_after_sending: boolean, };

/**
 * Lets an extension call out through the trunks, or stops it.
 */
export type SetOutboundPermissionRequest = { number: string, allowed: boolean, };

export type SetOutboundPermissionResponse = { number: string, allowed: boolean, };

/**
 * Sets the owner's user name and password (replacing any earlier one, which logs the
 * owner out on every other computer).
 */
export type SetOwnerLoginRequest = { 
/**
 * Letters, digits, `.`, `_` or `-`; not only digits (those are staff extensions).
 */
username: string, 
/**
 * At least 10 characters, not easy to guess.
 */
password: string, };

/**
 * Gives the staff member at extension `number` a new web password (logging them out
 * everywhere). The password is generated and shown only in this answer.
 */
export type SetStaffPasswordRequest = { number: string, };

export type SetStaffPasswordResponse = { 
/**
 * The user name to log in with: the extension number.
 */
username: string, 
/**
 * Shown once; only its hash is kept.
 */
password: string, };

/**
 * Installs the owner's certificate and key (PEM) for SIP over TLS in place of the
 * generated one. Checked first (the key must fit the certificate); used from the next
 * start.
 */
export type SetTlsCertificateRequest = { 
/**
 * The certificate, then any intermediate certificates, in PEM.
 */
certificate_pem: string, 
/**
 * Its private key in PEM (PKCS#8, PKCS#1 or SEC1).
 */
key_pem: string, };

/**
 * The settings the owner can change. Also the request of `save_settings`, which saves all
 * of them or, when any field is refused, none.
 */
export type Settings = { 
/**
 * Addresses to take SIP on, like `0.0.0.0:5060` (every IPv4 interface) or
 * `[::]:5060`. Each is served over UDP and TCP; one written `tls:0.0.0.0:5061` is
 * served over SIP over TLS instead.
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
 * Where the admin pages and this API are served. Beyond this computer (127.0.0.1 or
 * ::1) only once an owner login is set; other computers must then log in.
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
 * SHA-256 fingerprint (`AB:CD:…`) of the certificate SIP over TLS presents, for
 * phones to pin; `None` when TLS is off or the certificate cannot be read.
 */
tls_fingerprint: string | null, 
/**
 * The owner's own certificate is installed (else the PBX's generated one is used).
 */
tls_own_certificate: boolean, 
/**
 * Saved settings the running program does not use yet, by field name; they apply
 * when Switchboard is restarted.
 */
restart_required: Array<string>, };

/**
 * The latest link of an extension.
 */
export type SetupLinkState = { extension: string, created_at: number, expires_at: number, state: SetupLinkStatus, };

export type SetupLinkStatus = "waiting" | "used" | "revoked" | "expired";

/**
 * Where the office's setup stands.
 */
export type SetupState = { 
/**
 * The wizard was finished once; the UI offers it on start until then.
 */
complete: boolean, trunks: number, business_names: number, extensions: number, ring_groups: number, schedules: number, };

/**
 * Which phones must offer SRTP; a phone that must and does not is refused with 488.
 */
export type SrtpRequired = "off" | "remote" | "all";

/**
 * The SRTP rules; also the request of `save_srtp_settings`.
 */
export type SrtpSettings = { required: SrtpRequired, 
/**
 * Keys accepted from phones signalling over UDP or TCP, where anyone on the path can
 * read them (RFC 4568 §8.3); false takes them over TLS only.
 */
keys_over_plain_signalling: boolean, };

/**
 * Starts recording an answered live call. Asking again while it records changes nothing
 * and answers the same path.
 */
export type StartRecordingRequest = { call_id: string, };

export type StartRecordingResponse = { 
/**
 * Where the WAV will be once the recording stops (absolute).
 */
path: string, };

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
version: string, 
/**
 * Each trunk's status and lines in use ("2 of 3 lines busy"); empty while the PBX is
 * not running.
 */
trunks: Array<TrunkState>, };

/**
 * Stops a call's recording; answers once the file is complete and in place.
 */
export type StopRecordingRequest = { call_id: string, };

export type StopRecordingResponse = { 
/**
 * The finished WAV (absolute).
 */
path: string, };

/**
 * Toll-fraud limits on calls out (emergency numbers pass them all).
 */
export type TollLimits = { 
/**
 * Dial patterns a number must match to leave (`+44.`, `0[1-9].`); every other number
 * is refused. Empty: any number a route takes.
 */
allowed_destinations: Array<string>, 
/**
 * Calls out at once across the office; 0 for no limit.
 */
max_outbound_calls: number, 
/**
 * Calls out at once from one extension; 0 for no limit.
 */
max_outbound_per_extension: number, 
/**
 * The id of a business-hours schedule: while it is closed, calls out are refused.
 */
after_hours_schedule: number | null, };

export type Transport = "udp" | "tcp" | "tls";

/**
 * A SIP trunk to a provider, as saved.
 */
export type Trunk = { id: number, name: string, enabled: boolean, 
/**
 * The provider's SIP host name or IP address.
 */
host: string, 
/**
 * 5060 when `null`.
 */
port: number | null, transport: TrunkTransport, 
/**
 * `host[:port]` every request goes through instead of `host`.
 */
outbound_proxy: string | null, auth: TrunkAuth, 
/**
 * Calls the trunk carries at once, in and out together.
 */
channels: number, 
/**
 * Codec names in preference order (`PCMU`, `PCMA`).
 */
codecs: Array<string>, dtmf: DtmfMode, 
/**
 * The From user the provider requires on outbound calls (often the account number).
 */
from_user: string | null, 
/**
 * The number shown to people called from the office.
 */
caller_id: string | null, 
/**
 * Whether this trunk's P-Asserted-Identity names the caller.
 */
trust_pai: boolean, 
/**
 * Where a call goes when every line is busy; `null`: the voicemail of whoever the
 * call was for when their mailbox is on, else the caller hears busy.
 */
overflow: Destination | null, 
/**
 * Where a call for a number that is no business name goes.
 */
default_destination: Destination, };

/**
 * How the PBX signs in to the provider, and how it recognises the provider's calls.
 */
export type TrunkAuth = { "mode": "registration", username: string, 
/**
 * Never sent back by the API (always `null` in answers). When saving, leave it
 * out (or `null`) to keep the saved password.
 */
password?: string | null, 
/**
 * Digest user name when the provider wants one different from `username`.
 */
auth_username?: string | null, 
/**
 * The user part of the contact the provider sends calls to. Generated (and kept)
 * when left out.
 */
contact_user?: string | null, 
/**
 * Registration lifetime asked for, in seconds; 3600 when left out.
 */
expires?: number | null, } | { "mode": "ip", allowed: Array<string>, };

/**
 * A trunk's live state: the status line and "2 of 3 lines busy".
 */
export type TrunkState = { id: number, name: string, status: TrunkStatus, lines_in_use: number, channels: number, };

/**
 * What a trunk is doing, for the owner.
 */
export type TrunkStatus = { "state": "disabled" } | { "state": "ip" } | { "state": "resolving" } | { "state": "registering" } | { "state": "registered", expires_in: number, } | { "state": "failing", reason: string, retry_in: number, } | { "state": "rejected", reason: string, };

export type TrunkTransport = "udp" | "tcp";

/**
 * A trunk's saved configuration and what it is doing now.
 */
export type TrunkWithState = { trunk: Trunk, 
/**
 * `null` while the PBX is not running, or for a moment after the trunk was saved.
 */
state: TrunkState | null, };

/**
 * Why a phone is no longer registered.
 */
export type UnregisteredBecause = "unregistered" | "expired" | "removed";

/**
 * One message left in a mailbox.
 */
export type VoicemailMessage = { id: number, 
/**
 * The mailbox (extension or ring group number) it was left in.
 */
mailbox: string, 
/**
 * The caller's number as the PBX saw it (`anonymous` when withheld).
 */
caller_number: string, 
/**
 * The caller's name, when the call said.
 */
caller_name: string | null, 
/**
 * The business name the caller dialled (`sales.acme`), for calls from a trunk.
 */
business_name: string | null, 
/**
 * Unix seconds.
 */
received_at: number, 
/**
 * How long the recording lasts, in milliseconds.
 */
duration_ms: number, 
/**
 * Whether someone has listened to it (or marked it so).
 */
heard: boolean, 
/**
 * Where its WAV audio is served, relative to the API's address
 * (`/api/voicemail/7/audio`); add `?download` to save it as a file.
 */
audio_path: string, };

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
