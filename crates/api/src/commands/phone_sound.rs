//! The Phone page's sound settings: the microphone's voice processing switches (echo
//! cancellation, noise suppression, automatic gain) and where incoming calls ring. Saved
//! in the database, in force from the app's start, and a switch changed during a call
//! applies to that call from its next 20 ms frame. Whether calls encrypt their audio is
//! kept alongside (it is not part of the account, so it applies without signing in
//! again).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use phone::dsp::DspSettings;
use store::{PhoneSrtp, RingOn};

use crate::command::{Command, Ctx};
use crate::commands::phone::{state, PhoneState};
use crate::ApiError;

/// Where incoming calls ring.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RingChoice {
    /// The phone's speaker (the chosen output, else the system's default).
    Speaker,
    /// The output named in `ring_device`.
    Device,
    /// Nowhere: an incoming call only shows on the screen.
    None,
}

/// The sound settings in force.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct PhoneSound {
    pub echo_cancellation: bool,
    pub noise_suppression: bool,
    pub auto_gain: bool,
    pub ring: RingChoice,
    /// With `ring: "device"`, the output calls ring on (the speaker when it is unplugged).
    pub ring_device: Option<String>,
}

impl From<&store::PhoneSound> for PhoneSound {
    fn from(s: &store::PhoneSound) -> Self {
        let (ring, ring_device) = match &s.ring {
            RingOn::Speaker => (RingChoice::Speaker, None),
            RingOn::Device(name) => (RingChoice::Device, Some(name.clone())),
            RingOn::Silent => (RingChoice::None, None),
        };
        PhoneSound {
            echo_cancellation: s.echo_cancellation,
            noise_suppression: s.noise_suppression,
            auto_gain: s.auto_gain,
            ring,
            ring_device,
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PhoneSoundRequest {}

impl Command for PhoneSoundRequest {
    const NAME: &'static str = "phone_sound";
    type Response = PhoneSound;

    async fn run(self, ctx: &Ctx) -> Result<PhoneSound, ApiError> {
        let saved = ctx.store(|s| Ok(s.phone_sound()?)).await?;
        Ok(PhoneSound::from(&saved))
    }
}

/// Changes the settings given (omitted ones stay), saves them and puts them in force: the
/// switches at once (calls under way included), the ringing at once too (a call ringing
/// moves to where it now rings).
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PhoneSetSoundRequest {
    #[serde(default)]
    #[ts(optional)]
    pub echo_cancellation: Option<bool>,
    #[serde(default)]
    #[ts(optional)]
    pub noise_suppression: Option<bool>,
    #[serde(default)]
    #[ts(optional)]
    pub auto_gain: Option<bool>,
    #[serde(default)]
    #[ts(optional)]
    pub ring: Option<RingChoice>,
    /// Required with `ring: "device"`: one of the phone's outputs.
    #[serde(default)]
    #[ts(optional)]
    pub ring_device: Option<String>,
}

impl Command for PhoneSetSoundRequest {
    const NAME: &'static str = "phone_set_sound";
    type Response = PhoneSound;

    async fn run(self, ctx: &Ctx) -> Result<PhoneSound, ApiError> {
        let mut sound = ctx.store(|s| Ok(s.phone_sound()?)).await?;
        sound.echo_cancellation = self.echo_cancellation.unwrap_or(sound.echo_cancellation);
        sound.noise_suppression = self.noise_suppression.unwrap_or(sound.noise_suppression);
        sound.auto_gain = self.auto_gain.unwrap_or(sound.auto_gain);
        if let Some(ring) = self.ring {
            sound.ring = match ring {
                RingChoice::Speaker => RingOn::Speaker,
                RingChoice::None => RingOn::Silent,
                RingChoice::Device => {
                    let name = self
                        .ring_device
                        .map(|n| n.trim().to_owned())
                        .filter(|n| !n.is_empty())
                        .ok_or_else(|| ApiError::field("ring_device", "choose a device"))?;
                    if !ctx.phone.audio().outputs.contains(&name) {
                        return Err(ApiError::field("ring_device", "no such device"));
                    }
                    RingOn::Device(name)
                }
            };
        }
        let saved = sound.clone();
        ctx.store(move |s| Ok(s.save_phone_sound(&saved)?)).await?;
        let tools = ctx.phone.audio_tools();
        tools.processing.set(DspSettings {
            echo_cancellation: sound.echo_cancellation,
            noise_suppression: sound.noise_suppression,
            auto_gain: sound.auto_gain,
        });
        (*tools.ring.lock().unwrap_or_else(|p| p.into_inner())).clone_from(&sound.ring);
        tools.ring_changed.notify_one();
        Ok(PhoneSound::from(&sound))
    }
}

/// Whether the phone's calls encrypt their audio (SRTP, keys in the SDP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum PhoneSrtpMode {
    /// When the account uses TLS (keys never go over plain UDP or TCP); plain otherwise.
    Auto,
    /// Never: plain audio, even over TLS.
    Off,
    /// Always (the account must use TLS): calls that would be plain are refused.
    Required,
}

impl From<PhoneSrtp> for PhoneSrtpMode {
    fn from(s: PhoneSrtp) -> Self {
        match s {
            PhoneSrtp::Auto => PhoneSrtpMode::Auto,
            PhoneSrtp::Off => PhoneSrtpMode::Off,
            PhoneSrtp::Required => PhoneSrtpMode::Required,
        }
    }
}

/// Sets whether calls encrypt their audio: saved, and in force from the next call without
/// signing in again. `srtp` is `auto`, `off` or `required`; `required` needs the account
/// on TLS, since the keys travel inside the signalling.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PhoneSetSrtpRequest {
    /// Taken as text so a wrong value is refused next to the field, not as bad JSON.
    pub srtp: String,
}

impl Command for PhoneSetSrtpRequest {
    const NAME: &'static str = "phone_set_srtp";
    type Response = PhoneState;

    async fn run(self, ctx: &Ctx) -> Result<PhoneState, ApiError> {
        let Some(mode) = PhoneSrtp::parse(self.srtp.trim()) else {
            return Err(ApiError::field("srtp", "must be auto, off or required"));
        };
        let (mut sound, account) = ctx
            .store(|s| Ok((s.phone_sound()?, s.phone_account()?)))
            .await?;
        // RFC 4568 §8.3: SDES keys are only as safe as the signalling that carries them.
        let tls = account.is_some_and(|a| a.transport == "tls");
        if mode == PhoneSrtp::Required && !tls {
            return Err(ApiError::field(
                "srtp",
                "always needs the account on TLS (keys never go over plain UDP or TCP)",
            ));
        }
        sound.srtp = mode;
        ctx.store(move |s| Ok(s.save_phone_sound(&sound)?)).await?;
        ctx.phone.set_srtp(mode).await;
        state(ctx).await
    }
}
