//! `switchboard phone`: a headless softphone on the sound card or on files. It registers
//! one account, can call or answer, plays a tone or a WAV file as its microphone (or uses
//! the PC's microphone and speaker), records what it hears, and prints what happens as
//! JSON lines. The first step of the built-in
//! softphone, and how the PBX is tested with it end to end.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use phone::audio::{AudioBackend, CpalBackend, FileBackend, FileSource, Selected};
use phone::call_media::{default_offer, parse_offer, SrtpMode};
use phone::runtime::{Phone, PhoneEvent, PhoneOptions};
use phone::ua::{Account, CallHandle, RegistrationEvent};
use serde_json::json;

/// Time between answer and the first key, so the far end is listening.
const KEYS_DELAY: Duration = Duration::from_millis(1000);

#[derive(clap::Args)]
pub struct Args {
    /// The PBX (or other registrar) to register with, e.g. 192.168.1.10:5060
    #[arg(long, value_name = "ADDR", required_unless_present = "provision")]
    server: Option<SocketAddr>,
    /// The extension to register as
    #[arg(long, required_unless_present = "provision")]
    user: Option<String>,
    #[arg(long, required_unless_present = "provision")]
    password: Option<String>,
    /// Set the account up from a setup link made by the office's PBX (Extensions → "Set
    /// up a remote phone"), instead of --server, --user, --password and --tcp; the link
    /// works once
    #[arg(long, value_name = "LINK", conflicts_with_all = ["server", "user", "password", "auth_user"])]
    provision: Option<String>,
    /// The digest user name, when it differs from --user
    #[arg(long)]
    auth_user: Option<String>,
    /// Talk SIP to the server over TCP instead of UDP
    #[arg(long, conflicts_with = "tls")]
    tcp: bool,
    /// Talk SIP to the server over TLS (usually port 5061)
    #[arg(long)]
    tls: bool,
    /// With --tls: the SHA-256 fingerprint the server's certificate must have (the PBX's
    /// Settings page shows it); without it the system's trusted authorities must vouch
    /// for the certificate
    #[arg(long, value_name = "SHA256", requires = "tls")]
    fingerprint: Option<String>,
    /// Send a continuous tone of this frequency as the microphone (files instead of the
    /// sound card)
    #[arg(long, value_name = "HZ", conflicts_with = "wav")]
    tone: Option<f64>,
    /// Send this 16-bit WAV file (looped) as the microphone
    #[arg(long, value_name = "FILE")]
    wav: Option<PathBuf>,
    /// Write what the far end sends to this WAV file (8 kHz mono; files instead of the
    /// sound card, with a silent microphone unless --tone or --wav)
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
    /// The sound card's microphone to use, by name [default: the system's]; without
    /// --tone, --wav or --record the phone runs on the sound card
    #[arg(long, value_name = "NAME", conflicts_with_all = ["tone", "wav", "record"])]
    input: Option<Box<str>>,
    /// The sound card's speaker or headset to use, by name [default: the system's]
    #[arg(long, value_name = "NAME", conflicts_with_all = ["tone", "wav", "record"])]
    output: Option<Box<str>>,
    /// Call this number once registered
    #[arg(long, value_name = "NUMBER")]
    dial: Option<String>,
    /// Answer incoming calls at once
    #[arg(long)]
    auto_answer: bool,
    /// Send these DTMF keys once a call is answered
    #[arg(long, value_name = "KEYS")]
    dtmf: Option<String>,
    /// Put the call on hold this many seconds after it is answered
    #[arg(long, value_name = "SECS")]
    hold_after: Option<f64>,
    /// Transfer the answered call to this number (blind), --transfer-after seconds after
    /// it is answered; with --ask-first, call the number first and join the two when it
    /// answers (attended)
    #[arg(long, value_name = "NUMBER")]
    transfer_to: Option<String>,
    #[arg(long, value_name = "SECS", default_value_t = 1.0)]
    transfer_after: f64,
    #[arg(long, requires = "transfer_to")]
    ask_first: bool,
    /// Codecs to offer and accept, best first, e.g. opus,g722,pcmu (opus, g722, pcmu, pcma)
    /// [default: opus,g722,pcmu,pcma]
    #[arg(long, value_name = "LIST")]
    codecs: Option<String>,
    /// Do not register: --server is another phone, and --dial (e.g. sip:bob@127.0.0.1:5070)
    /// is called straight away
    #[arg(long)]
    no_register: bool,
    /// Take SIP on this UDP address, so another phone can call this one directly at a
    /// known port (e.g. 0.0.0.0:5070; port 0 picks a free one, printed as `listening`)
    #[arg(long, value_name = "ADDR", conflicts_with_all = ["tcp", "tls"])]
    listen: Option<SocketAddr>,
    /// Sample rate of the file device: of the --wav microphone as played and of the
    /// --record file (16000 keeps wideband codecs wideband)
    #[arg(long, value_name = "HZ", default_value_t = 8000)]
    file_rate: u32,
    /// Encrypt calls' audio (SRTP): auto (when signalling over --tls), off, or required
    /// (needs --tls; plain calls refused)
    #[arg(long, value_name = "MODE", default_value = "auto")]
    srtp: String,
}

