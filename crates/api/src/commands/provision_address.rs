//! The office's public address for staff outside the office: `get_remote_access`,
//! `save_remote_access` and `discover_public_address` (a STUN Binding request, RFC 5389,
//! that asks a server on the internet which address our packets come from).
//!
//! The saved address is advertised at once to phones outside the LAN (Contact and SDP);
//! the router must forward the SIP port and the RTP ports to this PC for it to work.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{Command, Ctx};
use crate::ApiError;

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct GetRemoteAccessRequest {}

/// The public address settings; also the request of `save_remote_access`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RemoteAccess {
    /// Host name or IP address of the office's router as seen from the internet; `None`
    /// (or empty) when staff only call from inside the office.
    pub public_address: Option<String>,
    /// `host:port` of the STUN server "Discover" asks; `None` (or empty) for the default.
    pub stun_server: Option<String>,
}

/// The settings and what they mean now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RemoteAccessResponse {
    pub settings: RemoteAccess,
    /// The IP advertised to phones outside the LAN (the public address resolved), or
    /// `None` when none is set or it does not resolve.
    pub advertised_ip: Option<String>,
    /// The STUN server used when none is set.
    pub default_stun_server: String,
}

/// Asks a STUN server for our public address; nothing is saved.
#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct DiscoverPublicAddressRequest {
    /// `host:port`; `None` for the saved or default server.
    pub stun_server: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct DiscoverPublicAddressResponse {
    /// The IP address the STUN server saw us at.
    pub public_address: String,
    /// The server that answered.
    pub stun_server: String,
}

impl Command for GetRemoteAccessRequest {
    const NAME: &'static str = "get_remote_access";
    type Response = RemoteAccessResponse;

    async fn run(self, ctx: &Ctx) -> Result<RemoteAccessResponse, ApiError> {
        let saved = ctx.store(|s| Ok(s.remote_access()?)).await?;
        Ok(response(saved).await)
    }
}

impl Command for RemoteAccess {
    const NAME: &'static str = "save_remote_access";
    type Response = RemoteAccessResponse;

    async fn run(self, ctx: &Ctx) -> Result<RemoteAccessResponse, ApiError> {
        let saved = self.validate()?;
        let ip = match &saved.public_address {
            Some(address) => Some(engine::resolve_public_address(address).await.ok_or_else(
                || ApiError::field("public_address", "this name does not resolve to an address"),
            )?),
            None => None,
        };
        let to_save = saved.clone();
        ctx.store(move |s| Ok(s.save_remote_access(&to_save)?))
            .await?;
        if ctx.engine.set_public_ip(ip).await.is_err() {
            tracing::warn!("the PBX is not running; the public address applies at its start");
        }
        tracing::info!(public = ?ip, "public address saved");
        Ok(response(saved).await)
    }
}

impl Command for DiscoverPublicAddressRequest {
    const NAME: &'static str = "discover_public_address";
    type Response = DiscoverPublicAddressResponse;

    async fn run(self, ctx: &Ctx) -> Result<DiscoverPublicAddressResponse, ApiError> {
        let server = match non_empty(self.stun_server) {
            Some(server) => server,
            None => ctx
                .store(|s| Ok(s.remote_access()?.stun_server))
                .await?
                .unwrap_or_else(|| engine::stun::DEFAULT_STUN_SERVER.to_owned()),
        };
        check_stun_server(&server).map_err(|m| ApiError::field("stun_server", m))?;
        let seen = engine::stun::discover(&server)
            .await
            .map_err(|e| ApiError::field("stun_server", e.to_string()))?;
        Ok(DiscoverPublicAddressResponse {
            public_address: seen.ip().to_string(),
            stun_server: server,
        })
    }
}

impl RemoteAccess {
    fn validate(self) -> Result<store::RemoteAccess, ApiError> {
        let mut errors = Vec::new();
        let public_address = non_empty(self.public_address);
        if let Some(address) = &public_address {
            if let Err(message) = check_host(address) {
                errors.push(("public_address".to_owned(), message));
            }
        }
        let stun_server = non_empty(self.stun_server);
        if let Some(server) = &stun_server {
            if let Err(message) = check_stun_server(server) {
                errors.push(("stun_server".to_owned(), message));
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::fields(errors));
        }
        Ok(store::RemoteAccess {
            public_address,
            stun_server,
        })
    }
}

fn non_empty(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// An IP address or a DNS name (RFC 1123 §2.1 labels), without a port: the router
/// forwards the PBX's own port numbers.
fn check_host(address: &str) -> Result<(), String> {
    let unbracketed = address.trim_start_matches('[').trim_end_matches(']');
    if unbracketed.parse::<std::net::IpAddr>().is_ok() {
        return Ok(());
    }
    let valid_label = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if address.len() <= store::PUBLIC_ADDRESS_MAX_LEN && address.split('.').all(valid_label) {
        Ok(())
    } else {
        Err(
            "must be a host name like office.example.com or an IP address, without a port"
                .to_owned(),
        )
    }
}

/// `host:port`.
fn check_stun_server(server: &str) -> Result<(), String> {
    let refused = || "must be a host and port like stun.example.com:3478".to_owned();
    if server.parse::<std::net::SocketAddr>().is_ok() {
        return Ok(());
    }
    let (host, port) = server.rsplit_once(':').ok_or_else(refused)?;
    port.parse::<u16>().map_err(|_| refused())?;
    check_host(host).map_err(|_| refused())
}

async fn response(saved: store::RemoteAccess) -> RemoteAccessResponse {
    let advertised_ip = match &saved.public_address {
        Some(address) => engine::resolve_public_address(address)
            .await
            .map(|ip| ip.to_string()),
        None => None,
    };
    RemoteAccessResponse {
        settings: RemoteAccess {
            public_address: saved.public_address,
            stun_server: saved.stun_server,
        },
        advertised_ip,
        default_stun_server: engine::stun::DEFAULT_STUN_SERVER.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_and_stun_servers_are_checked() {
        for good in ["office.example.com", "203.0.113.7", "[2001:db8::1]", "pbx"] {
            assert_eq!(check_host(good), Ok(()), "{good}");
        }
        for bad in ["office.example.com:5060", "-x.example", "a..b", "", "a b"] {
            assert!(check_host(bad).is_err(), "{bad}");
        }
        for good in ["stun.l.google.com:19302", "127.0.0.1:3478", "[::1]:3478"] {
            assert_eq!(check_stun_server(good), Ok(()), "{good}");
        }
        for bad in ["stun.example.com", "stun.example.com:x", ":3478"] {
            assert!(check_stun_server(bad).is_err(), "{bad}");
        }
    }
}
