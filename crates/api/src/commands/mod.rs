//! The commands, one file per screen's concern. Each request type implements
//! [`crate::command::Command`] and is listed in `registry.rs`.

pub(crate) mod calls;
pub(crate) mod extensions;
pub(crate) mod settings;
pub(crate) mod status;
