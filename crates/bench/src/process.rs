//! What `/proc` says about a process: CPU time and resident memory. Used to report the
//! daemon's cost during a run when its pid is given.

/// CPU seconds (user + system) a process has used, from `/proc/PID/stat`.
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces; fields resume after its closing parenthesis.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line (11 and 12 after the name).
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) / clock_ticks())
}

/// USER_HZ; 100 on every Linux platform in practice.
fn clock_ticks() -> f64 {
    100.0
}

/// Resident set size in kB (`VmRSS` in `/proc/PID/status`).
pub fn rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|n| n.parse().ok())
}

/// UDP datagrams the kernel dropped because a socket's receive buffer was full, and sends
/// refused for a full send buffer, machine-wide (`RcvbufErrors` and `SndbufErrors` in
/// `/proc/net/snmp`). On loopback that is every datagram lost, whoever lost it.
pub fn udp_buffer_errors() -> Option<(u64, u64)> {
    let snmp = std::fs::read_to_string("/proc/net/snmp").ok()?;
    let mut udp = snmp.lines().filter(|l| l.starts_with("Udp:"));
    let names: Vec<&str> = udp.next()?.split_whitespace().collect();
    let values: Vec<&str> = udp.next()?.split_whitespace().collect();
    let get = |name: &str| -> Option<u64> {
        let i = names.iter().position(|n| *n == name)?;
        values.get(i)?.parse().ok()
    };
    Some((get("RcvbufErrors")?, get("SndbufErrors")?))
}

/// CPU seconds of the whole machine, all cores, from `/proc/stat`: every busy moment (not
/// idle, not waiting for I/O), and the part of it spent in interrupts and softirqs.
///
/// The kernel charges softirq time also to the process it interrupted, so the busy total
/// counts it once; on loopback most of it is the network stack carrying the benchmark's
/// own packets, which is why it is shown on its own line too.
fn machine_seconds() -> Option<MachineTime> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let ticks: Vec<f64> = line
        .split_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    let total: f64 = ticks.iter().take(8).sum();
    let idle = ticks.get(3)? + ticks.get(4)?;
    let interrupts = ticks.get(5)? + ticks.get(6)?;
    Some(MachineTime {
        interrupts: interrupts / clock_ticks(),
        busy: (total - idle) / clock_ticks(),
    })
}

#[derive(Debug, Clone, Copy)]
struct MachineTime {
    interrupts: f64,
    busy: f64,
}

/// CPU use of a process over a stretch of time.
struct CpuMeter {
    pid: u32,
    start_cpu: Option<f64>,
}

impl CpuMeter {
    fn start(pid: u32) -> Self {
        CpuMeter {
            pid,
            start_cpu: cpu_seconds(pid),
        }
    }

    fn used(&self) -> Option<f64> {
        Some(cpu_seconds(self.pid)? - self.start_cpu?)
    }
}

/// CPU used during a measurement, in percent of one core (200 is both cores of two).
#[derive(Debug, Clone, Copy, Default)]
pub struct Cost {
    /// The PBX, when its pid was given.
    pub server_percent: Option<f64>,
    /// This load tool, which shares the machine with it.
    pub tool_percent: Option<f64>,
    /// Interrupt and softirq handling, whichever process it interrupted (so it overlaps
    /// the other figures); on loopback mostly the network stack carrying the run's own
    /// packets.
    pub interrupts_percent: Option<f64>,
    /// Every other program that ran on the machine meanwhile: what the PBX and the tool
    /// competed with.
    pub others_percent: Option<f64>,
    /// Datagrams dropped on this machine for a full receive buffer during the run.
    pub udp_receive_drops: Option<u64>,
    /// Sends refused for a full send buffer during the run.
    pub udp_send_drops: Option<u64>,
}

/// Measures [`Cost`] from `start` to `finish`.
pub struct CostMeter {
    server: Option<CpuMeter>,
    tool: CpuMeter,
    udp: Option<(u64, u64)>,
    machine: Option<MachineTime>,
    start: std::time::Instant,
}

impl CostMeter {
    pub fn start(server_pid: Option<u32>) -> Self {
        CostMeter {
            server: server_pid.map(CpuMeter::start),
            tool: CpuMeter::start(std::process::id()),
            udp: udp_buffer_errors(),
            machine: machine_seconds(),
            start: std::time::Instant::now(),
        }
    }

    pub fn finish(&self) -> Cost {
        let wall = self.start.elapsed().as_secs_f64();
        let percent = |used: Option<f64>| used.filter(|_| wall > 0.0).map(|u| 100.0 * u / wall);
        let udp = self.udp.zip(udp_buffer_errors());
        let server = self.server.as_ref().and_then(CpuMeter::used);
        let tool = self.tool.used();
        let machine = self.machine.zip(machine_seconds());
        let interrupts = machine.map(|(a, b)| b.interrupts - a.interrupts);
        let others = machine
            .map(|(a, b)| (b.busy - a.busy - server.unwrap_or(0.0) - tool.unwrap_or(0.0)).max(0.0));
        Cost {
            server_percent: percent(server),
            tool_percent: percent(tool),
            interrupts_percent: percent(interrupts),
            others_percent: percent(others),
            udp_receive_drops: udp.map(|((r0, _), (r1, _))| r1.saturating_sub(r0)),
            udp_send_drops: udp.map(|((_, s0), (_, s1))| s1.saturating_sub(s0)),
        }
    }
}
