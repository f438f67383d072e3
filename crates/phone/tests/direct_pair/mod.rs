//! Two phones calling each other directly (no server): "desk", whose audio a test watches,
//! dials "far", which answers. For the tests that change desk's devices during a call.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use phone::audio::AudioBackend;
use phone::runtime::{Phone, PhoneEvent, PhoneOptions};
use phone::ua::{Account, CallHandle};
use tokio::sync::broadcast;

/// A call talking between desk and far, with desk's events.
pub struct DirectCall {
    pub desk: Phone,
    pub far: Phone,
    pub call: CallHandle,
    pub desk_events: broadcast::Receiver<PhoneEvent>,
}

/// Starts both phones, desk dials far, far answers; returns once desk's call has opened its
/// devices (its loop opens them just after it tells its codec).
pub async fn direct_call(
    desk_audio: Arc<dyn AudioBackend>,
    far_audio: Arc<dyn AudioBackend>,
) -> DirectCall {
    let free = std::net::UdpSocket::bind("127.0.0.1:0").expect("a free port");
    let desk_addr = free.local_addr().expect("addr");
    drop(free);
    let direct = |listen: SocketAddr| PhoneOptions {
        register: false,
        listen: Some(listen),
        ..PhoneOptions::default()
    };
    let far = Phone::start_with(
        account("far", desk_addr),
        far_audio,
        direct("127.0.0.1:0".parse().expect("addr")),
    )
    .await
    .expect("far starts");
    let desk = Phone::start_with(
        account("desk", far.sip_addr()),
        desk_audio,
        direct(desk_addr),
    )
    .await
    .expect("desk starts");
    let mut far_events = far.subscribe();
    let mut desk_events = desk.subscribe();

    let call = desk.dial("far").await.expect("dial");
    let PhoneEvent::Incoming { call: incoming, .. } = event(&mut far_events, |e| {
        matches!(e, PhoneEvent::Incoming { .. })
    })
    .await
    else {
        unreachable!()
    };
    far.answer(incoming).await.expect("answer");
    event(&mut desk_events, |e| matches!(e, PhoneEvent::Codec { .. })).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    DirectCall {
        desk,
        far,
        call,
        desk_events,
    }
}

/// Hangs up and stops both phones.
pub async fn hang_up(mut talking: DirectCall) {
    talking.desk.hang_up(talking.call).await.expect("hang up");
    event(&mut talking.desk_events, |e| {
        matches!(e, PhoneEvent::Ended { .. })
    })
    .await;
    talking.desk.shutdown().await.expect("desk stops");
    talking.far.shutdown().await.expect("far stops");
}

/// The next event `want` matches.
pub async fn event(
    events: &mut broadcast::Receiver<PhoneEvent>,
    want: impl Fn(&PhoneEvent) -> bool,
) -> PhoneEvent {
    loop {
        let e = tokio::time::timeout(Duration::from_secs(8), events.recv())
            .await
            .expect("an event in time")
            .expect("events");
        if want(&e) {
            return e;
        }
    }
}

fn account(user: &str, server: SocketAddr) -> Account {
    Account {
        server,
        transport: sip::Transport::Udp,
        domain: None,
        user: user.into(),
        auth_user: None,
        password: String::new(),
        display_name: None,
        expires: 300,
    }
}
