//! Recordings a crash interrupted: at start the PBX keeps a temporary file that reads as a
//! WAV with audio under its final name, removes one that does not, and never touches a
//! complete recording.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;

fn wav(path: &Path, samples: usize) {
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 8000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).expect("create WAV");
    for i in 0..samples * 2 {
        writer.write_sample((i % 100) as i16).expect("write");
    }
    writer.finalize().expect("finalize");
}

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("recordings folder")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn leftovers_with_audio_are_kept_and_the_rest_removed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let recordings = dir.path().join(pbx::RECORDINGS_DIR);
    std::fs::create_dir_all(&recordings).expect("folder");
    wav(&recordings.join(".1700000000-cut.wav.part"), 8000);
    std::fs::write(recordings.join(".1700000001-torn.wav.part"), b"RIFF\0\0").expect("write");
    wav(&recordings.join("1700000002-done.wav"), 4000);
    // A leftover whose final name already holds a complete recording loses to it.
    wav(&recordings.join(".1700000002-done.wav.part"), 100);

    let engine = engine::start(engine::Config {
        data_dir: dir.path().to_path_buf(),
        listen: vec![SocketAddr::from((Ipv4Addr::LOCALHOST, 0))],
        tls_listen: Vec::new(),
        rtp_ports: 45000..=45019,
        realm: "switchboard".into(),
    })
    .await
    .expect("PBX starts");

    assert_eq!(
        names(&recordings),
        vec!["1700000000-cut.wav", "1700000002-done.wav"]
    );
    let kept = hound::WavReader::open(recordings.join("1700000000-cut.wav")).expect("WAV");
    assert_eq!(kept.duration(), 8000, "the salvaged audio is all there");
    let done = hound::WavReader::open(recordings.join("1700000002-done.wav")).expect("WAV");
    assert_eq!(done.duration(), 4000, "the complete recording is untouched");

    engine.handle.shutdown().await;
    engine.wait().await;
}
