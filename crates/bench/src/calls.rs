//! The calls/s measurement: callers on several sockets, an answering endpoint, and the PBX
//! relaying every call between them as a B2BUA.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use tokio::net::UdpSocket;
use tokio::sync::watch;

use crate::auth::Credentials;
use crate::callee::{AnswerPlan, CalleeLane, CalleeStats};
use crate::caller::{CallPlan, CallStats, CallerLane, Control, Hold, Pacing, Progress};
use crate::extensions::Extension;
use crate::process::{Cost, CostMeter};
use crate::register::{self, RegisterLane, RegisterStats, Until};

/// Phones registered on one socket, ready to call or answer.
pub struct Registered {
    pub socket: UdpSocket,
    pub local: SocketAddr,
    pub creds: Vec<Credentials>,
    pub numbers: Vec<String>,
    pub stats: RegisterStats,
}

/// Registers `extensions`, `per_socket` phones per socket, every socket at once.
pub async fn register_lanes(
    server: SocketAddr,
    extensions: &[Extension],
    per_socket: usize,
    timeout: Duration,
) -> anyhow::Result<Vec<Registered>> {
    let mut tasks = Vec::new();
    for chunk in extensions.chunks(per_socket.max(1)) {
        let socket = register::bind_near(server).await?;
        let local = register::local_addr_for(&socket, server)?;
        let chunk = chunk.to_vec();
        tasks.push(tokio::spawn(async move {
            let mut lane = RegisterLane::new(server, local, &chunk, 32, 3600, timeout);
            lane.run(&socket, Until::Once).await;
            let stats = lane.stats.clone();
            Registered {
                socket,
                local,
                creds: lane.into_credentials(),
                numbers: chunk.into_iter().map(|e| e.number).collect(),
                stats,
            }
        }));
    }
    let mut lanes = Vec::new();
    for t in tasks {
        let lane = t.await?;
        if lane.stats.failures() > 0 || lane.stats.ok < lane.creds.len() as u64 {
            bail!(
                "registration failed: {} of {} phones registered ({} refused, {} timed out, other {:?})",
                lane.stats.ok,
                lane.creds.len(),
                lane.stats.rejected,
                lane.stats.timeouts,
                lane.stats.other
            );
        }
        lanes.push(lane);
    }
    Ok(lanes)
}

/// Starts answering on every registered lane; returns the stop switch and the tasks.
pub fn answer(
    lanes: Vec<Registered>,
    plan: &AnswerPlan,
) -> (
    watch::Sender<bool>,
    Vec<tokio::task::JoinHandle<CalleeStats>>,
) {
    let (stop, stop_rx) = watch::channel(false);
    let tasks = lanes
        .into_iter()
        .enumerate()
        .map(|(i, lane)| {
            let callee = CalleeLane::new(lane.socket, lane.local, plan.clone(), i);
            tokio::spawn(callee.run(stop_rx.clone()))
        })
        .collect();
    (stop, tasks)
}

/// Parameters of the calls/s measurement.
#[derive(Debug, Clone)]
pub struct CallLoad {
    pub server: SocketAddr,
    pub extensions: Vec<Extension>,
    /// How many extensions (the first ones) answer; the rest call.
    pub callees: usize,
    /// Total rate, or total calls in progress, over all caller sockets.
    pub pacing: Pacing,
    pub duration: Duration,
    pub hold: Duration,
    pub sdp: bool,
    pub ringing: bool,
    pub phones_per_socket: usize,
    pub timeout: Duration,
    /// The daemon, to report its CPU use while calls are placed.
    pub server_pid: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct CallReport {
    pub calls: CallStats,
    pub answering: CalleeStats,
    pub elapsed: Duration,
    pub caller_sockets: usize,
    pub cost: Cost,
}

impl CallReport {
    pub fn per_second(&self) -> f64 {
        self.calls.completed as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

pub async fn run(load: CallLoad) -> anyhow::Result<CallReport> {
    if load.callees == 0 || load.callees >= load.extensions.len() {
        bail!("need at least one answering and one calling extension");
    }
    let (callee_exts, caller_exts) = load.extensions.split_at(load.callees);
    let answering = register_lanes(
        load.server,
        callee_exts,
        load.phones_per_socket,
        load.timeout,
    )
    .await
    .context("answering extensions")?;
    let callees: Arc<Vec<String>> =
        Arc::new(answering.iter().flat_map(|l| l.numbers.clone()).collect());
    let plan = AnswerPlan {
        ringing: load.ringing,
        sdp: load.sdp,
        timeout: load.timeout,
        media: None,
    };
    let (stop_answering, answer_tasks) = answer(answering, &plan);
    let callers = register_lanes(
        load.server,
        caller_exts,
        load.phones_per_socket,
        load.timeout,
    )
    .await
    .context("calling extensions")?;

    let lanes = callers.len();
    let meter = CostMeter::start(load.server_pid);
    let started = Instant::now();
    let call_plan = CallPlan {
        pacing: share(load.pacing, lanes),
        hold: Hold::For(load.hold),
        stop_at: Some(started + load.duration),
        max_calls: None,
        timeout: load.timeout,
        sdp: load.sdp,
        media: None,
    };
    let (_control, control_rx) = watch::channel(Control::Run);
    let progress = Arc::new(Progress::default());
    let mut tasks = Vec::new();
    for (i, lane) in callers.into_iter().enumerate() {
        let caller = CallerLane::new(
            lane.socket,
            lane.local,
            load.server,
            lane.creds,
            callees.clone(),
            i,
            call_plan.clone(),
            control_rx.clone(),
            progress.clone(),
        );
        tasks.push(tokio::spawn(caller.run()));
    }
    let mut calls = CallStats::default();
    for t in tasks {
        calls.merge(&t.await?);
    }
    let elapsed = started.elapsed();
    let cost = meter.finish();
    let _ = stop_answering.send(true);
    let mut answered = CalleeStats::default();
    for t in answer_tasks {
        answered.merge(&t.await?);
    }
    Ok(CallReport {
        calls,
        answering: answered,
        elapsed,
        caller_sockets: lanes,
        cost,
    })
}

/// One lane's part of a total pacing.
pub fn share(pacing: Pacing, lanes: usize) -> Pacing {
    let lanes = lanes.max(1);
    match pacing {
        Pacing::Rate(r) => Pacing::Rate(r / lanes as f64),
        Pacing::Window(n) => Pacing::Window(n.div_ceil(lanes).max(1)),
    }
}
