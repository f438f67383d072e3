//! The office with a trunk: a provider on the internet that sends calls from a fixed
//! address (IP-authenticated trunk) and takes the office's calls out, business names,
//! ring groups and outbound routes.

use pbx::dialplan::{
    BusinessName, Destination, DialPlan, DtmfMode, OutboundRoute, RingGroup, RingMember,
    RingStrategy, Trunk, TrunkAuth, TrunkId, TrunkTransport,
};

use super::{SimPhone, World};

/// The provider's SIP address (and the trunk's only allowed source).
pub const PROVIDER: &str = "203.0.113.5:5060";
/// A second provider, for failover.
pub const BACKUP_PROVIDER: &str = "198.51.100.7:5060";
/// The number the provider delivers for `sales.acme`.
pub const SALES_NUMBER: &str = "+442071234567";
/// Jane Doe's mobile.
pub const JANE: &str = "+447700900123";

/// The provider placing a call as Jane Doe (its UA sends her number and name in From).
pub fn provider(seed: u64) -> SimPhone {
    let mut p = SimPhone::new(JANE, "", PROVIDER, "203.0.113.5:30000", seed);
    p.display_name = Some("Jane Doe".into());
    p
}

/// The backup provider's UA (it only receives calls here).
pub fn backup_provider(seed: u64) -> SimPhone {
    SimPhone::new("backup", "", BACKUP_PROVIDER, "198.51.100.7:30000", seed)
}

/// Carol's desk phone (102).
pub fn carol(seed: u64) -> SimPhone {
    SimPhone::new(
        "102",
        "carol-secret",
        "192.168.1.40:5060",
        "192.168.1.40:4300",
        seed,
    )
}

/// An IP-authenticated trunk to a provider at `addr` (`ip:port`).
pub fn ip_trunk(id: TrunkId, name: &str, addr: &str, channels: u32) -> Trunk {
    let (host, port) = addr.split_once(':').expect("ip:port");
    Trunk {
        id,
        name: name.into(),
        enabled: true,
        host: host.into(),
        port: Some(port.parse().expect("port")),
        transport: TrunkTransport::Udp,
        outbound_proxy: None,
        auth: TrunkAuth::Ip {
            allowed: vec![host.into()],
        },
        channels,
        codecs: vec!["PCMU".into()],
        dtmf: DtmfMode::Rfc4733,
        from_user: None,
        caller_id: None,
        trust_pai: false,
        overflow: None,
        default_destination: Destination::Extension("100".into()),
    }
}

/// `sales.acme` on trunk 1, labelled Sales, ringing `destination`.
pub fn sales_name(destination: Destination) -> BusinessName {
    BusinessName {
        id: 1,
        name: "sales.acme".into(),
        number: SALES_NUMBER.into(),
        label: "Sales".into(),
        trunk: Some(1),
        destination,
    }
}

/// A ring group of extensions, each ringing `seconds` (in order) or together.
pub fn group(
    number: &str,
    strategy: RingStrategy,
    members: &[(&str, u32)],
    final_destination: Option<Destination>,
) -> RingGroup {
    RingGroup {
        number: number.into(),
        name: format!("Group {number}"),
        strategy,
        members: members
            .iter()
            .map(|(n, s)| RingMember {
                number: (*n).into(),
                ring_seconds: *s,
            })
            .collect(),
        final_destination,
    }
}

/// Numbers starting with 0 go out by `trunks` in order, the 0 stripped and +44 put in front.
pub fn uk_route(trunks: Vec<TrunkId>) -> OutboundRoute {
    OutboundRoute {
        id: 1,
        name: "UK".into(),
        patterns: vec!["0.".into()],
        strip: 1,
        prepend: "+44".into(),
        trunks,
    }
}

/// A plan with one IP trunk from [`PROVIDER`] and Sales ringing `destination`.
pub fn sales_plan(channels: u32, destination: Destination) -> DialPlan {
    DialPlan {
        trunks: vec![ip_trunk(1, "Provider", PROVIDER, channels)],
        names: vec![sales_name(destination)],
        emergency_numbers: vec!["999".into()],
        ..DialPlan::default()
    }
}

impl World {
    /// Gives the PBX a new dial plan now.
    pub fn install(&mut self, plan: DialPlan) {
        let now = self.now;
        self.pbx.set_dial_plan(now, plan);
        self.flush();
    }

    /// Lines in use on trunk `id`.
    pub fn lines_in_use(&self, id: TrunkId) -> u32 {
        self.pbx
            .trunk_states()
            .iter()
            .find(|s| s.id == id)
            .map_or(0, |s| s.lines_in_use)
    }
}
