//! Finding the office's public address with STUN (RFC 5389): a STUN server on the
//! internet answers a Binding request with the address our packet came from, which is
//! the router's public address when the PC is behind a NAT.

mod message;

use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::UdpSocket;

pub use message::{
    binding_request, binding_success, read_binding_request, read_binding_response, StunError,
    TransactionId,
};

/// A public STUN server, offered as the default.
pub const DEFAULT_STUN_SERVER: &str = "stun.l.google.com:19302";

/// RFC 5389 §7.2.1: the first retransmission after 500 ms, doubling each time. Three tries
/// (3.5 s in all) are enough to tell the owner "no answer" while they wait for a button.
const FIRST_RTO: Duration = Duration::from_millis(500);
const TRIES: u32 = 3;

/// Why the public address could not be found.
#[derive(Debug, thiserror::Error)]
pub enum DiscoverError {
    #[error("cannot find the STUN server {0}")]
    Resolve(String),
    #[error("network: {0}")]
    Io(#[from] std::io::Error),
    #[error("the STUN server did not answer")]
    NoAnswer,
    #[error("{0}")]
    Stun(#[from] StunError),
}

/// Asks the STUN server at `server` (`host:port`) which address it sees us at.
pub async fn discover(server: &str) -> Result<SocketAddr, DiscoverError> {
    let target = tokio::net::lookup_host(server)
        .await
        .map_err(|_| DiscoverError::Resolve(server.to_owned()))?
        .next()
        .ok_or_else(|| DiscoverError::Resolve(server.to_owned()))?;
    let bind: SocketAddr = if target.is_ipv4() {
        (std::net::Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = UdpSocket::bind(bind).await?;
    let id: TransactionId = rand::random();
    let request = binding_request(&id);
    let mut wait = FIRST_RTO;
    let mut buf = [0u8; 1500];
    for _ in 0..TRIES {
        socket.send_to(&request, target).await?;
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let received = tokio::time::timeout_at(deadline, socket.recv_from(&mut buf)).await;
            let Ok(received) = received else { break };
            let (len, from) = received?;
            // Anything not from the server, or for another request, is not our answer.
            if from != target {
                continue;
            }
            match read_binding_response(buf.get(..len).unwrap_or(&[]), &id) {
                Ok(addr) => return Ok(addr),
                Err(StunError::NotStun | StunError::OtherTransaction) => continue,
                Err(e) => return Err(e.into()),
            }
        }
        wait *= 2;
    }
    Err(DiscoverError::NoAnswer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_address_a_stun_server_reports_is_returned() {
        let server = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
        let addr = server.local_addr().expect("addr");
        let reported: SocketAddr = "203.0.113.50:61000".parse().expect("addr");
        tokio::spawn(async move {
            let mut buf = [0u8; 1500];
            // The first request is lost (no answer), the retransmission is answered.
            let _ = server.recv_from(&mut buf).await;
            let (len, from) = server.recv_from(&mut buf).await.expect("recv");
            let id = read_binding_request(&buf[..len]).expect("a binding request");
            let answer = binding_success(&id, reported);
            server.send_to(&answer, from).await.expect("send");
        });
        let found = discover(&addr.to_string()).await.expect("discovered");
        assert_eq!(found, reported);
    }

    #[tokio::test]
    async fn a_silent_server_is_reported() {
        let server = UdpSocket::bind("127.0.0.1:0").await.expect("bind");
        let addr = server.local_addr().expect("addr");
        let result = discover(&addr.to_string()).await;
        assert!(matches!(result, Err(DiscoverError::NoAnswer)), "{result:?}");
        drop(server);
    }
}
