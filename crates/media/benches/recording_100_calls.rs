//! Cost of recording 100 calls at once: one 20 ms tick pushes both sides' frames into
//! 100 stereo recorders. Issue 5 asks for under 5 % of a core, i.e. under 1 ms per tick.

use std::hint::black_box;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use media::recorder::{CallRecorder, Side};
use media::tone::{Tone, ToneGenerator};

const CALLS: usize = 100;
const RATE: u32 = 8000;
const FRAME: usize = 160;

/// A file that keeps nothing: the bench measures the recorder, not the disk.
#[derive(Default)]
struct NullFile {
    position: u64,
    len: u64,
}

impl Write for NullFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.position += buf.len() as u64;
        self.len = self.len.max(self.position);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Seek for NullFile {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.position = match pos {
            SeekFrom::Start(p) => p,
            SeekFrom::End(d) => self.len.saturating_add_signed(d),
            SeekFrom::Current(d) => self.position.saturating_add_signed(d),
        };
        Ok(self.position)
    }
}

fn bench(c: &mut Criterion) {
    let mut caller = vec![0i16; FRAME];
    let mut callee = vec![0i16; FRAME];
    ToneGenerator::new(Tone::continuous(700.0), RATE).fill(&mut caller);
    ToneGenerator::new(Tone::continuous(1300.0), RATE).fill(&mut callee);
    let start = Instant::now();
    let mut recorders: Vec<_> = (0..CALLS)
        .filter_map(|_| CallRecorder::new(BufWriter::new(NullFile::default()), RATE, start).ok())
        .collect();
    assert_eq!(recorders.len(), CALLS);
    let mut position = 0u64;

    let mut group = c.benchmark_group("recording");
    group.throughput(Throughput::Elements(CALLS as u64));
    group.bench_function("100_calls_one_20ms_tick", |b| {
        b.iter(|| {
            for recorder in &mut recorders {
                let _ = recorder.push(Side::Caller, position, black_box(&caller));
                let _ = recorder.push(Side::Callee, position, black_box(&callee));
            }
            position += FRAME as u64;
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
