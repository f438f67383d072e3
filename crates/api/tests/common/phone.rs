//! A bare-bones SIP phone for the tests: one UDP socket, plain-text messages, digest
//! answers from the `sip` crate's client side.

use std::net::SocketAddr;

use sip::auth::Challenge;
use tokio::net::UdpSocket;

use super::PATIENCE;

/// A SIP response as the phone reads it.
pub struct SipResponse {
    pub status: u16,
    pub text: String,
}

impl SipResponse {
    pub fn headers<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        let text: &'a str = &self.text;
        text.lines().filter_map(move |line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    pub fn header<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        self.headers(name).next()
    }
}

/// A phone: one UDP socket, plain-text SIP, digest answers from the `sip` crate.
pub struct Phone {
    pub socket: UdpSocket,
    pub server: SocketAddr,
    pub number: String,
    pub password: String,
    cseq: u32,
    next_branch: u32,
}

impl Phone {
    pub async fn new(server: SocketAddr, number: &str, password: &str) -> Phone {
        Phone {
            socket: UdpSocket::bind("127.0.0.1:0").await.expect("bind phone"),
            server,
            number: number.to_owned(),
            password: password.to_owned(),
            cseq: 0,
            next_branch: 0,
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.socket.local_addr().expect("phone address")
    }

    fn branch(&mut self) -> String {
        self.next_branch += 1;
        format!("z9hG4bK-{}-{}", self.number, self.next_branch)
    }

    /// REGISTER for `expires` seconds (0 signs off), answering the digest challenge.
    /// The final status.
    pub async fn register(&mut self, expires: u32) -> u16 {
        let call_id = format!("reg-{}@test", self.number);
        let uri = format!("sip:{}", self.server);
        let mut authorization: Option<String> = None;
        for _ in 0..2 {
            self.cseq += 1;
            let branch = self.branch();
            let me = self.addr();
            let mut msg = format!(
                "REGISTER {uri} SIP/2.0\r\n\
                 Via: SIP/2.0/UDP {me};branch={branch};rport\r\n\
                 Max-Forwards: 70\r\n\
                 From: <sip:{n}@{s}>;tag=reg{n}\r\n\
                 To: <sip:{n}@{s}>\r\n\
                 Call-ID: {call_id}\r\n\
                 CSeq: {cseq} REGISTER\r\n\
                 Contact: <sip:{n}@{me}>\r\n\
                 Expires: {expires}\r\n\
                 User-Agent: ApiTestPhone/1.0\r\n",
                n = self.number,
                s = self.server,
                cseq = self.cseq,
            );
            if let Some(a) = &authorization {
                msg.push_str(&format!("Authorization: {a}\r\n"));
            }
            msg.push_str("Content-Length: 0\r\n\r\n");
            self.send(&msg).await;
            let response = self.final_response().await;
            if response.status != 401 {
                return response.status;
            }
            authorization = Some(self.answer(&response, "REGISTER", &uri));
        }
        401
    }

    /// Starts a call to `callee` (an INVITE without SDP, answering the challenge); returns
    /// the call's Call-ID once the PBX is trying.
    pub async fn call(&mut self, callee: &str) -> String {
        let call_id = format!("call-{}-{}@test", self.number, self.cseq);
        let uri = format!("sip:{callee}@{}", self.server);
        let mut authorization: Option<String> = None;
        for _ in 0..2 {
            self.cseq += 1;
            let branch = self.branch();
            let me = self.addr();
            let head = format!(
                "Via: SIP/2.0/UDP {me};branch={branch};rport\r\n\
                 From: <sip:{n}@{s}>;tag=call{n}\r\n\
                 To: <sip:{callee}@{s}>\r\n\
                 Call-ID: {call_id}\r\n",
                n = self.number,
                s = self.server,
            );
            let mut msg = format!(
                "INVITE {uri} SIP/2.0\r\n{head}Max-Forwards: 70\r\nCSeq: {cseq} INVITE\r\n\
                 Contact: <sip:{n}@{me}>\r\n",
                cseq = self.cseq,
                n = self.number,
            );
            if let Some(a) = &authorization {
                msg.push_str(&format!("Authorization: {a}\r\n"));
            }
            msg.push_str("Content-Length: 0\r\n\r\n");
            self.send(&msg).await;
            let response = self.response_after_provisional(100).await;
            if response.status == 100 {
                return call_id;
            }
            assert_eq!(response.status, 401, "INVITE: {}", response.text);
            // RFC 3261 §17.1.1.3: a non-2xx final response to INVITE is acknowledged
            // with the same branch and the To tag it carried.
            let to = response.header("To").unwrap_or_default().to_owned();
            let ack = format!(
                "ACK {uri} SIP/2.0\r\nVia: SIP/2.0/UDP {me};branch={branch};rport\r\n\
                 From: <sip:{n}@{s}>;tag=call{n}\r\nTo: {to}\r\nCall-ID: {call_id}\r\n\
                 Max-Forwards: 70\r\nCSeq: {cseq} ACK\r\nContent-Length: 0\r\n\r\n",
                n = self.number,
                s = self.server,
                cseq = self.cseq,
            );
            self.send(&ack).await;
            authorization = Some(self.answer(&response, "INVITE", &uri));
        }
        panic!("INVITE was challenged twice");
    }

    fn answer(&self, response: &SipResponse, method: &str, uri: &str) -> String {
        let challenge = Challenge::first_supported(response.headers("WWW-Authenticate"))
            .expect("a digest challenge we can answer");
        challenge.authorization(&self.number, &self.password, method, uri, 1, "0a4f113b")
    }

    async fn send(&self, msg: &str) {
        self.socket
            .send_to(msg.as_bytes(), self.server)
            .await
            .expect("send SIP");
    }

    /// The next message from the PBX, request or response.
    pub async fn recv(&self) -> String {
        let mut buf = vec![0u8; 65536];
        let (len, _) = tokio::time::timeout(PATIENCE, self.socket.recv_from(&mut buf))
            .await
            .expect("a SIP message in time")
            .expect("recv");
        String::from_utf8_lossy(&buf[..len]).into_owned()
    }

    /// The next request the PBX sends to this phone (skipping responses), e.g. an INVITE.
    pub async fn next_request(&self, method: &str) -> String {
        loop {
            let text = self.recv().await;
            if text.starts_with(method) {
                return text;
            }
        }
    }

    /// The next response that is final, or is the provisional `wanted`.
    async fn response_after_provisional(&self, wanted: u16) -> SipResponse {
        loop {
            let text = self.recv().await;
            let Some(status) = text
                .strip_prefix("SIP/2.0 ")
                .and_then(|rest| rest.get(..3))
                .and_then(|code| code.parse::<u16>().ok())
            else {
                continue; // a request, not for this exchange
            };
            if status >= 200 || status == wanted {
                return SipResponse { status, text };
            }
        }
    }

    async fn final_response(&self) -> SipResponse {
        self.response_after_provisional(u16::MAX).await
    }
}
