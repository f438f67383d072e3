//! Shedding load when the core falls behind (RFC 3261 §21.5.4, RFC 7339 §1): with more
//! than [`BUSY_QUEUE`] messages waiting, new out-of-dialog requests are turned away so that
//! the calls already set up (their in-dialog requests, every response, ACK and CANCEL)
//! keep being served. Over TCP and TLS the sender hears 503 with Retry-After and tries
//! again later; over UDP the request is dropped, since answering a flood costs as much as
//! serving it and a real phone retransmits anyway.

use sip::{Message, Response, Transport};

/// Queued messages above which the core counts as overloaded: a sixteenth of the queue,
/// several hundred milliseconds of work at full speed.
pub(crate) const BUSY_QUEUE: usize = 1024;

/// Seconds a turned-away sender is asked to wait (RFC 3261 §20.33).
const RETRY_AFTER: u32 = 5;

/// What to do with a message that arrived while the core is overloaded.
pub(crate) enum Shed {
    /// Handle it as usual: it belongs to something already under way.
    Keep,
    /// Drop it unanswered.
    Drop,
    /// Answer it with these bytes (a 503) and do not handle it.
    Refuse(Vec<u8>),
}

/// Sorts a message that arrived while the core was overloaded.
pub(crate) fn shed(transport: Transport, bytes: &[u8], tag: u64) -> Shed {
    let Ok(Message::Request(request)) = sip::parse(bytes) else {
        // Responses finish transactions already under way; garbage costs nothing more.
        return Shed::Keep;
    };
    // RFC 3261 §12.2.2: a To tag marks a request within a dialog. ACK and CANCEL end
    // what an earlier request started.
    let in_dialog = request
        .headers
        .get("To")
        .is_some_and(|to| to.to_ascii_lowercase().contains(";tag="));
    if in_dialog || matches!(request.method.as_str(), "ACK" | "CANCEL") {
        return Shed::Keep;
    }
    if transport == Transport::Udp {
        return Shed::Drop;
    }
    let mut response = Response::for_request(&request, 503, "Service Unavailable");
    if let Some(to) = response.headers.get("To").map(str::to_owned) {
        response.headers.set("To", format!("{to};tag={tag:x}"));
    }
    response
        .headers
        .push("Retry-After", RETRY_AFTER.to_string());
    response.headers.push("Content-Length", "0");
    Shed::Refuse(response.to_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: &str, to_tag: bool) -> Vec<u8> {
        let tag = if to_tag { ";tag=b2" } else { "" };
        format!(
            "{method} sip:100@pbx.example SIP/2.0\r\n\
             Via: SIP/2.0/TCP 192.0.2.9:5060;branch=z9hG4bKx1\r\n\
             Max-Forwards: 70\r\n\
             From: <sip:200@pbx.example>;tag=a1\r\n\
             To: <sip:100@pbx.example>{tag}\r\n\
             Call-ID: c1@192.0.2.9\r\n\
             CSeq: 1 {method}\r\n\
             Content-Length: 0\r\n\r\n"
        )
        .into_bytes()
    }

    #[test]
    fn a_new_call_over_tcp_is_refused_with_503_and_retry_after() {
        let Shed::Refuse(bytes) = shed(Transport::Tcp, &request("INVITE", false), 0xabc) else {
            panic!("a new INVITE was not refused");
        };
        let Ok(Message::Response(r)) = sip::parse(&bytes) else {
            panic!("not a response");
        };
        assert_eq!(r.status, 503);
        assert_eq!(r.headers.get("Retry-After"), Some("5"));
        assert!(r.headers.get("To").is_some_and(|t| t.contains(";tag=abc")));
    }

    #[test]
    fn a_new_request_over_udp_is_dropped() {
        assert!(matches!(
            shed(Transport::Udp, &request("REGISTER", false), 1),
            Shed::Drop
        ));
    }

    #[test]
    fn calls_under_way_keep_being_served() {
        for transport in [Transport::Udp, Transport::Tcp] {
            assert!(matches!(
                shed(transport, &request("BYE", true), 1),
                Shed::Keep
            ));
            assert!(matches!(
                shed(transport, &request("ACK", false), 1),
                Shed::Keep
            ));
            assert!(matches!(
                shed(transport, &request("CANCEL", false), 1),
                Shed::Keep
            ));
        }
        let response = b"SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKy\r\n\
From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\
Content-Length: 0\r\n\r\n";
        assert!(matches!(shed(Transport::Udp, response, 1), Shed::Keep));
    }
}
