//! Setup links for remote phones: `create_setup_link`, `list_setup_links` and
//! `revoke_setup_link` on the office's PBX, and `phone_provision`, which a remote copy of
//! the app runs with a pasted link.
//!
//! A link is `https://HOST:PORT/provision/TOKEN#sha256=FINGERPRINT`: the office's public
//! address (else this PC's LAN address), the provisioning listener, a one-time token and
//! the TLS certificate's fingerprint. It never carries a password: redeeming it makes a
//! new one, which replaces the extension's old password.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::command::{now_unix, Command, Ctx};
use crate::commands::phone::PhoneState;
use crate::provision_client::{bracketed, redeem, SetupLink};
use crate::ApiError;

/// How long a link may wait to be used.
const LINK_LIFETIME_SECS: i64 = 24 * 60 * 60;

/// Makes a link for `extension` (revoking its earlier unused one).
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct CreateSetupLinkRequest {
    pub extension: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct CreateSetupLinkResponse {
    /// The link to send to the member of staff; shown once.
    pub link: String,
    /// The same link as a QR code (an SVG image) for a phone's camera.
    pub qr_svg: String,
    /// Unix seconds after which the link is refused.
    #[ts(type = "number")]
    pub expires_at: i64,
    /// The host in the link: the public address, or this PC's LAN address when none is
    /// set (then it works inside the office only).
    pub host: String,
    /// Whether `host` is the public address.
    pub public: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ListSetupLinksRequest {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct ListSetupLinksResponse {
    pub links: Vec<SetupLinkState>,
    /// Whether links can be made (the provisioning listener runs).
    pub available: bool,
}

/// The latest link of an extension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct SetupLinkState {
    pub extension: String,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub expires_at: i64,
    pub state: SetupLinkStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SetupLinkStatus {
    Waiting,
    Used,
    Revoked,
    Expired,
}

#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RevokeSetupLinkRequest {
    pub extension: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct RevokeSetupLinkResponse {
    /// Whether there was a waiting link to revoke.
    pub revoked: bool,
}

/// Sets this app's phone up from a link made by the office's PBX.
#[derive(Debug, Clone, Deserialize, Serialize, TS)]
#[serde(deny_unknown_fields)]
pub struct PhoneProvisionRequest {
    pub link: String,
}

impl Command for CreateSetupLinkRequest {
    const NAME: &'static str = "create_setup_link";
    type Response = CreateSetupLinkResponse;

    async fn run(self, ctx: &Ctx) -> Result<CreateSetupLinkResponse, ApiError> {
        let listener = ctx.provisioning.clone().ok_or_else(|| {
            ApiError::Internal("the setup link listener could not start; see the log".to_owned())
        })?;
        let public = ctx.store(|s| Ok(s.remote_access()?.public_address)).await?;
        let (host, is_public) = match public {
            Some(host) => (host, true),
            None => (lan_host(listener.addr.ip()).to_string(), false),
        };
        let number = self.extension.trim().to_owned();
        let now = now_unix();
        let expires_at = now + LINK_LIFETIME_SECS;
        let n = number.clone();
        let token = ctx
            .store(move |s| Ok(s.create_provisioning_link(&n, now, expires_at)?))
            .await?;
        let fingerprint: [u8; 32] = hex::decode(listener.fingerprint.replace(':', ""))
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| ApiError::Internal("certificate fingerprint".to_owned()))?;
        let link = SetupLink {
            host: host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
            port: listener.addr.port(),
            token,
            fingerprint,
        }
        .to_link();
        let qr_svg = qr_svg(&link)?;
        tracing::info!(extension = %number, "setup link made");
        Ok(CreateSetupLinkResponse {
            link,
            qr_svg,
            expires_at,
            host: bracketed(&host),
            public: is_public,
        })
    }
}

impl Command for ListSetupLinksRequest {
    const NAME: &'static str = "list_setup_links";
    type Response = ListSetupLinksResponse;

    async fn run(self, ctx: &Ctx) -> Result<ListSetupLinksResponse, ApiError> {
        let links = ctx.store(|s| Ok(s.provisioning_links()?)).await?;
        let now = now_unix();
        Ok(ListSetupLinksResponse {
            links: links
                .into_iter()
                .map(|l| SetupLinkState {
                    state: if l.used_at.is_some() {
                        SetupLinkStatus::Used
                    } else if l.revoked_at.is_some() {
                        SetupLinkStatus::Revoked
                    } else if l.is_open(now) {
                        SetupLinkStatus::Waiting
                    } else {
                        SetupLinkStatus::Expired
                    },
                    extension: l.extension,
                    created_at: l.created_at,
                    expires_at: l.expires_at,
                })
                .collect(),
            available: ctx.provisioning.is_some(),
        })
    }
}

impl Command for RevokeSetupLinkRequest {
    const NAME: &'static str = "revoke_setup_link";
    type Response = RevokeSetupLinkResponse;

    async fn run(self, ctx: &Ctx) -> Result<RevokeSetupLinkResponse, ApiError> {
        let number = self.extension.trim().to_owned();
        let revoked = ctx
            .store(move |s| Ok(s.revoke_provisioning_link(&number, now_unix())?))
            .await?;
        Ok(RevokeSetupLinkResponse { revoked })
    }
}

impl Command for PhoneProvisionRequest {
    const NAME: &'static str = "phone_provision";
    type Response = PhoneState;

    async fn run(self, ctx: &Ctx) -> Result<PhoneState, ApiError> {
        let link =
            SetupLink::parse(&self.link).map_err(|e| ApiError::field("link", e.to_string()))?;
        let provisioned = redeem(&link)
            .await
            .map_err(|e| ApiError::field("link", e.to_string()))?;
        let account = store::PhoneAccount {
            server: provisioned.server,
            transport: provisioned.account.transport,
            user: provisioned.account.user,
            auth_user: None,
            display_name: provisioned.account.display_name,
            password: provisioned.account.password,
            tls_fingerprint: provisioned.tls_fingerprint,
            direct_port: None,
        };
        let saved = account.clone();
        ctx.store(move |s| Ok(s.save_phone_account(&saved)?))
            .await?;
        ctx.phone.restart(Some(&account)).await;
        tracing::info!(user = %account.user, "phone set up from a link");
        crate::commands::phone::GetPhoneRequest {}.run(ctx).await
    }
}

/// The PC's address on the LAN: the listen address, or for a wildcard the one that routes
/// to the internet.
fn lan_host(listen: IpAddr) -> IpAddr {
    if !listen.is_unspecified() {
        return listen;
    }
    let probe = std::net::UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0))
        .and_then(|s| {
            s.connect(SocketAddr::from(([192, 0, 2, 1], 9)))?;
            s.local_addr()
        })
        .map(|a| a.ip());
    probe.unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

fn qr_svg(link: &str) -> Result<String, ApiError> {
    let code = qrcode::QrCode::new(link.as_bytes())
        .map_err(|e| ApiError::Internal(format!("qr code: {e}")))?;
    Ok(code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build())
}
