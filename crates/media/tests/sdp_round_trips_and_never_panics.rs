//! Property tests: printed descriptions parse back to themselves, and no input panics.

use media::sdp::{negotiate, Attribute, Connection, Direction, Field, MediaDescription, Origin};
use media::sdp::{SessionDescription, PCMA, PCMU, TELEPHONE_EVENT};
use proptest::prelude::*;

const TOKEN: &str = "[a-zA-Z0-9._-]{1,10}";
const TEXT: &str = "[ -~]{0,20}";

fn connection() -> impl Strategy<Value = Connection> {
    prop_oneof![
        any::<std::net::IpAddr>().prop_map(Connection::new),
        (TOKEN, TOKEN, "[a-zA-Z0-9.:/]{1,20}").prop_map(|(n, a, addr)| Connection {
            net_type: n,
            addr_type: a,
            address: addr
        }),
    ]
}

fn direction() -> impl Strategy<Value = Direction> {
    prop_oneof![
        Just(Direction::SendRecv),
        Just(Direction::SendOnly),
        Just(Direction::RecvOnly),
        Just(Direction::Inactive),
    ]
}

fn attribute() -> impl Strategy<Value = Attribute> {
    prop_oneof![
        (
            0u8..128,
            "[a-zA-Z0-9._-]{1,12}",
            any::<u32>(),
            any::<Option<u16>>()
        )
            .prop_map(
                |(payload_type, encoding, clock_rate, channels)| Attribute::RtpMap {
                    payload_type,
                    encoding,
                    clock_rate,
                    channels
                }
            ),
        (0u8..128, TEXT).prop_map(|(payload_type, params)| Attribute::Fmtp {
            payload_type,
            params
        }),
        any::<u32>().prop_map(Attribute::Ptime),
        direction().prop_map(Attribute::Direction),
        (any::<u16>(), proptest::option::of(connection()))
            .prop_map(|(port, connection)| Attribute::Rtcp { port, connection }),
        ("x-[a-z0-9-]{1,8}", proptest::option::of(TEXT))
            .prop_map(|(name, value)| Attribute::Other { name, value }),
    ]
}

fn fields(kinds: &'static str, max: usize) -> impl Strategy<Value = Vec<Field>> {
    let kind = proptest::sample::select(kinds.chars().collect::<Vec<_>>());
    proptest::collection::vec((kind, TEXT), 0..max).prop_map(move |list| {
        let mut fields: Vec<Field> = list
            .into_iter()
            .map(|(kind, value)| Field { kind, value })
            .collect();
        // The writer emits RFC 4566 order; generate in that order so equality holds.
        fields.sort_by_key(|f| kinds.find(f.kind));
        fields
    })
}

fn media() -> impl Strategy<Value = MediaDescription> {
    let rtp_formats = proptest::collection::vec((0u8..128).prop_map(|pt| pt.to_string()), 0..5);
    let other_formats = proptest::collection::vec(TOKEN, 0..3);
    let proto_formats = prop_oneof![
        ("RTP/AVP|RTP/SAVP", rtp_formats).prop_map(|(p, f)| (p, f)),
        ("udp|TCP/MRCPv2", other_formats).prop_map(|(p, f)| (p, f)),
    ];
    (
        TOKEN,
        any::<u16>(),
        any::<Option<u16>>(),
        proto_formats,
        proptest::option::of(connection()),
        fields("ibk", 3),
        proptest::collection::vec(attribute(), 0..6),
    )
        .prop_map(
            |(media, port, port_count, (proto, formats), connection, fields, attributes)| {
                MediaDescription {
                    media,
                    port,
                    port_count,
                    proto,
                    formats,
                    connection,
                    fields,
                    attributes,
                }
            },
        )
}

fn session() -> impl Strategy<Value = SessionDescription> {
    (
        (TOKEN, "[0-9]{1,25}", any::<u64>(), connection()),
        "[ -~]{1,20}",
        proptest::option::of(connection()),
        fields("iuepbzk", 4),
        proptest::collection::vec(attribute(), 0..4),
        proptest::collection::vec(media(), 0..4),
    )
        .prop_map(
            |(
                (username, session_id, session_version, oc),
                name,
                connection,
                mut fields,
                attributes,
                media,
            )| {
                // t= is mandatory and printed if missing; include it so equality holds.
                let at = fields
                    .iter()
                    .position(|f| "zk".contains(f.kind))
                    .unwrap_or(fields.len());
                fields.insert(
                    at,
                    Field {
                        kind: 't',
                        value: "0 0".into(),
                    },
                );
                SessionDescription {
                    origin: Origin {
                        username,
                        session_id,
                        session_version,
                        connection: oc,
                    },
                    session_name: name,
                    connection,
                    fields,
                    attributes,
                    media,
                }
            },
        )
}

/// Everything the PBX calls on a parsed description, to prove none of it panics.
fn exercise(sdp: &SessionDescription) {
    let _ = sdp.audio().map(|a| (a.socket_addr(), a.is_hold()));
    for m in &sdp.media {
        let _ = negotiate(m, &[PCMU, PCMA, TELEPHONE_EVENT]);
    }
    let mut anchored = sdp.clone();
    anchored.anchor("[2001:db8::1]:40000".parse().expect("addr"), Some(40001));
    let reparsed = SessionDescription::parse(&anchored.to_string());
    assert!(reparsed.is_ok(), "anchored sdp must parse: {reparsed:?}");
}

proptest! {
    #[test]
    fn printed_sessions_parse_back_unchanged(sdp in session()) {
        let text = sdp.to_string();
        let parsed = SessionDescription::parse(&text);
        prop_assert_eq!(parsed.as_ref(), Ok(&sdp), "text was:\n{}", text);
        exercise(&sdp);
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        if let Ok(sdp) = SessionDescription::parse(&text) {
            exercise(&sdp);
        }
    }

    #[test]
    fn sdp_shaped_garbage_never_panics(
        lines in proptest::collection::vec(
            ("v=|o=|s=|c=|t=|m=|a=|a=rtpmap:|a=fmtp:|a=rtcp:|a=ptime:|b=|x=|m=audio ", "[ -~]{0,30}"),
            0..12,
        )
    ) {
        let mut text = String::from("v=0\r\n");
        for (prefix, rest) in lines {
            text.push_str(&prefix);
            text.push_str(&rest);
            text.push_str("\r\n");
        }
        if let Ok(sdp) = SessionDescription::parse(&text) {
            exercise(&sdp);
            let again = SessionDescription::parse(&sdp.to_string());
            prop_assert!(again.is_ok(), "reprint of parsed sdp must parse");
        }
    }
}
