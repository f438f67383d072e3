//! The commands, one file per screen's concern. Each request type implements
//! [`crate::command::Command`] and is listed in `registry.rs`.

pub(crate) mod allow_list;
pub(crate) mod app_mode;
pub(crate) mod backup;
pub(crate) mod bans;
pub(crate) mod calls;
pub(crate) mod click_to_call;
pub(crate) mod conference;
pub(crate) mod extensions;
pub(crate) mod forwarding;
pub(crate) mod greetings;
pub(crate) mod mail;
pub(crate) mod music_on_hold;
pub(crate) mod names;
pub(crate) mod outbound;
pub(crate) mod phone;
pub(crate) mod phone_audio;
pub(crate) mod phone_features;
pub(crate) mod phone_sound;
pub(crate) mod provision_address;
pub(crate) mod provision_links;
pub(crate) mod recording;
pub(crate) mod recordings;
pub(crate) mod ring_groups;
pub(crate) mod schedules;
pub(crate) mod settings;
pub(crate) mod setup;
pub(crate) mod srtp;
pub(crate) mod status;
pub(crate) mod trunks;
pub(crate) mod voicemail;
