//! An encrypting phone (SRTP, keys over UDP allowed on this bench) calling a mailbox whose
//! owner has no phone registered is answered by voicemail with RTP/SAVP, the offer's tag
//! and suite and a key of the PBX's own (RFC 4568 §7.1.2), and the runtime is given both
//! keys to run the endpoint with.

mod support;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use media::sdp::CryptoAttribute;
use pbx::{Action, EndpointId, EndpointPort, MediaEndpoints, SrtpPolicy, SrtpRequirement};
use support::{alice, CallState, World};

const KEY: &str = "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR";

/// Hands out made-up endpoint sockets.
struct FakeEndpoints(u64);

impl MediaEndpoints for FakeEndpoints {
    fn allocate(&mut self, ip: IpAddr) -> Option<EndpointPort> {
        self.0 += 1;
        Some(EndpointPort {
            id: EndpointId(self.0),
            addr: SocketAddr::new(ip, 40_000 + 2 * self.0 as u16),
        })
    }
}

#[test]
fn voicemail_answers_srtp_with_its_own_key_and_runs_both_keys() {
    let mut w = World::lan(51);
    w.add(alice(52));
    w.register_all();
    w.pbx.set_media_endpoints(Box::new(FakeEndpoints(0)));
    w.pbx.set_mailboxes(["101".to_owned()]);
    w.pbx.set_srtp_policy(SrtpPolicy {
        require: SrtpRequirement::Off,
        keys_over_plain_signalling: true,
    });
    w.phones[0].srtp_key = Some(KEY.to_owned());
    let call = w.with(0, |p, now| p.call(now, "101"));
    assert!(
        w.run_until(Duration::from_secs(5), |w| w.phones[0].calls[call].state
            == CallState::Confirmed)
    );

    let answer = w.phones[0].calls[call]
        .sdp_received
        .last()
        .expect("answered with SDP");
    let audio = &answer.media[answer.audio().expect("audio").index];
    assert_eq!(audio.proto, "RTP/SAVP");
    let crypto = audio.crypto();
    assert_eq!(crypto.len(), 1, "{answer}");
    assert_eq!(crypto[0].tag, 1);
    let alices =
        CryptoAttribute::parse(&format!("1 AES_CM_128_HMAC_SHA1_80 inline:{KEY}")).expect("key");
    assert!(
        crypto[0].key != alices.key,
        "the PBX answers with a key of its own"
    );

    let srtp = w
        .actions
        .iter()
        .find_map(|a| match a {
            Action::PlayAndRecord(r) => Some(r.srtp.clone()),
            _ => None,
        })
        .expect("voicemail runs")
        .expect("with SRTP");
    assert_eq!(srtp.suite, alices.suite);
    assert!(
        srtp.inbound == alices.key,
        "Alice's packets are opened with her key"
    );
    assert!(
        srtp.outbound == crypto[0].key,
        "and sealed with the answer's"
    );
}
