//! The remote app's side of a setup link: `https://HOST:PORT/provision/TOKEN#sha256=HEX`.
//!
//! The link is all the app needs: where the PBX's provisioning listener is, the one-time
//! token, and the SHA-256 of the PBX's certificate. The connection is trusted only when
//! the certificate has exactly that fingerprint (no certificate authority is asked), so
//! the new password travels only to the PBX that made the link.

use std::net::IpAddr;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::provision_server::{ProvisionedAccount, PATH_PREFIX};

/// Largest answer read (an account is a few hundred bytes).
const MAX_ANSWER: u64 = 16 * 1024;

/// A setup link taken apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupLink {
    /// Host name or IP address of the office (for IPv6, without brackets).
    pub host: String,
    pub port: u16,
    pub token: String,
    /// SHA-256 of the PBX's certificate.
    pub fingerprint: [u8; 32],
}

/// Why a link did not give an account.
#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    #[error("this is not a setup link")]
    NotALink,
    #[error("cannot reach the office: {0}")]
    Unreachable(String),
    #[error("the office's certificate is not the one in the link")]
    WrongCertificate,
    #[error("the office refused the link: it was used, revoked or has expired")]
    Refused,
    #[error("the office answered something unexpected")]
    BadAnswer,
}

/// What a redeemed link configures: the account and the server to register with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provisioned {
    /// `host:port` of the PBX's SIP service.
    pub server: String,
    pub account: ProvisionedAccount,
    /// For a TLS account: the certificate the link pinned, which is also the one the PBX
    /// serves SIP over TLS with, so the phone pins it too.
    pub tls_fingerprint: Option<String>,
}

impl SetupLink {
    pub fn parse(link: &str) -> Result<SetupLink, ProvisionError> {
        let rest = link
            .trim()
            .strip_prefix("https://")
            .ok_or(ProvisionError::NotALink)?;
        let (rest, fragment) = rest.split_once('#').ok_or(ProvisionError::NotALink)?;
        let hex = fragment
            .strip_prefix("sha256=")
            .ok_or(ProvisionError::NotALink)?;
        let fingerprint: [u8; 32] = hex::decode(hex.replace(':', ""))
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(ProvisionError::NotALink)?;
        let slash = rest.find('/').ok_or(ProvisionError::NotALink)?;
        let (authority, path) = rest.split_at(slash);
        let token = path
            .strip_prefix(PATH_PREFIX)
            .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_alphanumeric()))
            .ok_or(ProvisionError::NotALink)?;
        let (host, port) = authority.rsplit_once(':').ok_or(ProvisionError::NotALink)?;
        let port: u16 = port.parse().map_err(|_| ProvisionError::NotALink)?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(ProvisionError::NotALink);
        }
        Ok(SetupLink {
            host: host.to_owned(),
            port,
            token: token.to_owned(),
            fingerprint,
        })
    }

    /// The link as text.
    pub fn to_link(&self) -> String {
        format!(
            "https://{}:{}{PATH_PREFIX}{}#sha256={}",
            bracketed(&self.host),
            self.port,
            self.token,
            hex::encode(self.fingerprint)
        )
    }
}

/// `[v6]` in a URL or `host:port`, anything else as it is.
pub(crate) fn bracketed(host: &str) -> String {
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => format!("[{v6}]"),
        _ => host.to_owned(),
    }
}

/// Redeems the link at the office: the account, once. A second try gets
/// [`ProvisionError::Refused`].
pub async fn redeem(link: &SetupLink) -> Result<Provisioned, ProvisionError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(Pinned {
        fingerprint: link.fingerprint,
        provider: Arc::clone(&provider),
    });
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|_| ProvisionError::BadAnswer)?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let name = ServerName::try_from(link.host.clone()).map_err(|_| ProvisionError::NotALink)?;
    let tcp = tokio::net::TcpStream::connect((link.host.as_str(), link.port))
        .await
        .map_err(|e| ProvisionError::Unreachable(e.to_string()))?;
    let mut tls = connector.connect(name, tcp).await.map_err(|e| {
        if e.to_string().contains("fingerprint") {
            ProvisionError::WrongCertificate
        } else {
            ProvisionError::Unreachable(e.to_string())
        }
    })?;
    let request = format!(
        "POST {PATH_PREFIX}{} HTTP/1.1\r\nHost: {}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        link.token,
        bracketed(&link.host)
    );
    tls.write_all(request.as_bytes())
        .await
        .map_err(|e| ProvisionError::Unreachable(e.to_string()))?;
    let mut answer = Vec::new();
    // A server closing without close_notify still gave us the whole answer.
    let _ = (&mut tls).take(MAX_ANSWER).read_to_end(&mut answer).await;
    let text = String::from_utf8_lossy(&answer);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or(ProvisionError::BadAnswer)?;
    let status = head.split(' ').nth(1).ok_or(ProvisionError::BadAnswer)?;
    match status {
        "200" => {
            let account: ProvisionedAccount =
                serde_json::from_str(body).map_err(|_| ProvisionError::BadAnswer)?;
            let tls_fingerprint =
                (account.transport == "tls").then(|| hex::encode(link.fingerprint));
            Ok(Provisioned {
                server: format!("{}:{}", bracketed(&link.host), account.sip_port),
                account,
                tls_fingerprint,
            })
        }
        "404" => Err(ProvisionError::Refused),
        _ => Err(ProvisionError::BadAnswer),
    }
}

/// Trusts exactly one certificate, by its SHA-256; the handshake signatures are still
/// checked, so only the holder of that certificate's key gets through.
#[derive(Debug)]
struct Pinned {
    fingerprint: [u8; 32],
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if Sha256::digest(end_entity.as_ref()).as_slice() == self.fingerprint {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "certificate fingerprint differs from the link".to_owned(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_round_trips_and_malformed_ones_are_refused() {
        let link = SetupLink {
            host: "2001:db8::5".to_owned(),
            port: 5062,
            token: "AbC234".to_owned(),
            fingerprint: [0xab; 32],
        };
        let text = link.to_link();
        assert!(text.starts_with("https://[2001:db8::5]:5062/provision/AbC234#sha256=abab"));
        assert_eq!(SetupLink::parse(&text).expect("parses"), link);
        let colons = format!(
            "https://office.example.com:5062/provision/x#sha256={}",
            vec!["AB"; 32].join(":")
        );
        assert_eq!(
            SetupLink::parse(&colons).expect("parses").fingerprint,
            [0xab; 32]
        );
        for bad in [
            "http://office:5062/provision/x#sha256=ab",
            "https://office:5062/provision/x",
            "https://office/provision/x#sha256=abab",
            "https://office:5062/other/x#sha256=abab",
            "https://office:5062/provision/#sha256=abab",
            "https://office:5062/provision/a%2F#sha256=abab",
        ] {
            assert!(SetupLink::parse(bad).is_err(), "{bad}");
        }
    }
}
