//! An IP-mode trunk whose allowed address is a host name (`localhost`): once the PBX has
//! resolved it, an INVITE from that address is the trunk's call, not challenged. Its
//! business name's destination is "hang up", so the provider gets 603 Decline, and the call
//! record in the database names the trunk, the business name and the direction.

mod trunk_support;

use std::net::SocketAddr;

use pbx::dialplan::{BusinessName, Destination, TrunkAuth};
use store::{CdrFilter, Direction};
use trunk_support::{eventually, start_pbx, trunk, Message, Provider};

const NUMBER: &str = "+442071234567";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ip_trunk_takes_calls_from_its_resolved_host_and_records_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let provider = Provider::bind().await;
    let store = store::Store::open(dir.path()).expect("open store");
    let ip_mode = TrunkAuth::Ip {
        allowed: vec!["localhost".into()],
    };
    let id = store
        .save_trunk(&trunk("Provider", "localhost", provider.port(), ip_mode))
        .expect("save trunk");
    store
        .save_business_name(&BusinessName {
            id: 0,
            name: "sales.acme".into(),
            number: NUMBER.into(),
            label: "Sales".into(),
            trunk: Some(id),
            destination: Destination::Hangup,
        })
        .expect("save business name");
    let engine = start_pbx(dir.path()).await;
    let handle = engine.handle.clone();
    let pbx_addr = handle.sip_addrs()[0];

    // Until the host name has resolved the INVITE is a stranger's and is challenged; after,
    // it is the trunk's.
    let mut attempt = 0;
    let status = eventually("the trunk's call declined", || {
        attempt += 1;
        let call_id = format!("call-{attempt}@provider.test");
        let provider = &provider;
        async move {
            let status = invite(provider, pbx_addr, &call_id).await;
            (status == 603).then_some(status)
        }
    })
    .await;
    assert_eq!(status, 603);

    let record = eventually("the call record", || {
        let store = &store;
        async move {
            let filter = CdrFilter {
                direction: Some(Direction::Inbound),
                ..CdrFilter::default()
            };
            store.list_cdrs(&filter).expect("list").into_iter().next()
        }
    })
    .await;
    assert_eq!(record.trunk.as_deref(), Some("Provider"));
    assert_eq!(record.business_name.as_deref(), Some("sales.acme"));
    assert!(!record.lines_busy);
    assert_eq!(record.caller_name.as_deref(), Some("Jane Doe"));

    handle.shutdown().await;
    engine.wait().await;
}

/// Sends an INVITE for the business number and returns the final status; non-2xx finals
/// are acknowledged (RFC 3261 §17.1.1.3) so the PBX stops retransmitting them.
async fn invite(provider: &Provider, pbx: SocketAddr, call_id: &str) -> u16 {
    let local = provider.socket.local_addr().expect("local addr");
    let branch = format!("z9hG4bK-{}", call_id.replace(['@', '.'], "-"));
    let sdp = format!(
        "v=0\r\no=- 1 1 IN IP4 {ip}\r\ns=-\r\nc=IN IP4 {ip}\r\nt=0 0\r\n\
         m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n",
        ip = local.ip()
    );
    let via = format!("SIP/2.0/UDP {local};branch={branch}");
    let from = format!("\"Jane Doe\" <sip:+441632960001@{local}>;tag=jane");
    let to = format!("<sip:{NUMBER}@{pbx}>");
    let invite = format!(
        "INVITE sip:{NUMBER}@{pbx} SIP/2.0\r\nVia: {via}\r\nMax-Forwards: 70\r\n\
         From: {from}\r\nTo: {to}\r\nCall-ID: {call_id}\r\nCSeq: 1 INVITE\r\n\
         Contact: <sip:provider@{local}>\r\nContent-Type: application/sdp\r\n\
         Content-Length: {}\r\n\r\n{sdp}",
        sdp.len()
    );
    provider.send(pbx, invite.as_bytes()).await;
    loop {
        let (message, _) = provider.recv().await;
        if message.header("Call-ID") != Some(call_id) {
            continue; // a retransmission for an earlier attempt
        }
        let Some(status) = message.status() else {
            continue;
        };
        if status < 200 {
            continue;
        }
        if status >= 300 {
            provider
                .send(pbx, ack(&message, pbx, &via, &from).as_bytes())
                .await;
        }
        return status;
    }
}

fn ack(response: &Message, pbx: SocketAddr, via: &str, from: &str) -> String {
    format!(
        "ACK sip:{NUMBER}@{pbx} SIP/2.0\r\nVia: {via}\r\nMax-Forwards: 70\r\nFrom: {from}\r\n\
         To: {}\r\nCall-ID: {}\r\nCSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
        response.header("To").unwrap_or_default(),
        response.header("Call-ID").unwrap_or_default(),
    )
}
