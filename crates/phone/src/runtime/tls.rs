//! Which servers a TLS account trusts (RFC 3261 §26.3.1: the client checks the server's
//! certificate).
//!
//! An office PBX usually presents a self-signed certificate, which no authority vouches
//! for; the owner reads its SHA-256 fingerprint off the PBX's Settings page and the phone
//! pins it: the certificate is accepted exactly when its fingerprint matches, whatever
//! its names or dates. Without a pinned fingerprint the server must present a certificate
//! the system's trusted authorities (web PKI) vouch for, for the name we connected to.

use std::net::SocketAddr;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, ClientConfig, DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};

/// How an account's TLS connections check the server. Cheap to clone.
#[derive(Clone)]
pub(super) struct TlsTrust {
    config: Arc<ClientConfig>,
}

impl TlsTrust {
    /// Pins `fingerprint` (hex pairs, colons optional, any case, an optional `SHA256:`
    /// prefix) when given, else trusts the system's authorities.
    pub(super) fn new(fingerprint: Option<&str>) -> std::io::Result<TlsTrust> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
            .map_err(std::io::Error::other)?;
        let config = match fingerprint {
            Some(text) => {
                let pinned = parse_fingerprint(text).ok_or_else(|| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidInput,
                        format!("{text:?} is not a SHA-256 fingerprint (32 hex pairs)"),
                    )
                })?;
                builder
                    .dangerous()
                    .with_custom_certificate_verifier(Arc::new(Pinned { pinned, provider }))
                    .with_no_client_auth()
            }
            None => {
                let mut roots = rustls::RootCertStore::empty();
                let found = rustls_native_certs::load_native_certs();
                let (added, _) = roots.add_parsable_certificates(found.certs);
                if added == 0 {
                    tracing::warn!("no trusted certificates found on this system");
                }
                builder.with_root_certificates(roots).with_no_client_auth()
            }
        };
        Ok(TlsTrust {
            config: Arc::new(config),
        })
    }

    /// Wraps a connected stream to `server` in TLS. `domain`, when it is a DNS name, is
    /// the name the certificate must carry under web PKI (and is sent as SNI).
    pub(super) async fn connect(
        &self,
        stream: tokio::net::TcpStream,
        server: SocketAddr,
        domain: Option<&str>,
    ) -> std::io::Result<tokio_rustls::client::TlsStream<tokio::net::TcpStream>> {
        let name = domain
            .and_then(|d| ServerName::try_from(d.to_owned()).ok())
            .filter(|n| matches!(n, ServerName::DnsName(_)))
            .unwrap_or(ServerName::IpAddress(server.ip().into()));
        let connector = tokio_rustls::TlsConnector::from(self.config.clone());
        connector.connect(name, stream).await.map_err(plain_words)
    }
}

/// rustls shows a refused certificate's own error by its debug form; say it plainly.
fn plain_words(err: std::io::Error) -> std::io::Error {
    let refused = err
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>())
        .and_then(|e| match e {
            rustls::Error::InvalidCertificate(CertificateError::Other(other)) => {
                Some(other.0.to_string())
            }
            rustls::Error::InvalidCertificate(other) => Some(format!(
                "the server's certificate is not trusted: {other:?}"
            )),
            _ => None,
        });
    match refused {
        Some(text) => std::io::Error::new(std::io::ErrorKind::InvalidData, text),
        None => err,
    }
}

/// `AB:CD:…`, `abcd…` or `SHA256:AB:CD…` → the 32 bytes.
/// Used to check a fingerprint when it is typed, before any connection.
pub fn parse_fingerprint(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    let text = text
        .strip_prefix("SHA256:")
        .or_else(|| text.strip_prefix("sha256:"))
        .or_else(|| text.strip_prefix("SHA-256 "))
        .unwrap_or(text);
    let hex: Vec<u8> = text
        .bytes()
        .filter(|b| *b != b':' && !b.is_ascii_whitespace())
        .collect();
    if hex.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (byte, pair) in out.iter_mut().zip(hex.chunks(2)) {
        let text = std::str::from_utf8(pair).ok()?;
        *byte = u8::from_str_radix(text, 16).ok()?;
    }
    Some(out)
}

fn show(fingerprint: &[u8]) -> String {
    let pairs: Vec<String> = fingerprint.iter().map(|b| format!("{b:02X}")).collect();
    pairs.join(":")
}

/// Accepts exactly the certificate with the pinned SHA-256; the handshake signatures are
/// still checked, so the server must hold that certificate's key.
#[derive(Debug)]
struct Pinned {
    pinned: [u8; 32],
    provider: Arc<CryptoProvider>,
}

/// Why a pinned server was refused, worded for the person who typed the fingerprint.
#[derive(Debug)]
struct FingerprintMismatch {
    presented: String,
    pinned: String,
}

impl std::fmt::Display for FingerprintMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the server's certificate fingerprint is {}, not the expected {}",
            self.presented, self.pinned
        )
    }
}

impl std::error::Error for FingerprintMismatch {}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let presented: [u8; 32] = Sha256::digest(end_entity.as_ref()).into();
        if presented == self.pinned {
            return Ok(ServerCertVerified::assertion());
        }
        let mismatch = FingerprintMismatch {
            presented: show(&presented),
            pinned: show(&self.pinned),
        };
        Err(rustls::Error::InvalidCertificate(CertificateError::Other(
            rustls::OtherError(Arc::new(mismatch)),
        )))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let schemes = &self.provider.signature_verification_algorithms;
        verify_tls12_signature(message, cert, dss, schemes)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let schemes = &self.provider.signature_verification_algorithms;
        verify_tls13_signature(message, cert, dss, schemes)
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
    fn fingerprints_are_read_in_the_forms_people_paste() {
        let colons = "AB:".repeat(31) + "CD";
        let bare = "ab".repeat(31) + "cd";
        let expected = {
            let mut b = [0xabu8; 32];
            b[31] = 0xcd;
            b
        };
        assert_eq!(parse_fingerprint(&colons), Some(expected));
        assert_eq!(parse_fingerprint(&bare), Some(expected));
        assert_eq!(
            parse_fingerprint(&format!("SHA256:{colons}")),
            Some(expected)
        );
        assert_eq!(parse_fingerprint("AB:CD"), None);
        assert_eq!(parse_fingerprint(&"zz".repeat(32)), None);
        assert_eq!(show(&expected), colons);
    }
}
