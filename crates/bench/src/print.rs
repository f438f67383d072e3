//! The reports as `key: value` lines, easy to read and to grep from a script.

use switchboard_bench::calls::CallReport;
use switchboard_bench::histogram::Histogram;
use switchboard_bench::process::Cost;
use switchboard_bench::register::RegisterReport;
use switchboard_bench::relay::RelayReport;

fn ms(us: u64) -> String {
    format!("{:.2} ms", us as f64 / 1000.0)
}

fn latency(name: &str, h: &Histogram) {
    println!(
        "{name}_p50: {}\n{name}_p99: {}\n{name}_max: {}",
        ms(h.percentile_us(50.0)),
        ms(h.percentile_us(99.0)),
        ms(h.max_us())
    );
}

/// The PBX's CPU time per unit of work, which stays comparable when other programs
/// compete for the machine and the rates themselves do not.
fn per_unit(name: &str, cost: &Cost, per_second: f64) {
    if let Some(p) = cost.server_percent {
        if per_second > 0.0 {
            println!("server_cpu_per_{name}: {:.1} µs", p * 10_000.0 / per_second);
        }
    }
}

fn cpu(cost: &Cost) {
    if let Some(p) = cost.server_percent {
        println!("server_cpu: {p:.0} % of one core");
    }
    if let Some(p) = cost.tool_percent {
        println!("tool_cpu: {p:.0} % of one core");
    }
    if let Some(p) = cost.interrupts_percent {
        println!("softirq_cpu: {p:.0} % of one core");
    }
    if let Some(p) = cost.others_percent {
        println!("other_cpu: {p:.0} % of one core");
    }
    if let Some(n) = cost.udp_receive_drops {
        println!("udp_receive_buffer_drops: {n}");
    }
    if let Some(n) = cost.udp_send_drops {
        println!("udp_send_buffer_drops: {n}");
    }
}

pub fn register(r: &RegisterReport) {
    let s = &r.stats;
    println!("phones: {} on {} sockets", r.phones, r.sockets);
    println!("elapsed: {:.2} s", r.elapsed.as_secs_f64());
    println!("register_ok: {}", s.ok);
    println!("register_per_sec: {:.0}", r.per_second());
    println!("challenged: {}", s.challenged);
    println!("stale_rechallenged: {}", s.stale);
    println!("failures: {}", s.failures());
    println!("  refused_credentials: {}", s.rejected);
    println!("  timeouts: {}", s.timeouts);
    println!("  other_status: {:?}", s.other);
    println!("retransmits: {}", s.retransmits);
    latency("latency", &s.latency);
    cpu(&r.cost);
    per_unit("register", &r.cost, r.per_second());
}

pub fn calls(r: &CallReport) {
    let c = &r.calls;
    println!("caller_sockets: {}", r.caller_sockets);
    println!("elapsed: {:.2} s", r.elapsed.as_secs_f64());
    println!("calls_started: {}", c.started);
    println!("calls_answered: {}", c.answered);
    println!("calls_completed: {}", c.completed);
    println!("calls_per_sec: {:.0}", r.per_second());
    println!("challenged: {}", c.challenged);
    println!("stale_rechallenged: {}", c.stale);
    println!("failures: {}", c.failures());
    println!("  refused_credentials: {}", c.rejected);
    println!("  invite_failed: {:?}", c.invite_failed);
    println!("  invite_timeouts: {}", c.invite_timeouts);
    println!("  bye_failed: {:?}", c.bye_failed);
    println!("  bye_timeouts: {}", c.bye_timeouts);
    println!("  hung_up_by_pbx: {}", c.remote_hangups);
    println!("retransmits: {}", c.retransmits);
    let a = &r.answering;
    println!(
        "answering_side: {} INVITEs, {} ACKed, {} BYEs, {} ACK timeouts, {} stray ACKs",
        a.invites, a.acked, a.byes, a.ack_timeouts, a.stray_acks
    );
    latency("setup", &c.setup);
    cpu(&r.cost);
    per_unit("call", &r.cost, r.per_second());
}

pub fn relay(r: &RelayReport) {
    println!("calls_answered: {}", r.calls_answered);
    println!("rtp_streams: {}", r.streams);
    println!("audio_seconds: {:.1}", r.audio_seconds);
    println!("packets_sent: {}", r.sent);
    println!("packets_received: {}", r.received);
    println!("packets_lost: {}", r.lost());
    let loss = if r.sent > 0 {
        100.0 * r.lost() as f64 / r.sent as f64
    } else {
        0.0
    };
    println!("loss_percent: {loss:.4}");
    println!("streams_with_loss: {}", r.lossy_streams);
    println!("duplicates: {}", r.duplicates);
    println!("send_errors: {}", r.send_errors);
    println!("late_send_ticks: {}", r.late_ticks);
    latency("delay", &r.delay);
    println!(
        "jitter_mean: {:.3} ms\njitter_max: {:.3} ms",
        r.jitter_mean_us / 1000.0,
        r.jitter_max_us / 1000.0
    );
    cpu(&r.cost);
    if r.audio_seconds > 0.0 {
        per_unit("packet", &r.cost, r.sent as f64 / r.audio_seconds);
    }
    let s = &r.signalling;
    println!(
        "signalling: {} calls started, {} answered, {} hung up cleanly, {} failures",
        s.started,
        s.answered,
        s.completed,
        s.failures()
    );
}
