//! On Linux the kernel says when an address or route changes (rtnetlink), and the phone
//! asks at once which local address reaches its server: with the regular poll set to an
//! hour, a new address added to an interface still makes the account register again from
//! its new address (127.0.0.2 to 127.0.0.3).
//!
//! The test takes a network namespace of its own (root, as in CI), so the address it adds
//! is seen by nothing else on the machine: namespaces belong to a thread, and this test's
//! runtime, its sockets and the `ip` commands it runs all live on its one thread.

#![cfg(target_os = "linux")]

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use phone::audio::{FileBackend, FileSource};
use phone::runtime::{LocalIp, Phone, PhoneEvent, PhoneOptions};
use phone::ua::{Account, RegistrationEvent};
use tokio::net::UdpSocket;
use tokio::time::timeout;

const WAIT: Duration = Duration::from_secs(8);
const WIFI: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
const TETHERING: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 3));

fn ip(args: &[&str]) {
    let status = std::process::Command::new("ip")
        .args(args)
        .status()
        .expect("the ip command");
    assert!(status.success(), "ip {args:?}: {status}");
}

/// The next SIP request the server receives, and where from.
async fn recv_request(server: &UdpSocket) -> (String, SocketAddr) {
    let mut buf = vec![0u8; 65_536];
    loop {
        let (n, from) = timeout(WAIT, server.recv_from(&mut buf))
            .await
            .expect("a SIP request in time")
            .expect("recv");
        let text = String::from_utf8_lossy(&buf[..n]).into_owned();
        if text.trim().is_empty() || text.starts_with("SIP/2.0") {
            continue;
        }
        return (text, from);
    }
}

fn header<'a>(msg: &'a str, name: &str) -> &'a str {
    msg.lines()
        .find_map(|l| {
            let (n, v) = l.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then_some(v.trim())
        })
        .unwrap_or_else(|| panic!("no {name} in {msg}"))
}

/// 200 OK to a REGISTER (RFC 3261 §10.3), binding its Contact for 300 s.
fn registered(request: &str) -> String {
    format!(
        "SIP/2.0 200 OK\r\nVia: {}\r\nFrom: {}\r\nTo: {};tag=srv\r\nCall-ID: {}\r\nCSeq: {}\r\n\
         Contact: {};expires=300\r\nContent-Length: 0\r\n\r\n",
        header(request, "Via"),
        header(request, "From"),
        header(request, "To"),
        header(request, "Call-ID"),
        header(request, "CSeq"),
        header(request, "Contact"),
    )
}

#[tokio::test]
async fn a_new_address_reported_by_the_system_re_registers_without_waiting_for_the_poll() {
    // SAFETY: unshare has no memory-safety preconditions; it moves this thread alone into
    // a new, empty network namespace.
    let entered = unsafe { libc::unshare(libc::CLONE_NEWNET) };
    assert_eq!(
        entered,
        0,
        "a network namespace of its own (needs root): {}",
        std::io::Error::last_os_error()
    );
    ip(&["link", "set", "lo", "up"]);

    let server = UdpSocket::bind("127.0.0.1:0").await.expect("server socket");
    let account = Account {
        server: server.local_addr().expect("server address"),
        transport: sip::Transport::Udp,
        domain: None,
        user: "202".into(),
        auth_user: None,
        password: "secret".into(),
        display_name: None,
        expires: 300,
    };
    let network = Arc::new(Mutex::new(WIFI));
    let route = Arc::clone(&network);
    let local_ip: LocalIp = Arc::new(move |_| Ok(*route.lock().expect("lock")));
    let options = PhoneOptions {
        network_check: Duration::from_secs(3600),
        ..PhoneOptions::default()
    };
    let audio = Arc::new(FileBackend::new(FileSource::Silence, None, 8000));
    let phone = Phone::start_on(account, audio, options, local_ip)
        .await
        .expect("phone starts");
    let mut events = phone.subscribe();

    let (register, from) = recv_request(&server).await;
    assert!(register.starts_with("REGISTER "), "{register}");
    assert_eq!(from.ip(), WIFI);
    let ok = registered(&register);
    server.send_to(ok.as_bytes(), from).await.expect("send");
    loop {
        let event = timeout(WAIT, events.recv())
            .await
            .expect("registered in time")
            .expect("events");
        if let PhoneEvent::Registration(r) = event {
            assert!(matches!(r, RegistrationEvent::Registered { .. }), "{r:?}");
            break;
        }
    }

    // The route to the server now leaves from another address; only the kernel's word of
    // a change (an address added) can tell the phone before the hour-long poll.
    *network.lock().expect("lock") = TETHERING;
    ip(&["address", "add", "10.77.0.1/32", "dev", "lo"]);
    let (again, from) = recv_request(&server).await;
    assert!(again.starts_with("REGISTER "), "{again}");
    assert_eq!(from.ip(), TETHERING, "{again}");
    assert!(header(&again, "Contact").contains("127.0.0.3"), "{again}");
    phone.shutdown().await.expect("shutdown");
}