pub fn run(mut args: Args) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the runtime")?;
    if let Some(link) = args.provision.take() {
        runtime.block_on(provision(&mut args, &link))?;
    }
    runtime.block_on(run_async(args))
}

async fn run_async(args: Args) -> anyhow::Result<()> {
    let audio = audio_backend(&args)?;
    let codecs = match &args.codecs {
        Some(list) => parse_offer(list).context("--codecs")?,
        None => default_offer(),
    };
    let options = PhoneOptions {
        codecs,
        register: !args.no_register,
        tls_fingerprint: args.fingerprint.clone(),
        listen: args.listen,
        srtp: SrtpMode::parse(&args.srtp).context("--srtp")?,
        ..PhoneOptions::default()
    };
    let account = Account {
        server: args.server.context("--server is required")?,
        transport: if args.tls {
            sip::Transport::Tls
        } else if args.tcp {
            sip::Transport::Tcp
        } else {
            sip::Transport::Udp
        },
        domain: None,
        user: args.user.clone().unwrap_or_default(),
        auth_user: args.auth_user.clone(),
        password: args.password.clone().unwrap_or_default(),
        display_name: None,
        expires: 300,
    };
    let phone = Phone::start_with(account, audio, options)
        .await
        .context("cannot start the phone")?;
    println!(
        "{}",
        json!({"event": "listening", "address": phone.sip_addr().to_string()})
    );
    let mut events = phone.subscribe();
    let mut dialled = false;
    // The call being transferred and, when asking first, the consultation call.
    let transfer: TransferState = Arc::default();
    if args.no_register {
        if let Some(number) = &args.dial {
            dialled = true;
            if let Err(err) = phone.dial(number).await {
                println!("{}", json!({"event": "error", "error": err.to_string()}));
            }
        }
    }
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("cannot watch for SIGTERM")?;
    loop {
        let event = tokio::select! {
            e = events.recv() => e,
            _ = tokio::signal::ctrl_c() => break,
            _ = terminate.recv() => break,
        };
        let event = match event {
            Ok(e) => e,
            Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => continue,
            Err(tokio::sync::broadcast::error::RecvError::Closed) => break,
        };
        print(&event);
        match event {
            PhoneEvent::Registration(RegistrationEvent::Registered { .. }) if !dialled => {
                if let Some(number) = &args.dial {
                    dialled = true;
                    if let Err(err) = phone.dial(number).await {
                        println!("{}", json!({"event": "error", "error": err.to_string()}));
                    }
                }
            }
            PhoneEvent::Incoming { call, .. } if args.auto_answer => {
                if let Err(err) = phone.answer(call).await {
                    println!("{}", json!({"event": "error", "error": err.to_string()}));
                }
            }
            PhoneEvent::Answered { call } => {
                start_transfer(&phone, &args, &transfer, call);
                if let Some(keys) = args.dtmf.clone() {
                    let phone = phone.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(KEYS_DELAY).await;
                        if let Err(err) = phone.send_dtmf(call, &keys).await {
                            println!("{}", json!({"event": "error", "error": err.to_string()}));
                        }
                    });
                }
                if let Some(secs) = args.hold_after {
                    let phone = phone.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(Duration::from_secs_f64(secs.max(0.0))).await;
                        if let Err(err) = phone.hold(call).await {
                            println!("{}", json!({"event": "error", "error": err.to_string()}));
                        }
                    });
                }
            }
            _ => {}
        }
    }
    phone.shutdown().await.context("shutting down")?;
    Ok(())
}

