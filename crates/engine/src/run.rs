//! Starting the PBX: open the store, bind the sockets, restore registrations, run.

use std::net::SocketAddr;
use std::time::Instant;

use pbx::registrar::{Directory, RegistrarConfig};
use pbx::{Pbx, PbxConfig};
use tokio::sync::{broadcast, mpsc};

use crate::advertise::Advertised;
use crate::cdr_writer::CdrWriter;
use crate::core_loop::{unix_now, Core};
use crate::handle::{Engine, EngineHandle};
use crate::media_bridge::Relays;
use crate::net::{
    bind_sip_pair, bind_tcp, Blocklist, TcpConnections, TcpListenerTask, TlsConnections,
    TlsListenerTask, UdpSockets,
};
use crate::plan_sync::PlanSync;
use crate::relay::{salvage_recordings, Music, RelayPool};
use crate::trunk_net::{local_address_towards, TrunkNet};
use crate::{bridge, Config, EngineError};

/// Queue depth between the socket tasks and the core.
const EVENT_QUEUE: usize = 16 * 1024;

/// Queue depth between the trunk network task and the core (a few messages per plan).
const TRUNK_EVENT_QUEUE: usize = 16;

/// Runs the PBX until `shutdown` resolves. Must be called within a multi-threaded tokio
/// runtime.
pub async fn run(
    config: Config,
    shutdown: impl std::future::Future<Output = ()>,
) -> Result<(), EngineError> {
    let engine = start(config).await?;
    let handle = engine.handle.clone();
    tokio::select! {
        _ = shutdown => handle.shutdown().await,
        _ = handle.commands.closed() => {}
    }
    engine.wait().await;
    Ok(())
}

/// Starts the PBX in the background and returns a handle to it.
pub async fn start(config: Config) -> Result<Engine, EngineError> {
    let store = store::Store::open(&config.data_dir)?;
    let directory = crate::load_directory(&store, &config.realm)?;
    let data_version = store.data_version()?;
    let bindings = store.binding_writer()?;
    let cdrs = CdrWriter::spawn(&config.data_dir)?;

    let (events_tx, events) = mpsc::channel(EVENT_QUEUE);
    let (commands_tx, commands) = mpsc::channel(64);
    let (broadcast, _) = broadcast::channel(1024);
    let mut sip_addrs = Vec::new();
    let mut udp = UdpSockets::default();
    let blocked = Blocklist::default();
    let tcp = TcpConnections::default();
    let mut listens = Vec::new();
    for addr in &config.listen {
        let (udp_socket, tcp_listener) = match bind_sip_pair(*addr) {
            Ok(pair) => pair,
            // A machine without IPv6 still serves IPv4 when both wildcards are asked for.
            Err(e) if addr.is_ipv6() && addr.ip().is_unspecified() && config.listen.len() > 1 => {
                tracing::warn!(%addr, error = %e, "IPv6 not available; serving IPv4 only");
                continue;
            }
            Err(e) => return Err(EngineError::Bind(*addr, e)),
        };
        let bound = udp
            .adopt(udp_socket, events_tx.clone(), blocked.clone())
            .map_err(|e| EngineError::Bind(*addr, e))?;
        let tcp_addr = TcpListenerTask::adopt(
            tcp_listener,
            tcp.clone(),
            events_tx.clone(),
            blocked.clone(),
        )
        .map_err(|e| EngineError::Bind(*addr, e))?;
        sip_addrs.push(bound);
        listens.push(SocketAddr::new(addr.ip(), bound.port()));
        tracing::info!(udp = %bound, tcp = %tcp_addr, "listening for SIP");
    }
    let (tls, tls_addrs) = listen_tls(&config, &events_tx, &blocked)?;
    let tls_listens = tls_addrs.clone();
    let advertised =
        Advertised::new(listens, Box::new(local_address_towards)).with_tls(tls_listens);
    tracing::info!(local = ?advertised.current(), "advertised addresses");
    let local = advertised.current().to_vec();

    let now = Instant::now();
    let mut pbx_config = PbxConfig::new(local, RegistrarConfig::new(config.realm.clone()));
    pbx_config.user_agent = format!("Switchboard/{}", env!("CARGO_PKG_VERSION"));
    let public_address = crate::public_address::saved(&store);
    pbx_config.public_ip = crate::public_address::load(public_address).await;
    pbx_config.srtp = crate::srtp_settings::load(&store);
    let pool = RelayPool::new(config.rtp_ports.clone());
    // Recordings a crash interrupted are kept up to where they were written, or removed.
    let salvaged = salvage_recordings(&config.data_dir.join(pbx::RECORDINGS_DIR));
    if !salvaged.kept.is_empty() || !salvaged.removed.is_empty() {
        tracing::warn!(
            kept = salvaged.kept.len(),
            removed = salvaged.removed.len(),
            "recordings interrupted by the last stop"
        );
    }
    let music = Music::for_data_dir(&config.data_dir);
    let (mut relays, allocator) = Relays::new(pool, music, config.data_dir.clone());
    relays.keep_recordings(crate::relay::RecordKeeper::start(
        &config.data_dir,
        broadcast.clone(),
    )?);
    let mut pbx = Pbx::new(now, pbx_config, directory, Box::new(allocator), None);
    let (endpoints, endpoint_allocator, endpoint_events) =
        crate::media_endpoint::Endpoints::new(config.rtp_ports.clone(), config.data_dir.clone());
    pbx.set_media_endpoints(Box::new(endpoint_allocator));
    let (conference, conference_allocator, conference_events) =
        crate::conference::Conferences::new(config.rtp_ports.clone());
    pbx.set_conference_endpoints(Box::new(conference_allocator));
    crate::conference::sync_rooms(&mut pbx, &store);
    let participants = conference.shared();
    crate::media_endpoint::sync_mailboxes(now, &mut pbx, &store);
    crate::forwarding::sync_forwarding(&mut pbx, &store);
    crate::relay::sync_always_record(&mut pbx, &store);

    // Restore the phones registered before the last stop.
    let unix = unix_now();
    let stored = store.load_live_bindings(i64::try_from(unix).unwrap_or(i64::MAX))?;
    let restored = pbx.registrar_mut().load(
        now,
        unix,
        stored.into_iter().filter_map(bridge::from_store_binding),
    );
    tracing::info!(restored, "registrations restored");

    // Trunks start registering as soon as their host names resolve.
    let (trunk_events_tx, trunk_events) = mpsc::channel(TRUNK_EVENT_QUEUE);
    let ipv4 = sip_addrs.iter().any(SocketAddr::is_ipv4);
    let ipv6 = sip_addrs.iter().any(SocketAddr::is_ipv6);
    let net = TrunkNet::spawn(ipv4, ipv6, trunk_events_tx);
    let mut plan = PlanSync::new(net, advertised);
    plan.reload(now, &mut pbx, &store);
    let guard = crate::guard_allow::new_guard(now, &sip_addrs, &store);

    let core = Core {
        pbx,
        events,
        events_tx,
        udp,
        tcp,
        tls,
        relays,
        bindings,
        cdrs,
        store,
        data_version,
        plan,
        trunk_events,
        commands,
        broadcast: broadcast.clone(),
        endpoints,
        endpoint_events,
        conference,
        conference_events,
        guard,
        blocked,
    };
    // Voicemail e-mails leave from their own task, woken by the events.
    crate::mail::spawn(config.data_dir.clone(), broadcast.subscribe());
    let task = tokio::spawn(core.run());
    Ok(Engine {
        handle: EngineHandle {
            commands: commands_tx,
            events: broadcast,
            sip_addrs,
            conference: participants,
        },
        task,
        tls_addrs,
    })
}

