//! WAV writing: mono and stereo 16-bit files that any reader accepts, streamed and
//! finalised, with errors for misuse and for a full disk.

use std::io::{self, Cursor, Seek, SeekFrom, Write};

use media::wav::{write_wav, Channels, WavStreamWriter};
use media::Error;

fn read_back(bytes: Vec<u8>) -> (hound::WavSpec, Vec<i16>) {
    let mut reader = hound::WavReader::new(Cursor::new(bytes)).expect("a valid wav file");
    let spec = reader.spec();
    let samples = reader
        .samples::<i16>()
        .map(|s| s.expect("sample"))
        .collect();
    (spec, samples)
}

#[test]
fn a_mono_file_holds_its_samples_and_rate() {
    let samples: Vec<i16> = (0..1600)
        .map(|i| (i * 37 % 65_536 - 32_768) as i16)
        .collect();
    let mut out = Cursor::new(Vec::new());
    write_wav(&mut out, 8000, Channels::Mono, &samples).unwrap();
    let (spec, back) = read_back(out.into_inner());
    assert_eq!(spec.channels, 1);
    assert_eq!(spec.sample_rate, 8000);
    assert_eq!(spec.bits_per_sample, 16);
    assert_eq!(back, samples);
}

#[test]
fn a_stereo_file_keeps_left_and_right_apart() {
    let interleaved: Vec<i16> = (0..320).flat_map(|i| [i as i16, -(i as i16)]).collect();
    let mut out = Cursor::new(Vec::new());
    write_wav(&mut out, 16_000, Channels::Stereo, &interleaved).unwrap();
    let (spec, back) = read_back(out.into_inner());
    assert_eq!(spec.channels, 2);
    assert_eq!(spec.sample_rate, 16_000);
    let left: Vec<i16> = back.iter().step_by(2).copied().collect();
    let right: Vec<i16> = back.iter().skip(1).step_by(2).copied().collect();
    assert_eq!(left, (0..320).map(|i| i as i16).collect::<Vec<_>>());
    assert_eq!(right, (0..320).map(|i| -(i as i16)).collect::<Vec<_>>());
}

#[test]
fn a_streamed_file_counts_frames_and_is_valid_after_each_flush() {
    let mut buffer = Cursor::new(Vec::new());
    {
        let mut writer = WavStreamWriter::new(&mut buffer, 8000, Channels::Mono).unwrap();
        for frame in 0..50 {
            writer.write(&[frame as i16; 160]).unwrap();
        }
        assert_eq!(writer.frames(), 8000);
        assert_eq!(writer.duration_ms(), 1000);
        writer.flush().unwrap();
        writer.write(&[7; 80]).unwrap();
        writer.finalize().unwrap();
    }
    let (_, back) = read_back(buffer.into_inner());
    assert_eq!(back.len(), 8080);
    assert_eq!(back[160 * 49], 49);
    assert_eq!(back[8079], 7);
}

#[test]
fn a_flushed_file_reads_back_without_finalising() {
    let mut buffer = Cursor::new(Vec::new());
    let mut writer = WavStreamWriter::new(&mut buffer, 8000, Channels::Mono).unwrap();
    writer.write(&[1000; 800]).unwrap();
    writer.flush().unwrap();
    // Simulate a crash: the writer is forgotten, its drop never patches anything.
    std::mem::forget(writer);
    let (_, back) = read_back(buffer.into_inner());
    assert_eq!(back, vec![1000; 800]);
}

#[test]
fn a_stereo_write_of_half_a_frame_is_refused() {
    let mut out = Cursor::new(Vec::new());
    let mut writer = WavStreamWriter::new(&mut out, 8000, Channels::Stereo).unwrap();
    assert!(matches!(
        writer.write(&[1, 2, 3]),
        Err(Error::AudioParameter(_))
    ));
    writer.write(&[1, 2]).unwrap();
    assert_eq!(writer.frames(), 1);
}

#[test]
fn a_zero_sample_rate_is_refused() {
    let result = WavStreamWriter::new(Cursor::new(Vec::new()), 0, Channels::Mono);
    assert!(matches!(result, Err(Error::AudioParameter(_))));
}

/// A disk that fills up after `room` bytes.
struct FullDisk {
    inner: Cursor<Vec<u8>>,
    room: usize,
}

impl Write for FullDisk {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.inner.get_ref().len() + buf.len() > self.room {
            return Err(io::Error::new(io::ErrorKind::StorageFull, "no space left"));
        }
        self.inner.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Seek for FullDisk {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.inner.seek(pos)
    }
}

#[test]
fn a_full_disk_is_reported_as_storage_full() {
    let disk = FullDisk {
        inner: Cursor::new(Vec::new()),
        room: 1000,
    };
    let mut writer = WavStreamWriter::new(disk, 8000, Channels::Mono).unwrap();
    let result = (0..10).try_for_each(|_| writer.write(&[0; 160]));
    assert_eq!(result, Err(Error::AudioIo(io::ErrorKind::StorageFull)));
}
