//! The PBX's TLS identity: the certificate and key that SIP over TLS (RFC 3261 §26.3.1)
//! and any other TLS listener of the app present.
//!
//! On first run a self-signed certificate is generated (ECDSA P-256, ten years, the PC's
//! name and LAN address as subject alternative names) because an office PBX rarely has a
//! domain name a public authority would certify. Phones then trust it by its SHA-256
//! fingerprint, which the Settings page shows. The owner may instead install their own
//! certificate and key (PEM); it takes precedence while present.
//!
//! Files live in `<data_dir>/tls/`; keys are written with mode 0600, through a temporary
//! file renamed into place, so a crash never leaves half a key behind.

use std::fs::File;
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::ServerConfig;
use sha2::{Digest, Sha256};

/// Folder (inside the data folder) holding the certificates and keys.
pub const TLS_DIR: &str = "tls";
const GENERATED_CERT: &str = "cert.pem";
const GENERATED_KEY: &str = "key.pem";
const OWN_CERT: &str = "own-cert.pem";
const OWN_KEY: &str = "own-key.pem";

/// How long a generated certificate is valid.
const VALID_YEARS: i64 = 10;

/// Why no TLS identity could be loaded or installed.
#[derive(Debug, thiserror::Error)]
pub enum TlsCertError {
    #[error("tls files: {0}")]
    Io(#[from] std::io::Error),
    #[error("certificate generation failed: {0}")]
    Generate(String),
    #[error("no certificate found in the PEM text")]
    NoCertificate,
    #[error("no private key found in the PEM text")]
    NoKey,
    #[error("certificate and key do not fit together: {0}")]
    Rejected(String),
}

/// Where the certificate in use came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertSource {
    /// Generated on first run by the PBX itself (self-signed).
    Generated,
    /// Installed by the owner.
    Own,
}

/// A certificate chain with its key, ready for rustls.
pub struct TlsIdentity {
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    fingerprint: String,
    source: CertSource,
    server: Arc<ServerConfig>,
}

