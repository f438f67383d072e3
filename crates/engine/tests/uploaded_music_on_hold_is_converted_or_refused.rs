//! The owner's music on hold: any common audio file is converted to 16 kHz mono and is
//! what the held party hears from then on; a file that is not audio, or too short, is
//! refused and the music in use stays.

use std::io::Cursor;

use engine::music_upload::{
    remove_uploaded_music, save_uploaded_music, uploaded_music, MusicUploadError,
};
use engine::relay::Music;
use media::wav::{write_wav, Channels};

/// A stereo 44.1 kHz WAV of `seconds` of a tone at `hz`.
fn cd_wav(seconds: usize, hz: f64) -> Vec<u8> {
    let rate = 44_100usize;
    let mut samples = Vec::with_capacity(rate * seconds * 2);
    for i in 0..rate * seconds {
        let s = (f64::sin(i as f64 * hz * std::f64::consts::TAU / rate as f64) * 8000.0) as i16;
        samples.push(s);
        samples.push(s);
    }
    let mut out = Cursor::new(Vec::new());
    write_wav(&mut out, rate as u32, Channels::Stereo, &samples).expect("wav");
    out.into_inner()
}

#[test]
fn a_cd_quality_file_becomes_the_music_heard() {
    let dir = tempfile::tempdir().expect("temp dir");
    save_uploaded_music(dir.path(), &cd_wav(3, 600.0), Some("wav")).expect("saved");
    assert!(uploaded_music(dir.path()).is_some());
    let music = Music::for_data_dir(dir.path());
    let clip = music.clip_at(8000);
    let middle = clip
        .samples()
        .get(8000..9600)
        .expect("three seconds of music");
    assert!(media::tone::detect_tone(middle, 8000, 600.0) > 0.8);

    assert!(remove_uploaded_music(dir.path()).expect("removed"));
    assert!(uploaded_music(dir.path()).is_none());
    assert!(!remove_uploaded_music(dir.path()).expect("nothing to remove"));
}

#[test]
fn garbage_and_short_files_are_refused_and_the_old_music_stays() {
    let dir = tempfile::tempdir().expect("temp dir");
    save_uploaded_music(dir.path(), &cd_wav(3, 600.0), Some("wav")).expect("saved");
    let before = std::fs::read(uploaded_music(dir.path()).expect("file")).expect("read");

    let garbage = save_uploaded_music(dir.path(), b"this is not audio at all", Some("mp3"));
    assert!(
        matches!(garbage, Err(MusicUploadError::Unreadable(_))),
        "{garbage:?}"
    );
    let short = save_uploaded_music(dir.path(), &cd_wav(1, 600.0), Some("wav"));
    assert!(
        matches!(short, Err(MusicUploadError::TooShort)),
        "{short:?}"
    );

    let after = std::fs::read(uploaded_music(dir.path()).expect("file")).expect("read");
    assert_eq!(before, after);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty());
}