/// The call being transferred and, when asking first, its consultation call.
type TransferState = Arc<std::sync::Mutex<Option<(CallHandle, Option<CallHandle>)>>>;

/// `--transfer-to`: the first call answered is transferred after a pause; with
/// `--ask-first` the consultation call, once answered, is joined to it a second later.
fn start_transfer(phone: &Phone, args: &Args, state: &TransferState, call: CallHandle) {
    let Some(to) = args.transfer_to.clone() else {
        return;
    };
    let mut guard = state.lock().unwrap_or_else(|p| p.into_inner());
    let (phone, state) = (phone.clone(), Arc::clone(state));
    match *guard {
        None => {
            *guard = Some((call, None));
            let (delay, ask) = (args.transfer_after.max(0.0), args.ask_first);
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs_f64(delay)).await;
                let result = if ask {
                    phone.consult(call, &to).await.map(|consult| {
                        let mut g = state.lock().unwrap_or_else(|p| p.into_inner());
                        *g = Some((call, Some(consult)));
                    })
                } else {
                    phone.transfer(call, &to).await
                };
                if let Err(err) = result {
                    println!("{}", json!({"event": "error", "error": err.to_string()}));
                }
            });
        }
        Some((original, Some(consult))) if consult == call => {
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(1)).await;
                if let Err(err) = phone.complete_transfer(original, consult).await {
                    println!("{}", json!({"event": "error", "error": err.to_string()}));
                }
            });
        }
        _ => {}
    }
}

/// One JSON line per event, for scripts and tests.
/// Redeems a setup link at the office and takes the account it gives; prints a
/// `provisioned` line (without the password).
async fn provision(args: &mut Args, link: &str) -> anyhow::Result<()> {
    let link = api::SetupLink::parse(link)?;
    let got = api::redeem_setup_link(&link).await?;
    let server = tokio::net::lookup_host(got.server.as_str())
        .await
        .ok()
        .and_then(|mut a| a.next())
        .with_context(|| format!("cannot find the office at {}", got.server))?;
    println!(
        "{}",
        json!({
            "event": "provisioned", "server": got.server, "user": got.account.user,
            "transport": got.account.transport,
        })
    );
    args.server = Some(server);
    args.user = Some(got.account.user);
    args.password = Some(got.account.password);
    args.tcp = got.account.transport == "tcp";
    args.tls = got.account.transport == "tls";
    args.fingerprint = got.tls_fingerprint;
    Ok(())
}

