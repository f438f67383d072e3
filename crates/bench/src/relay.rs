//! The relay measurement: many answered calls at once, both phones of each sending G.711
//! every 20 ms through the PBX, counting loss, one-way delay and jitter.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use tokio::sync::watch;

use crate::callee::AnswerPlan;
use crate::caller::{CallPlan, CallStats, CallerLane, Control, Hold, Pacing, Progress};
use crate::calls::{answer, register_lanes, share};
use crate::extensions::Extension;
use crate::histogram::Histogram;
use crate::media::{self, MediaHandle, MediaReport, Phase, PACKET_INTERVAL};
use crate::process::{Cost, CostMeter};

#[derive(Debug, Clone)]
pub struct RelayLoad {
    pub server: SocketAddr,
    pub extensions: Vec<Extension>,
    pub calls: usize,
    pub duration: Duration,
    /// Calls set up per second before the audio starts.
    pub setup_rate: f64,
    /// Calls whose audio shares one socket on each side.
    pub streams_per_socket: usize,
    pub phones_per_socket: usize,
    pub timeout: Duration,
    /// The daemon, to report its CPU use while the audio flows.
    pub server_pid: Option<u32>,
}

#[derive(Debug, Clone, Default)]
pub struct RelayReport {
    pub calls_answered: u64,
    pub streams: usize,
    pub sent: u64,
    pub received: u64,
    pub duplicates: u64,
    /// Streams that lost at least one packet.
    pub lossy_streams: usize,
    pub delay: Histogram,
    pub jitter_mean_us: f64,
    pub jitter_max_us: f64,
    pub send_errors: u64,
    pub late_ticks: u64,
    /// CPU used while the audio flowed.
    pub cost: Cost,
    pub audio_seconds: f64,
    pub signalling: CallStats,
}

impl RelayReport {
    pub fn lost(&self) -> u64 {
        self.sent.saturating_sub(self.received)
    }
}

pub async fn run(load: RelayLoad) -> anyhow::Result<RelayReport> {
    if load.extensions.len() < 2 {
        bail!("need at least two extensions");
    }
    let (caller_exts, callee_exts) = load.extensions.split_at(load.extensions.len() / 2);
    let (phase_tx, phase) = watch::channel(Phase::Idle);
    let sockets = load.calls.div_ceil(load.streams_per_socket.max(1)).max(1);
    let bind = SocketAddr::new(load.server.ip(), 0);
    let mut media_tasks = Vec::new();
    let mut sides: [Vec<MediaHandle>; 2] = [Vec::new(), Vec::new()];
    for side in &mut sides {
        for i in 0..sockets {
            let offset = PACKET_INTERVAL * i as u32 / sockets as u32;
            let (handle, task) = media::spawn(bind, offset, phase.clone()).await?;
            side.push(handle);
            media_tasks.push(task);
        }
    }
    let [caller_media, callee_media] = sides;

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
    let answer_plan = AnswerPlan {
        ringing: false,
        sdp: true,
        timeout: load.timeout,
        media: Some(callee_media),
    };
    let (stop_answering, answer_tasks) = answer(answering, &answer_plan);
    let callers = register_lanes(
        load.server,
        caller_exts,
        load.phones_per_socket,
        load.timeout,
    )
    .await
    .context("calling extensions")?;

    let lanes = callers.len();
    let (control, control_rx) = watch::channel(Control::Run);
    let progress = Arc::new(Progress::default());
    let mut tasks = Vec::new();
    let per_lane = load.calls.div_ceil(lanes) as u64;
    let mut remaining = load.calls as u64;
    for (i, lane) in callers.into_iter().enumerate() {
        let plan = CallPlan {
            pacing: share(Pacing::Rate(load.setup_rate), lanes),
            hold: Hold::UntilHangUp,
            stop_at: None,
            max_calls: Some(per_lane.min(remaining)),
            timeout: load.timeout,
            sdp: true,
            media: Some(caller_media.clone()),
        };
        remaining = remaining.saturating_sub(per_lane);
        let caller = CallerLane::new(
            lane.socket,
            lane.local,
            load.server,
            lane.creds,
            callees.clone(),
            i,
            plan,
            control_rx.clone(),
            progress.clone(),
        );
        tasks.push(tokio::spawn(caller.run()));
    }

    // Wait until every call is answered (or has failed).
    let setup_deadline = Instant::now()
        + Duration::from_secs_f64(load.calls as f64 / load.setup_rate)
        + load.timeout;
    loop {
        let done = progress.answered.load(Relaxed) + progress.failed.load(Relaxed);
        if done >= load.calls as u64 || Instant::now() > setup_deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let answered = progress.answered.load(Relaxed);
    // Give the last ACKs a moment to reach the answering side, which starts its stream then.
    tokio::time::sleep(Duration::from_millis(200)).await;

    let meter = CostMeter::start(load.server_pid);
    let audio_start = Instant::now();
    let _ = phase_tx.send(Phase::Sending);
    tokio::time::sleep(load.duration).await;
    let _ = phase_tx.send(Phase::Draining);
    let audio_seconds = audio_start.elapsed().as_secs_f64();
    let cost = meter.finish();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let _ = phase_tx.send(Phase::Done);
    let mut reports = Vec::new();
    for t in media_tasks {
        reports.push(t.await?);
    }

    let _ = control.send(Control::HangUp);
    let mut signalling = CallStats::default();
    for t in tasks {
        signalling.merge(&t.await?);
    }
    let _ = stop_answering.send(true);
    for t in answer_tasks {
        t.await?;
    }
    let mut report = summarise(&reports);
    report.calls_answered = answered;
    report.cost = cost;
    report.audio_seconds = audio_seconds;
    report.signalling = signalling;
    Ok(report)
}

/// Adds up what every media socket saw, matching streams by SSRC across sockets.
fn summarise(reports: &[MediaReport]) -> RelayReport {
    let mut sent: HashMap<u32, u64> = HashMap::new();
    let mut received: HashMap<u32, &media::Received> = HashMap::new();
    let mut r = RelayReport::default();
    for m in reports {
        for (ssrc, n) in &m.sent {
            *sent.entry(*ssrc).or_default() += n;
        }
        for (ssrc, s) in &m.received {
            received.insert(*ssrc, s);
        }
        r.delay.merge(&m.delay);
        r.send_errors += m.send_errors;
        r.late_ticks += m.late_ticks;
    }
    r.streams = sent.len();
    let mut jitter_sum = 0.0;
    for (ssrc, n) in &sent {
        r.sent += n;
        match received.get(ssrc) {
            Some(s) => {
                r.received += s.packets.min(*n);
                r.duplicates += s.duplicates;
                jitter_sum += s.jitter_us;
                r.jitter_max_us = r.jitter_max_us.max(s.jitter_us);
                if s.packets < *n {
                    r.lossy_streams += 1;
                }
            }
            None => r.lossy_streams += usize::from(*n > 0),
        }
    }
    if !sent.is_empty() {
        r.jitter_mean_us = jitter_sum / sent.len() as f64;
    }
    r
}
