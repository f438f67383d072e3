//! A SIP message as it arrives in one UDP datagram: parsing, the UAS request checks, the
//! header accessors the transaction layer calls and re-serialising must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sip::{check_request, parse, Message};

fuzz_target!(|data: &[u8]| {
    let Ok(message) = parse(data) else {
        return;
    };
    let _ = message.top_via();
    let _ = message.call_id();
    let _ = message.cseq();
    match &message {
        Message::Request(req) => {
            let _ = check_request(req);
            let _ = req.vias();
            let _ = (req.from(), req.to(), req.contacts(), req.routes());
            let _ = (req.expires(), req.max_forwards(), req.content_type());
            let _ = req.uri.to_string();
        }
        Message::Response(resp) => {
            let _ = resp.vias();
            let _ = (
                resp.from(),
                resp.to(),
                resp.contacts(),
                resp.record_routes(),
            );
        }
    }
    // What we parsed we can write, and what we write parses again.
    let bytes = message.to_bytes();
    assert!(
        parse(&bytes).is_ok(),
        "a parsed message re-serialised does not parse: {:?}",
        String::from_utf8_lossy(&bytes)
    );
});
