//! The owner's allow-list over HTTP: entries are saved in the PBX's own notation and read
//! back; a bad entry is refused on its own field and nothing of the list is saved; this
//! computer's addresses are listed apart, always allowed. The running PBX takes the list at
//! once: a flood from an allowed address is not banned while the same flood from another
//! is, and allowing a banned address lets it in.

mod common;

use common::Harness;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_allow_list_is_saved_checked_per_entry_and_read_back() {
    let h = Harness::start().await;
    let empty = h.ok("get_allow_list", json!({})).await;
    assert_eq!(empty["entries"], json!([]));
    let own = empty["this_computer"].as_array().expect("a list");
    assert!(own.contains(&json!("127.0.0.1")), "{empty}");
    assert!(own.contains(&json!("::1")), "{empty}");
    let mut distinct = own.clone();
    distinct.sort_by_key(ToString::to_string);
    distinct.dedup();
    assert_eq!(distinct.len(), own.len(), "each address once: {empty}");

    let saved = h
        .ok(
            "set_allow_list",
            json!({"entries": [" 192.168.1.77/24 ", "2001:db8::1", "", "[2001:db8::2]", "2001:db8::1"]}),
        )
        .await;
    assert_eq!(
        saved["entries"],
        json!(["192.168.1.0/24", "2001:db8::1", "2001:db8::2"])
    );
    assert_eq!(
        h.store().guard_allow_list().expect("read"),
        vec!["192.168.1.0/24", "2001:db8::1", "2001:db8::2"]
    );

    let error = h
        .refused(
            "set_allow_list",
            json!({"entries": ["10.0.0.0/8", "pbx.example.com", "203.0.113.5:5060", "10.0.0.0/40"]}),
            422,
        )
        .await;
    for field in ["entries.1", "entries.2", "entries.3"] {
        assert_eq!(
            error["fields"][field], "not an address or network",
            "{field}: {error}"
        );
    }
    assert!(error["fields"]["entries.0"].is_null(), "{error}");
    let after = h.ok("get_allow_list", json!({})).await;
    assert_eq!(
        after["entries"], saved["entries"],
        "a refused list changed nothing"
    );

    let cleared = h.ok("set_allow_list", json!({"entries": []})).await;
    assert_eq!(cleared["entries"], json!([]));
    h.stop().await;
}

/// Sends `count` OPTIONS from `from` to the PBX, a few at a time, far faster than any phone.
async fn flood(from: &str, to: std::net::SocketAddr, count: usize) {
    let socket = tokio::net::UdpSocket::bind((from, 0)).await.expect("bind");
    let local = socket.local_addr().expect("local");
    for n in 0..count {
        let message = format!(
            "OPTIONS sip:{to} SIP/2.0\r\nVia: SIP/2.0/UDP {local};branch=z9hG4bKflood{n}\r\n\
             Max-Forwards: 70\r\nFrom: <sip:x@{local}>;tag=f{n}\r\nTo: <sip:{to}>\r\n\
             Call-ID: flood-{n}@{from}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
        );
        let _ = socket.send_to(message.as_bytes(), to).await;
        if n % 50 == 49 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_running_pbx_never_bans_an_allowed_address_but_still_bans_others() {
    let h = Harness::start().await;
    h.ok("set_allow_list", json!({"entries": ["127.0.0.7"]}))
        .await;
    flood("127.0.0.7", h.sip, 5000).await;
    flood("127.0.0.8", h.sip, 5000).await;
    let mut banned = Vec::new();
    for _ in 0..100 {
        let bans = h.ok("list_bans", json!({})).await;
        banned = bans["bans"]
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(|b| b["address"].as_str().map(str::to_owned))
            .collect();
        if banned.iter().any(|a| a == "127.0.0.8") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        banned.iter().any(|a| a == "127.0.0.8"),
        "the flood from a stranger is banned: {banned:?}"
    );
    assert!(
        !banned.iter().any(|a| a == "127.0.0.7"),
        "the allowed address is not: {banned:?}"
    );

    // Allowing a banned address lets it in at once.
    h.ok(
        "set_allow_list",
        json!({"entries": ["127.0.0.7", "127.0.0.8/32"]}),
    )
    .await;
    let bans = h.ok("list_bans", json!({})).await;
    assert_eq!(bans["bans"], json!([]), "{bans}");
    h.stop().await;
}
