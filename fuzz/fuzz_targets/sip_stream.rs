//! SIP over a stream (TCP, TLS): the framer must cut the same frames whatever the read
//! sizes, and never panic. The first input byte seeds the chunk sizes; the rest is the
//! stream.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sip::{parse, Frame, FramingError, StreamFramer};

/// A small limit so that the size checks are reached by short inputs too.
const MAX: usize = 2048;

fn drain(framer: &mut StreamFramer, out: &mut Vec<Result<Frame, FramingError>>) {
    while let Some(frame) = framer.next() {
        out.push(frame);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&seed, stream)) = data.split_first() else {
        return;
    };

    let mut whole = Vec::new();
    let mut framer = StreamFramer::with_max_size(MAX);
    framer.push(stream);
    drain(&mut framer, &mut whole);

    let mut chunked = Vec::new();
    let mut framer = StreamFramer::with_max_size(MAX);
    let mut rest = stream;
    let mut state = u32::from(seed) | 1;
    while !rest.is_empty() {
        // xorshift: chunk lengths 1..=64 from the seed byte.
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let len = (state as usize % 64 + 1).min(rest.len());
        let (chunk, tail) = rest.split_at(len);
        framer.push(chunk);
        drain(&mut framer, &mut chunked);
        rest = tail;
    }

    for frame in &whole {
        if let Ok(Frame::Message(m)) = frame {
            assert!(m.len() <= MAX, "a frame longer than the limit");
            let _ = parse(m);
        }
    }
    let messages = |frames: &[Result<Frame, FramingError>]| -> Vec<Vec<u8>> {
        frames
            .iter()
            .filter_map(|f| match f {
                Ok(Frame::Message(m)) => Some(m.clone()),
                _ => None,
            })
            .collect()
    };
    assert_eq!(
        messages(&whole),
        messages(&chunked),
        "the messages depend on how the stream was read"
    );
    assert_eq!(
        whole.iter().any(Result::is_err),
        chunked.iter().any(Result::is_err),
        "a framing error depends on how the stream was read"
    );
});