fn print(event: &PhoneEvent) {
    let line = match event {
        PhoneEvent::Registration(RegistrationEvent::Registered { expires }) => {
            json!({"event": "registered", "expires": expires})
        }
        PhoneEvent::Registration(RegistrationEvent::Unregistered) => {
            json!({"event": "unregistered"})
        }
        PhoneEvent::Registration(RegistrationEvent::Failed { status, reason, .. }) => {
            json!({"event": "registration_failed", "status": status, "reason": reason})
        }
        PhoneEvent::Incoming { call, caller } => json!({
            "event": "incoming", "call": call.id(),
            "name": caller.name, "number": caller.number,
        }),
        PhoneEvent::Ringing { call } => json!({"event": "ringing", "call": call.id()}),
        PhoneEvent::Answered { call } => json!({"event": "answered", "call": call.id()}),
        PhoneEvent::Failed {
            call,
            status,
            reason,
        } => json!({"event": "failed", "call": call.id(), "status": status, "reason": reason}),
        PhoneEvent::HoldChanged {
            call,
            held_locally,
            held_remotely,
        } => json!({
            "event": "hold_changed", "call": call.id(),
            "held_locally": held_locally, "held_remotely": held_remotely,
        }),
        PhoneEvent::Ended { call, reason } => {
            json!({"event": "ended", "call": call.id(), "reason": reason})
        }
        PhoneEvent::Key { call, key } => {
            json!({"event": "key", "call": call.id(), "key": key.to_string()})
        }
        PhoneEvent::Transfer { call, progress } => {
            json!({"event": "transfer", "call": call.id(), "progress": format!("{progress:?}")})
        }
        PhoneEvent::Refused { caller, reason } => json!({
            "event": "refused", "number": caller.number, "reason": format!("{reason:?}"),
        }),
        PhoneEvent::Codec {
            call,
            codec,
            clock_rate,
            encrypted,
        } => json!({
            "event": "codec", "call": call.id(), "codec": codec, "clock_rate": clock_rate,
            "encrypted": encrypted,
        }),
        PhoneEvent::Quality { call, quality } => json!({
            "event": "quality", "call": call.id(),
            "loss_percent": quality.loss_percent,
            "far_loss_percent": quality.far_loss_percent,
            "jitter_ms": quality.jitter.map(|d| d.as_millis() as u64),
            "round_trip_ms": quality.round_trip.map(|d| d.as_millis() as u64),
        }),
        PhoneEvent::DeviceChoice { call, problem } => json!({
            "event": "device_choice", "call": call.id(), "problem": problem,
        }),
    };
    println!("{line}");
}

/// Files when --tone, --wav or --record ask for them, else the sound card (its chosen or
/// default devices), which must have both a microphone and a speaker.
fn audio_backend(args: &Args) -> anyhow::Result<Arc<dyn AudioBackend>> {
    let source = match (&args.tone, &args.wav) {
        (Some(hz), _) => Some(FileSource::Tone(*hz)),
        (None, Some(path)) => Some(FileSource::Wav(path.clone())),
        (None, None) => None,
    };
    if source.is_some() || args.record.is_some() {
        let source = source.unwrap_or(FileSource::Silence);
        return Ok(Arc::new(FileBackend::new(
            source,
            args.record.clone(),
            args.file_rate,
        )));
    }
    let cpal = CpalBackend::new();
    let names = |list: Result<Vec<phone::audio::DeviceInfo>, _>, what: &str| {
        let list: Vec<String> = list
            .with_context(|| format!("cannot list the {what}s"))?
            .into_iter()
            .map(|d| d.name)
            .collect();
        if list.is_empty() {
            anyhow::bail!(
                "no audio device: this machine has no {what} (use --tone or --wav to run on files)"
            );
        }
        Ok(list)
    };
    let inputs = names(cpal.input_devices(), "microphone")?;
    let outputs = names(cpal.output_devices(), "speaker")?;
    for (chosen, list, what) in [
        (args.input.as_deref(), &inputs, "--input"),
        (args.output.as_deref(), &outputs, "--output"),
    ] {
        if let Some(name) = chosen {
            if !list.iter().any(|n| n == name) {
                anyhow::bail!(
                    "{what}: no device named {name:?}; there are: {}",
                    list.join(", ")
                );
            }
        }
    }
    Ok(Arc::new(Selected::new(
        Arc::new(cpal),
        args.input.as_deref().map(str::to_owned),
        args.output.as_deref().map(str::to_owned),
    )))
}
