//! An Opus phone and a G.711-only phone hear each other's tones through the transcoder,
//! also when packets are lost on the way, and the output keeps its 20 ms pace.

use media::codec::{by_rtpmap, Codec, Opus, Pcmu};
use media::tone::{detect_tone, Tone, ToneGenerator};
use media::transcode::{Arrival, Transcoder};

fn rms(samples: &[i16]) -> f64 {
    let sum: f64 = samples.iter().map(|s| f64::from(*s).powi(2)).sum();
    (sum / samples.len().max(1) as f64).sqrt()
}

/// Sends one second of `frequency` from `source` through `transcoder` into `sink`,
/// skipping the packets whose index `lose` picks; returns input, output and arrivals.
fn run(
    source: &mut dyn Codec,
    transcoder: &mut Transcoder,
    sink: &mut dyn Codec,
    frequency: f64,
    lose: impl Fn(u16) -> bool,
) -> (Vec<i16>, Vec<i16>, Vec<Arrival>) {
    let rate = source.sample_rate();
    let mut generator = ToneGenerator::new(Tone::continuous(frequency), rate);
    let mut input = vec![0i16; rate as usize];
    generator.fill(&mut input);
    let mut output = Vec::new();
    let mut arrivals = Vec::new();
    let mut payload = Vec::new();
    let mut sent = Vec::new();
    // Start near the wrap-around to cover it on the way.
    let mut sequence: u16 = 65530;
    for (i, chunk) in input.chunks(rate as usize / 50).enumerate() {
        payload.clear();
        source.encode(chunk, &mut payload);
        if !lose(i as u16) {
            arrivals.push(transcoder.push(sequence, &payload));
            loop {
                sent.clear();
                if !transcoder.poll_payload(&mut sent) {
                    break;
                }
                sink.decode(Some(&sent), &mut output);
            }
        }
        sequence = sequence.wrapping_add(1);
    }
    (input, output, arrivals)
}

fn assert_tone(input: &[i16], input_rate: u32, output: &[i16], output_rate: u32, f: f64) {
    // Past the start-up (codec and resampler delays), the tone is there at its level.
    let steady = &output[output.len() / 3..];
    let presence = detect_tone(steady, output_rate, f);
    assert!(presence > 0.85, "{f} Hz at {output_rate}: {presence}");
    let change = 20.0 * (rms(steady) / rms(input)).log10();
    assert!(change.abs() < 3.0, "level changed by {change:.1} dB");
    let _ = input_rate;
}

#[test]
fn pcmu_to_opus_keeps_a_tone() {
    let mut transcoder = Transcoder::new("PCMU", 8000, "opus", 48000).expect("transcoder");
    assert_eq!(
        transcoder.timestamp_step(),
        960,
        "20 ms at Opus's 48 kHz clock"
    );
    let mut phone = Opus::new().expect("opus");
    let (input, output, arrivals) = run(
        &mut Pcmu::new(),
        &mut transcoder,
        &mut phone,
        1000.0,
        |_| false,
    );
    assert!(arrivals.iter().all(|a| *a == Arrival::InOrder));
    assert_tone(&input, 8000, &output, 16000, 1000.0);
}

#[test]
fn opus_to_pcmu_keeps_a_tone() {
    let mut transcoder = Transcoder::new("opus", 48000, "PCMU", 8000).expect("transcoder");
    assert_eq!(transcoder.timestamp_step(), 160);
    let mut source = Opus::new().expect("opus");
    let (input, output, _) = run(
        &mut source,
        &mut transcoder,
        &mut Pcmu::new(),
        1000.0,
        |_| false,
    );
    assert_tone(&input, 16000, &output, 8000, 1000.0);
}

