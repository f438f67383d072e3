//! On a transcoded call each phone hears the relay's own stream, so RTCP ends at the
//! relay leg by leg (RFC 3550 §7.2): phone A gets the relay's SR with a report block
//! about A's stream, and A's reports are read there instead of reaching phone B.

mod relay_support;

use std::net::SocketAddr;
use std::time::Duration;

use engine::relay::{RelayPool, Side, TranscodeSpec};
use media::codec::by_rtpmap;
use media::rtp::{write_compound, RtcpPacket, RtpPacket};
use media::sdp::PayloadFormat;
use relay_support::*;
use tokio::net::UdpSocket;

const PHONE_A: u32 = 0xa11ce;
const PHONE_B: u32 = 0xb0b;

fn format(payload_type: u8, encoding: &str) -> PayloadFormat {
    PayloadFormat {
        payload_type,
        encoding: encoding.to_owned(),
        clock_rate: 8000,
        channels: None,
        fmtp: None,
    }
}

/// A phone's RTP socket and the RTCP socket above it (RFC 3550 §11).
async fn phone() -> (UdpSocket, UdpSocket) {
    loop {
        let rtp = socket_on(LOOPBACK).await;
        let above = SocketAddr::new(LOOPBACK, addr_of(&rtp).port().wrapping_add(1));
        if let Ok(rtcp) = UdpSocket::bind(above).await {
            return (rtp, rtcp);
        }
    }
}

/// The next datagram on `socket` within `wait`, if any.
async fn next(socket: &UdpSocket, wait: Duration) -> Option<Vec<u8>> {
    let mut buf = [0u8; 2048];
    match tokio::time::timeout(wait, socket.recv_from(&mut buf)).await {
        Ok(Ok((len, _))) => Some(buf[..len].to_vec()),
        _ => None,
    }
}

/// The report phone A sends.
fn own_report_packet() -> RtcpPacket {
    RtcpPacket::ReceiverReport {
        ssrc: PHONE_A,
        reports: Vec::new(),
    }
}

#[tokio::test]
async fn the_relay_reports_to_each_transcoded_leg_and_keeps_the_other_legs_reports_out() {
    let pool = RelayPool::new(29600..=29619);
    let (a_rtp, a_rtcp) = phone().await;
    let (b_rtp, b_rtcp) = phone().await;
    let ports = pool.allocate(LOOPBACK).expect("ports");
    let (relay_for_a, relay_for_b) = (ports.local_addr(Side::A), ports.local_addr(Side::B));
    let relay_rtcp_a = SocketAddr::new(LOOPBACK, ports.rtcp_port(Side::A).expect("rtcp"));
    let relay = pool
        .start(ports, addr_of(&a_rtp), addr_of(&b_rtp))
        .expect("start");
    relay
        .transcode(&TranscodeSpec {
            a: format(0, "PCMU"),
            b: format(8, "PCMA"),
            a_events: None,
            b_events: None,
        })
        .expect("PCMU and PCMA transcode");

    // Both phones talk for up to 4 s (A's packet 7 lost on the way); A sends a report.
    let mut codec = by_rtpmap("PCMU", 8000).expect("PCMU");
    let mut payload = Vec::new();
    codec.encode(&[0i16; 160], &mut payload);
    let mut codec_b = by_rtpmap("PCMA", 8000).expect("PCMA");
    let mut payload_b = Vec::new();
    codec_b.encode(&[0i16; 160], &mut payload_b);
    let mut own_report = Vec::new();
    write_compound(&[own_report_packet()], &mut own_report);
    let mut got_sr = None;
    for seq in 0..200u16 {
        if seq != 7 {
            let mut packet = Vec::new();
            RtpPacket::new(0, seq, u32::from(seq) * 160, PHONE_A, &payload).write(&mut packet);
            send(&a_rtp, relay_for_a, &packet).await;
        }
        let mut packet = Vec::new();
        RtpPacket::new(8, seq, u32::from(seq) * 160, PHONE_B, &payload_b).write(&mut packet);
        send(&b_rtp, relay_for_b, &packet).await;
        if seq == 5 {
            send(&a_rtcp, relay_rtcp_a, &own_report).await;
        }
        if let Some(datagram) = next(&a_rtcp, Duration::from_millis(20)).await {
            got_sr = Some(datagram);
            break;
        }
    }
    let datagram = got_sr.expect("the relay reports to phone A within 4 s");
    let packets = RtcpPacket::parse_compound(&datagram).expect("a compound report");
    let RtcpPacket::SenderReport { ssrc, reports, .. } = &packets[0] else {
        panic!("the relay sends A its stream, so it reports with an SR: {packets:?}");
    };
    // The SR is about the relay's own stream to A, not phone B's.
    let heard_by_a = RtpPacket::parse(&next(&a_rtp, PATIENCE).await.expect("RTP to A"))
        .expect("RTP")
        .ssrc;
    assert_eq!(*ssrc, heard_by_a);
    assert_ne!(*ssrc, PHONE_B);
    let block = reports
        .iter()
        .find(|b| b.ssrc == PHONE_A)
        .expect("a report block about phone A's stream");
    assert_eq!(block.cumulative_lost, 1);
    assert!(matches!(
        packets.get(1),
        Some(RtcpPacket::SourceDescription { .. })
    ));

    // A's report was read at the relay, not passed to B: what B's RTCP port got (the
    // relay's reports to B) names no packet sender but the relay.
    while let Some(datagram) = next(&b_rtcp, Duration::from_millis(200)).await {
        let packets = RtcpPacket::parse_compound(&datagram).expect("compound RTCP");
        assert!(
            !packets.contains(&own_report_packet()),
            "phone A's report reached phone B: {packets:?}"
        );
    }
    let stats = relay.stats();
    assert_eq!((stats.rtcp, stats.rtcp_read), (0, 1));
    assert!(stats.rtcp_sent >= 1);
    relay.close().await;
}
