//! A registration trunk's login details, and the REGISTER built from them
//! (RFC 3261 §10.2).

use std::net::{IpAddr, SocketAddr};

use sip::transaction::Peer;
use sip::{Host, Method, NameAddr, Request, Transport, Uri, Via};

use crate::dialplan::{Trunk, TrunkAuth, TrunkTransport};

/// Everything that decides what a trunk's REGISTER looks like and where it goes. When
/// any of it changes the old registration is removed and a new one made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Account {
    pub host: String,
    pub port: Option<u16>,
    pub transport: Transport,
    pub outbound_proxy: Option<String>,
    pub username: String,
    pub password: String,
    pub auth_username: Option<String>,
    pub contact_user: String,
    pub expires: u32,
}

impl Account {
    /// The account of a registration-mode trunk; `None` in IP mode.
    pub fn of(trunk: &Trunk) -> Option<Account> {
        let TrunkAuth::Registration {
            username,
            password,
            auth_username,
            contact_user,
            expires,
        } = &trunk.auth
        else {
            return None;
        };
        Some(Account {
            host: trunk.host.trim().to_owned(),
            port: trunk.port,
            transport: transport(trunk.transport),
            outbound_proxy: trunk
                .outbound_proxy
                .as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned),
            username: username.clone(),
            password: password.clone(),
            auth_username: auth_username.clone().filter(|u| !u.is_empty()),
            contact_user: contact_user.clone(),
            expires: *expires,
        })
    }

    /// The user name the digest answer carries (RFC 7616 §3.4).
    pub fn digest_user(&self) -> &str {
        self.auth_username.as_deref().unwrap_or(&self.username)
    }

    /// `sip:provider.example[:port]`: the registrar's domain (RFC 3261 §10.2).
    pub fn registrar_uri(&self) -> Uri {
        let mut uri = Uri::sip(None, host_of(&self.host));
        uri.port = self.port;
        if self.transport != Transport::Udp {
            uri.params.set(
                "transport",
                Some(&self.transport.as_str().to_ascii_lowercase()),
            );
        }
        uri
    }

    /// `sip:username@provider.example`: the address of record we register.
    pub fn aor(&self) -> String {
        format!("<{}>", Uri::sip(Some(&self.username), host_of(&self.host)))
    }

    /// Our Contact at `addr`, whose user part names this trunk in the provider's calls.
    pub fn contact(&self, addr: SocketAddr) -> String {
        let local = addr;
        let mut uri = Uri::sip(Some(&self.contact_user), Host::from(local.ip()));
        uri.port = Some(local.port());
        if self.transport != Transport::Udp {
            uri.params.set(
                "transport",
                Some(&self.transport.as_str().to_ascii_lowercase()),
            );
        }
        format!("<{uri}>")
    }
}

/// The transport of a trunk as the transaction layer names it.
pub(crate) fn transport(t: TrunkTransport) -> Transport {
    match t {
        TrunkTransport::Udp => Transport::Udp,
        TrunkTransport::Tcp => Transport::Tcp,
    }
}

/// A host as written by the owner: an IP address (IPv6 with or without brackets) or a
/// host name.
fn host_of(host: &str) -> Host {
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    match bare.parse::<IpAddr>() {
        Ok(ip) => Host::from(ip),
        Err(_) => Host::Domain(host.to_owned()),
    }
}

/// Where a trunk's requests go when that needs no DNS: the outbound proxy if set, else
/// the host, when written as an IP address. Host names are resolved by the runtime.
pub(crate) fn literal_target(trunk: &Trunk) -> Option<Peer> {
    let transport = transport(trunk.transport);
    let default_port = transport.default_port();
    let addr = match trunk.outbound_proxy.as_deref().map(str::trim) {
        Some(proxy) if !proxy.is_empty() => parse_host_port(proxy, default_port)?,
        _ => {
            let host = trunk.host.trim();
            let bare = host
                .strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .unwrap_or(host);
            SocketAddr::new(bare.parse().ok()?, trunk.port.unwrap_or(default_port))
        }
    };
    Some(Peer { transport, addr })
}

/// `203.0.113.5`, `203.0.113.5:5070`, `[2001:db8::1]:5070` or a bare IPv6 address.
fn parse_host_port(s: &str, default_port: u16) -> Option<SocketAddr> {
    if let Ok(addr) = s.parse::<SocketAddr>() {
        return Some(addr);
    }
    let bare = s
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(s);
    bare.parse::<IpAddr>()
        .ok()
        .map(|ip| SocketAddr::new(ip, default_port))
}

/// The parts of a REGISTER that change from one send to the next.
pub(crate) struct RegisterRequest<'a> {
    pub call_id: &'a str,
    pub from_tag: &'a str,
    pub cseq: u32,
    pub expires: u32,
    /// Our address towards the provider, for Via.
    pub local: SocketAddr,
    /// The address our Contact names: `local`, or what the provider saw behind a NAT.
    pub contact: SocketAddr,
    /// A Contact registered before that no longer applies, removed with `expires=0`.
    pub stale_contact: Option<SocketAddr>,
    pub user_agent: &'a str,
    /// `(header, value)` of each digest answer, one per challenging origin.
    pub authorization: Vec<(&'static str, String)>,
}

impl Account {
    /// A REGISTER for this account. RFC 3261 §10.2.4: refreshes keep Call-ID and From
    /// tag and raise CSeq, so the provider sees one registration being refreshed.
    pub fn register(&self, r: RegisterRequest<'_>) -> Request {
        let mut request = Request::new(Method::Register, self.registrar_uri());
        // Our Via without a branch: the transaction layer adds a fresh one. `rport`
        // (RFC 3581) lets the provider answer through a NAT.
        let mut via = Via::new(
            self.transport,
            Host::from(r.local.ip()),
            Some(r.local.port()),
            "",
        );
        via.params.remove("branch");
        via.params.push("rport", None);
        request.headers.push("Via", via.to_string());
        request.headers.push("Max-Forwards", "70");
        if let Some(proxy) = &self.outbound_proxy {
            // RFC 3261 §8.1.2: a preloaded route through the outbound proxy.
            let mut route = NameAddr::new(Uri::sip(None, host_of(proxy)));
            if let Ok((host, port)) = Host::parse_with_port(proxy) {
                route.uri.host = host;
                route.uri.port = port;
            }
            route.uri.params.push("lr", None);
            request.headers.push("Route", route.to_string());
        }
        request
            .headers
            .push("From", format!("{};tag={}", self.aor(), r.from_tag));
        request.headers.push("To", self.aor());
        request.headers.push("Call-ID", r.call_id);
        request.headers.push("CSeq", format!("{} REGISTER", r.cseq));
        request.headers.push("Contact", self.contact(r.contact));
        if let Some(stale) = r.stale_contact {
            request
                .headers
                .push("Contact", format!("{};expires=0", self.contact(stale)));
        }
        request.headers.push("Expires", r.expires.to_string());
        for (header, value) in r.authorization {
            request.headers.push(header, value);
        }
        request.headers.push("Allow", crate::util::ALLOW);
        request.headers.push("User-Agent", r.user_agent);
        request
    }
}