#[test]
fn lost_packets_are_concealed_and_the_pace_is_kept() {
    let mut transcoder = Transcoder::new("opus", 48000, "PCMU", 8000).expect("transcoder");
    let mut source = Opus::new().expect("opus");
    // Every seventh packet lost, and once two in a row.
    let lose = |i: u16| i % 7 == 3 || i == 39;
    let (input, output, arrivals) =
        run(&mut source, &mut transcoder, &mut Pcmu::new(), 800.0, lose);
    let lost_runs = arrivals
        .iter()
        .filter_map(|a| match a {
            Arrival::AfterLoss { concealed } => Some(*concealed),
            _ => None,
        })
        .collect::<Vec<_>>();
    assert!(lost_runs.contains(&2), "{lost_runs:?}");
    assert!(lost_runs.iter().all(|n| *n == 1 || *n == 2));
    // Every input frame, lost or not, became output audio: 1 s in, 1 s out, less
    // what is still inside the codec and resampler delays.
    let received_frames = arrivals.len() + lost_runs.iter().map(|n| *n as usize).sum::<usize>();
    assert_eq!(received_frames, 50, "no lost packet is the last");
    assert!(output.len() >= 8000 - 2 * 160, "{}", output.len());
    assert_tone(&input, 16000, &output, 8000, 800.0);
}

#[test]
fn late_and_duplicate_packets_are_dropped() {
    let mut transcoder = Transcoder::new("PCMU", 8000, "PCMA", 8000).expect("transcoder");
    let payload = [0xffu8; 160];
    let mut out = Vec::new();
    let mut payloads = 0;
    let mut push = |sequence: u16| {
        let arrival = transcoder.push(sequence, &payload);
        while transcoder.poll_payload(&mut out) {
            payloads += 1;
        }
        arrival
    };
    assert_eq!(push(65535), Arrival::InOrder);
    assert_eq!(push(0), Arrival::InOrder, "wraps around");
    assert_eq!(push(0), Arrival::Late);
    assert_eq!(push(65534), Arrival::Late);
    assert_eq!(push(3), Arrival::AfterLoss { concealed: 2 });
    // A jump far ahead is followed, with no more than 100 ms made up.
    assert_eq!(push(3000), Arrival::AfterLoss { concealed: 5 });
    // Far behind is a sender that started over (RFC 3550 §A.1), not a late packet.
    assert_eq!(push(2950), Arrival::Late);
    assert_eq!(push(10), Arrival::Restart);
    assert_eq!(push(11), Arrival::InOrder);
    assert_eq!(payloads, 2 + (2 + 1) + (5 + 1) + 1 + 1);
    assert_eq!(out.len(), payloads * 160);
}

#[test]
fn a_new_source_starts_a_new_sequence() {
    let mut transcoder = Transcoder::new("PCMU", 8000, "PCMA", 8000).expect("transcoder");
    let payload = [0xffu8; 160];
    assert_eq!(transcoder.push(500, &payload), Arrival::InOrder);
    transcoder.restart();
    assert_eq!(transcoder.push(480, &payload), Arrival::InOrder);
    assert_eq!(transcoder.push(481, &payload), Arrival::InOrder);
}

#[test]
fn audio_not_drained_is_capped_at_200_ms() {
    let mut transcoder = Transcoder::new("PCMU", 8000, "PCMA", 8000).expect("transcoder");
    for sequence in 0..30 {
        transcoder.push(sequence, &[0xffu8; 160]);
    }
    let mut out = Vec::new();
    let mut payloads = 0;
    while transcoder.poll_payload(&mut out) {
        payloads += 1;
    }
    assert_eq!(payloads, 10);
}

#[test]
fn g722_and_pcma_transcode_through_the_resampler() {
    let mut transcoder = Transcoder::new("G722", 8000, "PCMA", 8000).expect("transcoder");
    assert_eq!(transcoder.encoder().name(), "PCMA");
    let mut sink = by_rtpmap("PCMA", 8000).expect("pcma");
    let mut source = by_rtpmap("G722", 8000).expect("g722");
    let (input, output, _) = run(
        source.as_mut(),
        &mut transcoder,
        sink.as_mut(),
        1500.0,
        |_| false,
    );
    assert_tone(&input, 16000, &output, 8000, 1500.0);
}
