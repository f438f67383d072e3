//! The provisioning listener: where a remote copy of the app redeems a setup link.
//!
//! HTTPS on its own port (the SIP port + 2, e.g. 5062, else any free port; the link says
//! which), with the PBX's TLS certificate; the app trusts it by the fingerprint the link
//! carries, so no certificate authority is needed. One request per connection:
//! `POST /provision/<token>`. A known, unused, unexpired token is burnt, the extension
//! gets a new password (the old one stops working: the remote app now holds the
//! account) and the account is answered in JSON. Every refusal is the same 404, so a
//! guesser learns nothing about which tokens exist.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// The request head may not be larger (a token is 24 characters).
const MAX_HEAD: usize = 4096;
/// A client gets this long for the handshake and its request.
const CLIENT_TIME: Duration = Duration::from_secs(10);
/// The listener's port is the SIP port plus this, when free.
const PORT_OFFSET: u16 = 2;
pub(crate) const PATH_PREFIX: &str = "/provision/";

/// What a redeemed link gives the remote app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionedAccount {
    pub user: String,
    pub display_name: Option<String>,
    /// Freshly generated; it replaced the extension's old password.
    pub password: String,
    /// The PBX's SIP port at the link's host.
    pub sip_port: u16,
    /// `tls` when the PBX serves SIP over TLS (with the certificate the link pins), else
    /// `tcp`: a stream keeps the NAT mapping open with keep-alives either way.
    pub transport: String,
}

/// The running listener, as the link maker needs it.
#[derive(Debug, Clone)]
pub(crate) struct ProvisionListener {
    pub addr: SocketAddr,
    /// SHA-256 of the certificate, `AB:CD:…`.
    pub fingerprint: String,
}

struct Redeemer {
    store: Mutex<store::Store>,
    realm: String,
    engine: engine::EngineHandle,
    sip_port: u16,
    /// The SIP-over-TLS port, when TLS is on: remote phones are then set up to use it.
    tls_port: Option<u16>,
}

/// Starts the listener next to the PBX's first SIP address. `None` (logged) when it cannot:
/// remote setup links are then unavailable and the admin screen says so.
pub(crate) async fn start(
    config: &engine::Config,
    engine: &engine::EngineHandle,
) -> Option<ProvisionListener> {
    let sip = *engine.sip_addrs().first()?;
    let data_dir = config.data_dir.clone();
    let opened = tokio::task::spawn_blocking(move || {
        let identity = engine::tls_cert::load_or_create(&data_dir).map_err(|e| e.to_string())?;
        let store = store::Store::open(&data_dir).map_err(|e| e.to_string())?;
        Ok::<_, String>((identity, store))
    })
    .await;
    let (identity, store) = match opened {
        Ok(Ok(pair)) => pair,
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "remote setup links unavailable");
            return None;
        }
        Err(_) => return None,
    };
    let tls = match identity.server_config_with_alpn(&[b"http/1.1"]) {
        Ok(tls) => TlsAcceptor::from(tls),
        Err(e) => {
            tracing::warn!(error = %e, "remote setup links unavailable");
            return None;
        }
    };
    let preferred = SocketAddr::new(sip.ip(), sip.port().saturating_add(PORT_OFFSET));
    let listener = match TcpListener::bind(preferred).await {
        Ok(l) => l,
        Err(_) => match TcpListener::bind(SocketAddr::new(sip.ip(), 0)).await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!(error = %e, "remote setup links unavailable");
                return None;
            }
        },
    };
    let addr = listener.local_addr().ok()?;
    tracing::info!(%addr, "listening for remote setup links (HTTPS)");
    let redeemer = Arc::new(Redeemer {
        store: Mutex::new(store),
        realm: config.realm.clone(),
        engine: engine.clone(),
        sip_port: sip.port(),
        tls_port: config.tls_listen.iter().map(|a| a.port()).find(|&p| p != 0),
    });
    tokio::spawn(accept_loop(listener, tls, redeemer));
    Some(ProvisionListener {
        addr,
        fingerprint: identity.fingerprint().to_owned(),
    })
}

