// Which request and response type each API command has. The names are the router's
// (snake_case); the types come from the file generated from the Rust types.

import type * as T from "./types";

export interface Commands {
  status: [T.StatusRequest, T.StatusResponse];
  list_extensions: [T.ListExtensionsRequest, T.ListExtensionsResponse];
  add_extension: [T.AddExtensionRequest, T.AddExtensionResponse];
  edit_extension: [T.EditExtensionRequest, T.EditExtensionResponse];
  remove_extension: [T.RemoveExtensionRequest, T.RemoveExtensionResponse];
  reset_password: [T.ResetPasswordRequest, T.ResetPasswordResponse];
  list_registrations: [T.ListRegistrationsRequest, T.ListRegistrationsResponse];
  list_live_calls: [T.ListLiveCallsRequest, T.ListLiveCallsResponse];
  hang_up: [T.HangUpRequest, T.HangUpResponse];
  call_history: [T.CallHistoryRequest, T.CallHistoryResponse];
  get_settings: [T.GetSettingsRequest, T.GetSettingsResponse];
  save_settings: [T.SaveSettingsRequest, T.SaveSettingsResponse];
}

export type CommandName = keyof Commands;
export type RequestOf<C extends CommandName> = Commands[C][0];
export type ResponseOf<C extends CommandName> = Commands[C][1];