/// Binds the SIP-over-TLS listeners, with the certificate from the data folder (made on
/// first use). Nothing is loaded when TLS is off.
fn listen_tls(
    config: &Config,
    events: &mpsc::Sender<crate::net::NetEvent>,
    blocked: &Blocklist,
) -> Result<(TlsConnections, Vec<SocketAddr>), EngineError> {
    let conns = TlsConnections::default();
    let mut bound = Vec::new();
    if config.tls_listen.is_empty() {
        return Ok((conns, bound));
    }
    let identity = crate::tls_cert::load_or_create(&config.data_dir)?;
    tracing::info!(fingerprint = %identity.fingerprint(), "TLS certificate");
    let acceptor = tokio_rustls::TlsAcceptor::from(identity.server_config());
    for addr in &config.tls_listen {
        let listener = bind_tcp(*addr).map_err(|e| EngineError::Bind(*addr, e))?;
        let local = TlsListenerTask::adopt(
            listener,
            acceptor.clone(),
            conns.clone(),
            events.clone(),
            blocked.clone(),
        )
        .map_err(|e| EngineError::Bind(*addr, e))?;
        tracing::info!(tls = %local, "listening for SIP over TLS");
        bound.push(SocketAddr::new(addr.ip(), local.port()));
    }
    Ok((conns, bound))
}

/// The directory of extensions as the registrar needs it.
pub(crate) fn load_directory(store: &store::Store, realm: &str) -> Result<Directory, EngineError> {
    let mut directory = Directory::new();
    for ext in store.extensions()? {
        if ext.realm != realm {
            tracing::warn!(
                extension = %ext.number,
                ext_realm = %ext.realm,
                %realm,
                "extension was created for another realm; its phones cannot log in until its password is reset"
            );
        }
        directory.insert(bridge::directory_entry(&ext));
    }
    Ok(directory)
}
