//! Parsing speed of the messages a PBX sees most: REGISTER refreshes and INVITEs with SDP.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

const REGISTER: &[u8] = b"REGISTER sip:pbx.example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.168.1.23:5060;branch=z9hG4bK-524287-1---e1fa8b3a2bb6c0b5;rport\r\n\
Max-Forwards: 70\r\n\
Contact: <sip:201@192.168.1.23:5060;rinstance=4f2b0a7d1c3e9a11;transport=UDP>;expires=3600\r\n\
To: <sip:201@pbx.example.com>\r\n\
From: \"Front Desk\" <sip:201@pbx.example.com>;tag=8c1d2a7f\r\n\
Call-ID: 90Wj3lY5Tq3Cq0b2Jm1nXQ..\r\n\
CSeq: 42 REGISTER\r\n\
Expires: 3600\r\n\
Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, MESSAGE, OPTIONS, INFO, SUBSCRIBE\r\n\
Supported: replaces, norefersub, extended-refer, timer, outbound, path, X-cisco-serviceuri\r\n\
User-Agent: Zoiper rv2.10.19.6\r\n\
Authorization: Digest username=\"201\",realm=\"pbx.example.com\",nonce=\"5f1e2d3c4b5a\",uri=\"sip:pbx.example.com\",response=\"0123456789abcdef0123456789abcdef\",algorithm=MD5\r\n\
Allow-Events: presence, kpml, talk, as-feature-event\r\n\
Content-Length: 0\r\n\r\n";

const INVITE: &[u8] = b"INVITE sip:300@pbx.example.com SIP/2.0\r\n\
Via: SIP/2.0/UDP 192.168.1.23:5060;branch=z9hG4bK-524287-1---77aa2b1c9d0e;rport\r\n\
Max-Forwards: 70\r\n\
Contact: <sip:201@192.168.1.23:5060;transport=UDP>\r\n\
To: <sip:300@pbx.example.com>\r\n\
From: \"Front Desk\" <sip:201@pbx.example.com>;tag=0b7e2f11\r\n\
Call-ID: a84b4c76e66710@192.168.1.23\r\n\
CSeq: 1 INVITE\r\n\
Allow: INVITE, ACK, CANCEL, BYE, NOTIFY, REFER, MESSAGE, OPTIONS, INFO, SUBSCRIBE\r\n\
Content-Type: application/sdp\r\n\
Supported: replaces, norefersub, extended-refer, timer\r\n\
User-Agent: Zoiper rv2.10.19.6\r\n\
Content-Length: 236\r\n\r\n\
v=0\r\n\
o=Z 0 0 IN IP4 192.168.1.23\r\n\
s=Z\r\n\
c=IN IP4 192.168.1.23\r\n\
t=0 0\r\n\
m=audio 8000 RTP/AVP 0 8 101\r\n\
a=rtpmap:0 PCMU/8000\r\n\
a=rtpmap:8 PCMA/8000\r\n\
a=rtpmap:101 telephone-event/8000\r\n\
a=fmtp:101 0-16\r\n\
a=sendrecv\r\n\
a=ptime:20\r\n\
a=rtcp-mux\r\n\r\n";

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("parse");
    for (name, raw) in [("register", REGISTER), ("invite_sdp", INVITE)] {
        g.throughput(Throughput::Bytes(raw.len() as u64));
        g.bench_function(name, |b| b.iter(|| sip::parse(black_box(raw))));
    }
    g.bench_function("register_parse_check_answer", |b| {
        b.iter(|| {
            let Ok(sip::Message::Request(req)) = sip::parse(black_box(REGISTER)) else {
                return Vec::new();
            };
            let _ = sip::check_request(&req);
            let _ = req.contacts();
            sip::Response::for_request(&req, 200, "OK").to_bytes()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