impl std::fmt::Debug for TlsIdentity {
    // Never print the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsIdentity")
            .field("fingerprint", &self.fingerprint)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl TlsIdentity {
    /// The server configuration for SIP over TLS (TLS 1.2 and 1.3, no client certificates).
    pub fn server_config(&self) -> Arc<ServerConfig> {
        self.server.clone()
    }

    /// A server configuration offering `alpn` protocols (e.g. `b"http/1.1"` for HTTPS).
    pub fn server_config_with_alpn(
        &self,
        alpn: &[&[u8]],
    ) -> Result<Arc<ServerConfig>, TlsCertError> {
        let mut config = build_server(&self.chain, &self.key)?;
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        Ok(Arc::new(config))
    }

    /// SHA-256 of the leaf certificate, as upper-case hex pairs joined by colons
    /// (the form browsers and phones show, RFC 8122 §5).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Whether the certificate was generated here or installed by the owner.
    pub fn source(&self) -> CertSource {
        self.source
    }

    /// The certificate chain, leaf first (DER).
    pub fn chain(&self) -> &[CertificateDer<'static>] {
        &self.chain
    }

    /// The leaf certificate in PEM, for phones that are given a CA file to trust.
    pub fn leaf_pem(&self) -> String {
        self.chain
            .first()
            .map(|c| pem("CERTIFICATE", c))
            .unwrap_or_default()
    }
}

/// The identity in use: the owner's certificate if installed, else the generated one,
/// generating it first when there is none yet.
pub fn load_or_create(data_dir: &Path) -> Result<TlsIdentity, TlsCertError> {
    let dir = data_dir.join(TLS_DIR);
    let (own_cert, own_key) = (dir.join(OWN_CERT), dir.join(OWN_KEY));
    if own_cert.is_file() && own_key.is_file() {
        let cert = std::fs::read(&own_cert)?;
        let key = std::fs::read(&own_key)?;
        return identity(&cert, &key, CertSource::Own);
    }
    let (cert_path, key_path) = (dir.join(GENERATED_CERT), dir.join(GENERATED_KEY));
    if cert_path.is_file() && key_path.is_file() {
        let cert = std::fs::read(&cert_path)?;
        let key = std::fs::read(&key_path)?;
        match identity(&cert, &key, CertSource::Generated) {
            Ok(id) => return Ok(id),
            // A damaged generated pair is replaced: nothing else depends on it except
            // pinned fingerprints, which the Settings page shows anew.
            Err(e) => {
                tracing::warn!(error = %e, "generated TLS certificate unusable; making a new one")
            }
        }
    }
    let (cert, key) = generate(&host_names())?;
    std::fs::create_dir_all(&dir)?;
    // Key first: a certificate without its key would be useless after a crash.
    write_atomically(&key_path, key.as_bytes(), true)?;
    write_atomically(&cert_path, cert.as_bytes(), false)?;
    identity(cert.as_bytes(), key.as_bytes(), CertSource::Generated)
}

/// Checks and installs the owner's certificate chain and key (PEM); it is used from the
/// next [`load_or_create`] on. Returns the identity it makes.
pub fn install_own(
    data_dir: &Path,
    cert_pem: &[u8],
    key_pem: &[u8],
) -> Result<TlsIdentity, TlsCertError> {
    let id = identity(cert_pem, key_pem, CertSource::Own)?;
    let dir = data_dir.join(TLS_DIR);
    std::fs::create_dir_all(&dir)?;
    write_atomically(&dir.join(OWN_KEY), key_pem, true)?;
    write_atomically(&dir.join(OWN_CERT), cert_pem, false)?;
    Ok(id)
}

/// Whether the owner's certificate and key are installed (they are then the ones used).
pub fn has_own(data_dir: &Path) -> bool {
    let dir = data_dir.join(TLS_DIR);
    dir.join(OWN_CERT).is_file() && dir.join(OWN_KEY).is_file()
}

/// Removes the owner's certificate: the generated one is used again. False when none was
/// installed.
pub fn remove_own(data_dir: &Path) -> Result<bool, TlsCertError> {
    let dir = data_dir.join(TLS_DIR);
    let mut removed = false;
    for name in [OWN_CERT, OWN_KEY] {
        match std::fs::remove_file(dir.join(name)) {
            Ok(()) => removed = true,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(removed)
}

/// SHA-256 fingerprint of a DER certificate, as `AB:CD:…`.
pub fn fingerprint(der: &[u8]) -> String {
    let digest = Sha256::digest(der);
    let hex: Vec<String> = digest.iter().map(|b| format!("{b:02X}")).collect();
    hex.join(":")
}

fn identity(
    cert_pem: &[u8],
    key_pem: &[u8],
    source: CertSource,
) -> Result<TlsIdentity, TlsCertError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<_, _>>()
        .map_err(|_| TlsCertError::NoCertificate)?;
    let leaf = chain.first().ok_or(TlsCertError::NoCertificate)?;
    let fingerprint = fingerprint(leaf);
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|_| TlsCertError::NoKey)?;
    let server = Arc::new(build_server(&chain, &key)?);
    Ok(TlsIdentity {
        chain,
        key,
        fingerprint,
        source,
        server,
    })
}

fn build_server(
    chain: &[CertificateDer<'static>],
    key: &PrivateKeyDer<'static>,
) -> Result<ServerConfig, TlsCertError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])
        .map_err(|e| TlsCertError::Rejected(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(chain.to_vec(), key.clone_key())
        .map_err(|e| TlsCertError::Rejected(e.to_string()))
}

/// A self-signed certificate for `names` (the first is the common name): PEM cert and key.
fn generate(names: &[String]) -> Result<(String, String), TlsCertError> {
    let err = |e: rcgen::Error| TlsCertError::Generate(e.to_string());
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(err)?;
    let mut params = rcgen::CertificateParams::new(names.to_vec()).map_err(err)?;
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(
        rcgen::DnType::CommonName,
        names
            .first()
            .cloned()
            .unwrap_or_else(|| "switchboard".into()),
    );
    dn.push(rcgen::DnType::OrganizationName, "Switchboard PBX");
    params.distinguished_name = dn;
    let now = time::OffsetDateTime::now_utc();
    // A day's slack for phones whose clock runs a little behind.
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(365 * VALID_YEARS);
    let cert = params.self_signed(&key).map_err(err)?;
    Ok((cert.pem(), key.serialize_pem()))
}

/// The PC's name and LAN address (and loopback, for phones on the PC itself).
fn host_names() -> Vec<String> {
    let mut names = Vec::new();
    if let Some(name) = hostname::get().ok().and_then(|n| n.into_string().ok()) {
        if !name.is_empty() && name.is_ascii() {
            names.push(name);
        }
    }
    if names.is_empty() {
        names.push("switchboard".into());
    }
    if let Some(ip) = lan_address() {
        names.push(ip.to_string());
    }
    names.push("localhost".into());
    names.push(Ipv4Addr::LOCALHOST.to_string());
    names
}

/// The local address the system would send from towards the internet (nothing is sent).
fn lan_address() -> Option<IpAddr> {
    let socket = UdpSocket::bind((Ipv4Addr::UNSPECIFIED, 0)).ok()?;
    socket.connect(SocketAddr::from(([192, 0, 2, 1], 9))).ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_unspecified() && !ip.is_loopback()).then_some(ip)
}

