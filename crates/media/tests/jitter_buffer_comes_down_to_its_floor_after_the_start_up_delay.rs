//! On a perfect network the buffer starts at its initial delay (nothing is known yet)
//! and must then come down to its floor: every frame held longer than the network asks
//! is delay the caller hears.

use std::time::{Duration, Instant};

use media::jitter::{JitterBuffer, JitterConfig, Playout};
use media::rtp::RtpPacket;

#[test]
fn a_steady_stream_ends_up_played_one_floor_after_it_arrives() {
    let config = JitterConfig::new(8000);
    let mut jb = JitterBuffer::new(config);
    let start = Instant::now();
    let payload = [0u8; 160];
    let mut delays = Vec::new();
    for tick in 0..200u32 {
        let now = start + Duration::from_millis(20) * tick;
        let packet = RtpPacket::new(0, tick as u16, tick * 160, 9, &payload);
        jb.push(now, &packet);
        if let Playout::Packet { timestamp, .. } = jb.pop(now) {
            // Frames between the packet's arrival and its playout.
            delays.push(tick - timestamp / 160);
        }
    }
    let floor = (config.min_delay.as_millis() / config.frame.as_millis()) as u32;
    let initial = (config.initial_delay.as_millis() / config.frame.as_millis()) as u32;
    assert_eq!(delays.first().copied(), Some(initial), "{delays:?}");
    assert_eq!(delays.last().copied(), Some(floor), "{delays:?}");
}