async fn accept_loop(listener: TcpListener, tls: TlsAcceptor, redeemer: Arc<Redeemer>) {
    loop {
        let Ok((stream, peer)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let (tls, redeemer) = (tls.clone(), Arc::clone(&redeemer));
        tokio::spawn(async move {
            let served = tokio::time::timeout(CLIENT_TIME, async {
                let mut stream = tls.accept(stream).await?;
                let head = read_head(&mut stream).await?;
                let (status, body) = answer(&redeemer, &head).await;
                let response = format!(
                    "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                stream.write_all(response.as_bytes()).await?;
                stream.shutdown().await
            })
            .await;
            if let Ok(Err(e)) = served {
                tracing::debug!(%peer, error = %e, "setup link connection failed");
            }
        });
    }
}

/// The request line and headers (the body, if any, is not needed).
async fn read_head(stream: &mut (impl AsyncReadExt + Unpin)) -> std::io::Result<Vec<u8>> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await?;
        if n == 0 || head.len() + n > MAX_HEAD {
            return Err(std::io::ErrorKind::InvalidData.into());
        }
        head.extend_from_slice(buf.get(..n).unwrap_or(&[]));
    }
    Ok(head)
}

async fn answer(redeemer: &Arc<Redeemer>, head: &[u8]) -> (&'static str, String) {
    let refused = || {
        (
            "404 Not Found",
            r#"{"error":"this setup link is not valid: it was used, revoked or has expired"}"#
                .to_owned(),
        )
    };
    let line = head.split(|&b| b == b'\r').next().unwrap_or(&[]);
    let line = String::from_utf8_lossy(line);
    let mut parts = line.split(' ');
    let (Some(method), Some(path)) = (parts.next(), parts.next()) else {
        return ("400 Bad Request", r#"{"error":"bad request"}"#.to_owned());
    };
    let Some(token) = path.strip_prefix(PATH_PREFIX) else {
        return refused();
    };
    if method != "POST" {
        return (
            "405 Method Not Allowed",
            r#"{"error":"use POST"}"#.to_owned(),
        );
    }
    let token = token.to_owned();
    let r = Arc::clone(redeemer);
    let redeemed = tokio::task::spawn_blocking(move || {
        let store = r.store.lock().unwrap_or_else(|p| p.into_inner());
        let now = crate::command::now_unix();
        let Some(number) = store.redeem_provisioning_token(&token, now)? else {
            return Ok(None);
        };
        let name = store.extension(&number)?.map(|e| e.name);
        let password = store.reset_password(&number, &r.realm)?;
        Ok::<_, store::Error>(Some((number, name, password)))
    })
    .await;
    match redeemed {
        Ok(Ok(Some((user, display_name, password)))) => {
            // The PBX checks the new password from now on.
            let _ = redeemer.engine.reload_extensions().await;
            tracing::info!(extension = %user, "setup link redeemed");
            let (transport, sip_port) = match redeemer.tls_port {
                Some(port) => ("tls", port),
                None => ("tcp", redeemer.sip_port),
            };
            let account = ProvisionedAccount {
                user,
                display_name,
                password,
                sip_port,
                transport: transport.to_owned(),
            };
            match serde_json::to_string(&account) {
                Ok(body) => ("200 OK", body),
                Err(_) => refused(),
            }
        }
        Ok(Ok(None)) => refused(),
        Ok(Err(e)) => {
            tracing::warn!(error = %e, "setup link could not be redeemed");
            refused()
        }
        Err(_) => refused(),
    }
}

/// Starts the listener for the PBX the API serves (none without a PBX) and gives it to the
/// commands.
pub(crate) async fn attach(mut ctx: crate::command::Ctx) -> crate::command::Ctx {
    ctx.provisioning = start(&ctx.engine_config, &ctx.engine).await;
    ctx
}
