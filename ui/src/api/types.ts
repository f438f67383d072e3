// Provisional API types, written by hand from the API contract until the file generated
// from the Rust types replaces this one. Keep the shapes plain (ts-rs style).

export type Transport = "udp" | "tcp";

export type Outcome =
  | "answered"
  | "busy"
  | "no_answer"
  | "unavailable"
  | "not_found"
  | "cancelled"
  | "failed";

export type HangupBy = "caller" | "callee" | "system";

export type LiveState = "ringing" | "answered";

/** A phone registered to an extension. */
export type Device = {
  contact: string;
  transport: Transport;
  /** Where its packets come from, "ip:port". */
  source: string;
  user_agent: string | null;
  /** Seconds until it lapses unless the phone refreshes it. */
  expires_in: number;
};

export type Extension = {
  number: string;
  name: string;
  devices: Array<Device>;
};

export type Registration = {
  extension: string;
  contact: string;
  transport: Transport;
  source: string;
  user_agent: string | null;
  expires_in: number;
};

export type LiveCall = {
  call_id: string;
  caller_number: string;
  caller_name: string | null;
  callee: string;
  answered_by: string | null;
  state: LiveState;
  /** Unix seconds. */
  started_at: number;
  answered_at: number | null;
};

export type CallRecord = {
  id: number;
  call_id: string;
  caller_number: string;
  caller_name: string | null;
  callee: string;
  answered_by: string | null;
  started_at: number;
  answered_at: number | null;
  ended_at: number;
  duration_s: number;
  outcome: Outcome;
  hangup_by: HangupBy;
  reason: string | null;
};

export type LogLevel = "error" | "warn" | "info" | "debug" | "trace";

export type Settings = {
  /** Addresses the PBX listens on for SIP, "ip:port". */
  sip_listen: Array<string>;
  sip_udp: boolean;
  sip_tcp: boolean;
  rtp_port_min: number;
  rtp_port_max: number;
  log_level: LogLevel;
  /** Read-only: where the database and audio live. */
  data_dir: string;
  /** Address the admin UI and API listen on. */
  http_bind: string;
};

export type StatusRequest = Record<string, never>;
export type StatusResponse = {
  running: boolean;
  registered_phones: number;
  live_calls: number;
  /** SIP addresses phones register to. */
  sip_addrs: Array<string>;
  version: string;
};

export type ListExtensionsRequest = Record<string, never>;
export type ListExtensionsResponse = { extensions: Array<Extension> };

export type AddExtensionRequest = { number: string; name: string };
export type AddExtensionResponse = { extension: Extension; password: string };

export type EditExtensionRequest = { number: string; name: string };
export type EditExtensionResponse = { extension: Extension };

export type RemoveExtensionRequest = { number: string };
export type RemoveExtensionResponse = Record<string, never>;

export type ResetPasswordRequest = { number: string };
export type ResetPasswordResponse = { password: string };

export type ListRegistrationsRequest = Record<string, never>;
export type ListRegistrationsResponse = { registrations: Array<Registration> };

export type ListLiveCallsRequest = Record<string, never>;
export type ListLiveCallsResponse = { calls: Array<LiveCall> };

export type HangUpRequest = { call_id: string };
export type HangUpResponse = { hung_up: boolean };

export type CallHistoryRequest = {
  number: string | null;
  outcome: Outcome | null;
  limit: number | null;
};
export type CallHistoryResponse = { calls: Array<CallRecord> };

export type GetSettingsRequest = Record<string, never>;
export type GetSettingsResponse = {
  settings: Settings;
  /** Fields whose change applies only after Switchboard restarts. */
  restart_required: Array<string>;
};

export type SaveSettingsRequest = { settings: Settings };
export type SaveSettingsResponse = {
  settings: Settings;
  /** The changed fields that apply only after a restart. */
  restart_needed: Array<string>;
};

/** Pushed over the WebSocket as `{"event": Event}`. */
export type Event =
  | {
      type: "registered";
      extension: string;
      contact: string;
      source: string;
      transport: Transport;
      user_agent: string | null;
    }
  | { type: "unregistered"; extension: string; contact: string; reason: string }
  | { type: "call_ringing"; call_id: string; caller: string; callee: string }
  | { type: "call_answered"; call_id: string; answered_by: string }
  | { type: "call_ended"; call_id: string; outcome: Outcome };

export type ApiErrorBody = {
  message: string;
  fields?: Record<string, string>;
};
