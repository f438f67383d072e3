//! Helpers shared by the store's tests.

#![allow(dead_code)]

use std::net::SocketAddr;

use store::{Binding, Transport};

/// A binding for `extension` from a phone at `source`, valid until `expires_at`.
pub fn binding(extension: &str, contact: &str, expires_at: i64) -> Binding {
    let source: SocketAddr = "192.0.2.10:5060".parse().expect("valid test address");
    Binding {
        extension: extension.to_owned(),
        contact: contact.to_owned(),
        instance: None,
        transport: Transport::Udp,
        source,
        user_agent: Some("TestPhone/1.0".to_owned()),
        expires_at,
        call_id: format!("reg-{extension}-{contact}"),
        cseq: 1,
        updated_at: expires_at - 3600,
    }
}
