//! Two call media ends exchange RTP and RTCP over a simulated network in virtual time:
//! with 10 % of packets lost both ways, the reports each side receives set its Opus
//! encoder's loss hint near 10 % and show the loss, jitter and round trip; on a clean
//! network the hint drops to 0 (in-band FEC off); on an encrypted call reports pass only
//! through SRTCP.

mod call_media_sim;

use std::time::{Duration, Instant};

use call_media_sim::{spec, Network, Sine, TICK};
use phone::call_media::{CallMedia, MAX_LOSS_HINT};

/// Runs a call of `seconds` with `loss` both ways; returns both ends.
fn call(loss: f64, seconds: u64) -> (CallMedia, CallMedia) {
    let t0 = Instant::now();
    let mut a = CallMedia::new(&spec("opus", 111, 48_000, 1)).expect("opus");
    let mut b = CallMedia::new(&spec("opus", 111, 48_000, 2)).expect("opus");
    let unix = Duration::from_secs(1_800_000_000);
    a.enable_rtcp(t0, unix, "a@192.0.2.1");
    b.enable_rtcp(t0, unix, "b@192.0.2.2");
    // RTP and RTCP share each direction's network (and its loss), 40 ms each way.
    let mut ab = Network::new(11, t0, loss, 40, 10);
    let mut ba = Network::new(12, t0, loss, 40, 10);
    let mut sine_a = Sine::new(440.0, a.sample_rate());
    let mut sine_b = Sine::new(660.0, b.sample_rate());
    let ticks = seconds * 1000 / TICK.as_millis() as u64;
    let mut report = Vec::new();
    for i in 0..ticks {
        let now = t0 + TICK * i as u32;
        for packet in a.send_frame(now, &sine_a.frame(a.frame_samples())) {
            ab.send(now, packet);
        }
        for packet in b.send_frame(now, &sine_b.frame(b.frame_samples())) {
            ba.send(now, packet);
        }
        report.clear();
        if a.poll_rtcp(now, &mut report) {
            ab.send(now, report.clone());
        }
        report.clear();
        if b.poll_rtcp(now, &mut report) {
            ba.send(now, report.clone());
        }
        for (at, packet) in ab.deliver(now) {
            b.receive_rtp(at, &packet);
        }
        for (at, packet) in ba.deliver(now) {
            a.receive_rtp(at, &packet);
        }
        let _ = a.next_frame(now);
        let _ = b.next_frame(now);
    }
    (a, b)
}

#[test]
fn ten_percent_loss_sets_the_hint_near_ten_and_shows_the_figures() {
    let (a, b) = call(0.10, 40);
    for end in [&a, &b] {
        let hint = end.loss_hint();
        assert!((5..=18).contains(&hint), "loss hint {hint}");
        assert!(hint <= MAX_LOSS_HINT);
        let q = end.quality();
        let far = q.far_loss_percent.expect("far end's loss reported");
        assert!((2..=20).contains(&far), "far loss {far}");
        assert!(q.loss_percent.is_some_and(|l| l <= 25));
        assert!(q.jitter.is_some());
        // 40 ms each way plus up to 10 ms jitter: 80–100 ms, whole packets apart.
        let rtt = q.round_trip.expect("round trip from LSR/DLSR");
        assert!(
            rtt >= Duration::from_millis(70) && rtt <= Duration::from_millis(130),
            "round trip {rtt:?}"
        );
    }
}

#[test]
fn a_clean_network_turns_fec_off() {
    let (a, b) = call(0.0, 20);
    assert_eq!(a.loss_hint(), 0);
    assert_eq!(b.loss_hint(), 0);
    assert_eq!(a.quality().far_loss_percent, Some(0));
    assert_eq!(b.quality().loss_percent, Some(0));
}

#[test]
fn without_reports_the_hint_stays_at_its_start() {
    let t0 = Instant::now();
    let mut a = CallMedia::new(&spec("opus", 111, 48_000, 1)).expect("opus");
    let before = a.loss_hint();
    // Garbage and reports about someone else's stream change nothing.
    a.enable_rtcp(t0, Duration::ZERO, "a@x");
    assert!(!a.receive_rtcp(t0, &[0x80, 201, 0, 1, 0, 0, 0, 9]));
    assert!(!a.receive_rtcp(t0, &[0x81, 201, 0, 7, 0, 0, 0, 9, 1, 2, 3, 4, 200]));
    assert_eq!(a.loss_hint(), before);
    assert_eq!(a.quality().far_loss_percent, None);
}

#[test]
fn reports_pass_through_srtcp_and_only_as_sealed() {
    use media::srtp::{SrtpKey, SrtpSuite};
    use phone::call_media::{SrtpKeys, SrtpStreams};

    let t0 = Instant::now();
    let (ka, kb) = (SrtpKey::random(), SrtpKey::random());
    let keys = |local: &SrtpKey, remote: &SrtpKey| SrtpKeys {
        suite: SrtpSuite::AesCm128HmacSha1_80,
        local: local.clone(),
        remote: remote.clone(),
    };
    let mut seal_a = SrtpStreams::new(keys(&ka, &kb));
    let mut open_b = SrtpStreams::new(keys(&kb, &ka));
    let mut a = CallMedia::new(&spec("opus", 111, 48_000, 1)).expect("opus");
    let mut b = CallMedia::new(&spec("opus", 111, 48_000, 2)).expect("opus");
    a.enable_rtcp(t0, Duration::ZERO, "a@x");
    b.enable_rtcp(t0, Duration::ZERO, "b@x");
    let mut sine = Sine::new(440.0, b.sample_rate());
    // B sends a second of audio to A, which loses every fifth packet.
    for (i, packet) in (0..50u32)
        .flat_map(|i| b.send_frame(t0 + TICK * i, &sine.frame(b.frame_samples())))
        .enumerate()
    {
        if i % 5 != 2 {
            a.receive_rtp(t0 + TICK * i as u32, &packet);
        }
    }
    let mut report = Vec::new();
    let due = a.rtcp_timeout().expect("rtcp on");
    assert!(a.poll_rtcp(due, &mut report));
    let sealed = seal_a.protect(&report).expect("sealed").to_vec();
    assert_ne!(sealed, report);
    // The plain report is refused by the encrypted side; the sealed one is read.
    assert!(open_b.unprotect(&report).is_none());
    let opened = open_b.unprotect(&sealed).expect("opened").to_vec();
    assert!(b.receive_rtcp(due, &opened));
    assert_eq!(b.quality().far_loss_percent, Some(20));
    assert_eq!(b.loss_hint(), 20);
}
