//! The Opus encoder's loss hint can change mid-stream: told the network is clean it
//! stops sending in-band FEC (a lost frame can then only be guessed), told of loss it
//! sends FEC again and a lost frame is rebuilt from the next packet.

use media::codec::{Codec, Opus};
use media::tone::{detect_tone, Tone, ToneGenerator};

const RATE: u32 = 16000;
const FRAME: usize = 320;

/// 50 packets, 500 Hz then 1200 Hz from frame 30, coded with `loss` percent set after
/// the encoder was made.
fn packets(loss: u8) -> Vec<Vec<u8>> {
    let mut low = ToneGenerator::new(Tone::continuous(500.0), RATE);
    let mut high = ToneGenerator::new(Tone::continuous(1200.0), RATE);
    let mut encoder = Opus::new().expect("opus");
    encoder.set_expected_loss(loss);
    let mut pcm = vec![0i16; FRAME];
    (0..50)
        .map(|i| {
            if i < 30 {
                low.fill(&mut pcm);
            } else {
                high.fill(&mut pcm);
            }
            let mut payload = Vec::new();
            encoder.encode(&pcm, &mut payload);
            payload
        })
        .collect()
}

/// The 1200 Hz level of frame 31 rebuilt from packet 32 after losing it.
fn rebuilt_level(packets: &[Vec<u8>]) -> f32 {
    let mut decoder = Opus::new().expect("opus");
    let mut sink = Vec::new();
    for packet in &packets[..31] {
        decoder.decode(Some(packet), &mut sink);
    }
    let mut frame = Vec::new();
    decoder.decode_lost_before(&packets[32], &mut frame);
    assert_eq!(frame.len(), FRAME);
    detect_tone(&frame, RATE, 1200.0) as f32
}

#[test]
fn a_clean_network_turns_fec_off_and_loss_turns_it_back_on() {
    let with_fec = rebuilt_level(&packets(20));
    let without = rebuilt_level(&packets(0));
    assert!(with_fec > 0.5, "FEC frame at 1200 Hz: {with_fec}");
    assert!(
        with_fec > without + 0.3,
        "with FEC {with_fec}, without {without}"
    );
}
