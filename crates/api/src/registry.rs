//! The list of commands, declared once. HTTP, the WebSocket and the TypeScript export all
//! go through it, so a command added here exists everywhere at once.

use serde_json::Value;

use crate::auth::commands as admin_access;
use crate::command::{Command, Ctx};
use crate::commands::allow_list;
use crate::commands::app_mode;
use crate::commands::backup;
use crate::commands::bans;
use crate::commands::conference;
use crate::commands::mail;
use crate::commands::phone;
use crate::commands::phone_audio;
use crate::commands::phone_features;
use crate::commands::phone_sound;
use crate::commands::srtp;
use crate::commands::{
    calls, click_to_call, extensions, names, outbound, ring_groups, schedules, settings, setup,
    status, trunks, voicemail,
};
use crate::commands::{forwarding, music_on_hold};
use crate::commands::{greetings, recording, recordings};
use crate::commands::{provision_address, provision_links};
use crate::decode::decode;
use crate::plan;
use crate::typescript::TypeScript;
use crate::ApiError;

macro_rules! commands {
    ($($cmd:ty),* $(,)?) => {
        /// Runs the command called `name` with a JSON request and answers in JSON.
        pub(crate) async fn dispatch(ctx: &Ctx, name: &str, request: Value) -> Result<Value, ApiError> {
            if ctx.phone_only && !app_mode::runs_without_the_pbx(name) {
                return Err(ApiError::PhoneOnly);
            }
            $(
                if name == <$cmd as Command>::NAME {
                    return run::<$cmd>(ctx, request).await;
                }
            )*
            Err(ApiError::UnknownCommand(name.to_owned()))
        }

        /// Every command's name, in declaration order.
        pub const COMMAND_NAMES: &[&str] = &[$(<$cmd as Command>::NAME),*];

        pub(crate) fn declare_typescript(ts: &mut TypeScript) {
            $( ts.command::<$cmd>(); )*
        }
    };
}

commands![
    status::StatusRequest,
    bans::ListBansRequest,
    bans::LiftBanRequest,
    allow_list::GetAllowListRequest,
    allow_list::SetAllowListRequest,
    extensions::ListExtensionsRequest,
    extensions::AddExtensionRequest,
    extensions::EditExtensionRequest,
    extensions::RemoveExtensionRequest,
    extensions::ResetPasswordRequest,
    forwarding::ListCallForwardingRequest,
    forwarding::SaveCallForwardingRequest,
    forwarding::ListFeatureCodesRequest,
    music_on_hold::GetMusicOnHoldRequest,
    music_on_hold::RemoveMusicOnHoldRequest,
    calls::ListRegistrationsRequest,
    calls::ListLiveCallsRequest,
    calls::HangUpRequest,
    calls::CallHistoryRequest,
    recording::StartRecordingRequest,
    recording::StopRecordingRequest,
    recordings::ListRecordingsRequest,
    recordings::DeleteRecordingRequest,
    recordings::GetRecordingSettingsRequest,
    recordings::SaveRecordingSettingsRequest,
    recordings::SetAlwaysRecordRequest,
    settings::GetSettingsRequest,
    settings::Settings,
    settings::SetTlsCertificateRequest,
    settings::RemoveTlsCertificateRequest,
    backup::ListBackupsRequest,
    backup::CreateBackupRequest,
    backup::BackupSchedule,
    backup::RestoreBackupRequest,
    backup::CancelRestoreRequest,
    provision_address::GetRemoteAccessRequest,
    provision_address::RemoteAccess,
    provision_address::DiscoverPublicAddressRequest,
    srtp::GetSrtpSettingsRequest,
    srtp::SrtpSettings,
    provision_links::CreateSetupLinkRequest,
    provision_links::ListSetupLinksRequest,
    provision_links::RevokeSetupLinkRequest,
    provision_links::PhoneProvisionRequest,
    trunks::ListTrunksRequest,
    plan::Trunk,
    trunks::RemoveTrunkRequest,
    names::ListBusinessNamesRequest,
    plan::BusinessName,
    names::RemoveBusinessNameRequest,
    names::ImportBusinessNamesRequest,
    click_to_call::ClickToCallRequest,
    ring_groups::ListRingGroupsRequest,
    ring_groups::SaveRingGroupRequest,
    ring_groups::RemoveRingGroupRequest,
    schedules::ListSchedulesRequest,
    plan::Schedule,
    schedules::RemoveScheduleRequest,
    outbound::ListOutboundRoutesRequest,
    outbound::SaveOutboundRoutesRequest,
    outbound::SetOutboundPermissionRequest,
    setup::GetSetupStateRequest,
    setup::CompleteSetupRequest,
    voicemail::ListVoicemailRequest,
    voicemail::MarkVoicemailHeardRequest,
    voicemail::DeleteVoicemailRequest,
    voicemail::ListMailboxesRequest,
    voicemail::EnableMailboxRequest,
    voicemail::DisableMailboxRequest,
    conference::ListConferenceRoomsRequest,
    conference::AddConferenceRoomRequest,
    conference::EditConferenceRoomRequest,
    conference::RemoveConferenceRoomRequest,
    conference::MuteParticipantRequest,
    conference::RemoveParticipantRequest,
    mail::GetMailSettingsRequest,
    mail::SaveMailSettingsRequest,
    mail::SetMailboxEmailRequest,
    mail::SendTestEmailRequest,
    greetings::ListGreetingsRequest,
    greetings::RemoveGreetingRequest,
    phone::GetPhoneRequest,
    phone::SavePhoneAccountRequest,
    phone::RemovePhoneAccountRequest,
    phone::SetAudioDevicesRequest,
    phone::PhoneDialRequest,
    phone::PhoneAnswerRequest,
    phone::PhoneDeclineRequest,
    phone::PhoneHangUpRequest,
    phone::PhoneHoldRequest,
    phone::PhoneMuteRequest,
    phone::PhoneDtmfRequest,
    phone_audio::PhoneAudioTestRequest,
    phone_audio::PhoneAudioTestStateRequest,
    phone_sound::PhoneSoundRequest,
    phone_sound::PhoneSetSoundRequest,
    phone_sound::PhoneSetSrtpRequest,
    phone_features::PhoneTransferRequest,
    phone_features::PhoneConsultRequest,
    phone_features::PhoneCompleteTransferRequest,
    phone_features::PhoneSetDndRequest,
    phone_features::PhoneMarkMissedSeenRequest,
    phone_features::PhoneHistoryRequest,
    phone_features::PhoneContactsRequest,
    app_mode::GetAppModeRequest,
    app_mode::SetAppModeRequest,
    admin_access::GetAdminAccessRequest,
    admin_access::SetOwnerLoginRequest,
    admin_access::SetStaffPasswordRequest,
    admin_access::RemoveStaffPasswordRequest,
];

async fn run<C: Command>(ctx: &Ctx, request: Value) -> Result<Value, ApiError> {
    let request: C = decode(request)?;
    let response = request.run(ctx).await?;
    serde_json::to_value(response).map_err(|e| ApiError::Internal(e.to_string()))
}
