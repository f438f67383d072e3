//! sip

pub mod auth;