/// Writes `bytes` to `path` through a temporary file renamed into place (and synced), with
/// mode 0600 when `secret`.
fn write_atomically(path: &Path, bytes: &[u8], secret: bool) -> std::io::Result<()> {
    let temp = temp_path(path);
    let written = (|| {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        if secret {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        #[cfg(not(unix))]
        let _ = secret;
        let mut file = options.open(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written?;
    if let Some(dir) = path.parent() {
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.part"))
}

fn pem(label: &str, der: &[u8]) -> String {
    const LINE: usize = 64;
    let body = base64(der);
    let mut out = format!("-----BEGIN {label}-----\n");
    for chunk in body.as_bytes().chunks(LINE) {
        out.push_str(&String::from_utf8_lossy(chunk));
        out.push('\n');
    }
    out.push_str(&format!("-----END {label}-----\n"));
    out
}

fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk.first().copied().unwrap_or(0),
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_run_generates_a_certificate_that_the_second_run_reuses() {
        let dir = tempfile::tempdir().unwrap();
        let first = load_or_create(dir.path()).unwrap();
        assert_eq!(first.source(), CertSource::Generated);
        assert_eq!(first.fingerprint().len(), 32 * 3 - 1);
        let second = load_or_create(dir.path()).unwrap();
        assert_eq!(first.fingerprint(), second.fingerprint());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let key = dir.path().join(TLS_DIR).join(GENERATED_KEY);
            let mode = std::fs::metadata(key).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn the_owners_certificate_wins_until_removed() {
        let dir = tempfile::tempdir().unwrap();
        let generated = load_or_create(dir.path()).unwrap();
        let (cert, key) = generate(&["pbx.example.com".into()]).unwrap();
        let own = install_own(dir.path(), cert.as_bytes(), key.as_bytes()).unwrap();
        let loaded = load_or_create(dir.path()).unwrap();
        assert_eq!(loaded.source(), CertSource::Own);
        assert_eq!(loaded.fingerprint(), own.fingerprint());
        assert!(has_own(dir.path()));
        assert_ne!(loaded.fingerprint(), generated.fingerprint());
        assert!(remove_own(dir.path()).unwrap());
        assert_eq!(
            load_or_create(dir.path()).unwrap().fingerprint(),
            generated.fingerprint()
        );
    }

    #[test]
    fn a_key_that_does_not_fit_the_certificate_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (cert, _) = generate(&["a.example".into()]).unwrap();
        let (_, other_key) = generate(&["b.example".into()]).unwrap();
        let refused = install_own(dir.path(), cert.as_bytes(), other_key.as_bytes());
        assert!(
            matches!(refused, Err(TlsCertError::Rejected(_))),
            "{refused:?}"
        );
        assert!(matches!(
            install_own(dir.path(), b"not pem", other_key.as_bytes()),
            Err(TlsCertError::NoCertificate)
        ));
        assert!(!dir.path().join(TLS_DIR).join(OWN_CERT).exists());
    }

    #[test]
    fn leaf_pem_round_trips_to_the_same_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let id = load_or_create(dir.path()).unwrap();
        let pem = id.leaf_pem();
        let der = CertificateDer::from_pem_slice(pem.as_bytes()).unwrap();
        assert_eq!(fingerprint(&der), id.fingerprint());
    }
}
