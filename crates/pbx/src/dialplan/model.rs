//! The office's routing configuration as plain data: trunks, business names, ring groups,
//! business hours and outbound routes. The store persists it, the API edits it, and the
//! PBX routes calls by it. Serde shapes are the API's and the store's wire format.

use serde::{Deserialize, Serialize};

/// A trunk's row id in the store.
pub type TrunkId = i64;

/// Where a call goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "target", rename_all = "snake_case")]
pub enum Destination {
    /// An extension's number: rings all its devices.
    Extension(String),
    /// A ring group's number.
    RingGroup(String),
    /// A conference room's number (mixing arrives with the media services).
    Conference(String),
    /// The voicemail box of an extension or ring group number (arrives with the media services).
    Voicemail(String),
    /// A business-hours schedule's id: chooses between its open and closed destinations.
    Hours(i64),
    /// Refuse the call (603 Decline to the trunk).
    Hangup,
}

/// How the PBX proves to the provider who it is, and how it recognises the provider's calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum TrunkAuth {
    /// REGISTER with digest credentials; inbound calls arrive at the registered contact,
    /// whose user part (`contact_user`, generated, unguessable) names this trunk.
    Registration {
        username: String,
        password: String,
        /// Digest user name when the provider wants one different from `username`.
        auth_username: Option<String>,
        contact_user: String,
        /// Requested registration lifetime in seconds.
        expires: u32,
    },
    /// The provider sends from fixed addresses; nothing is challenged. Entries are IP
    /// addresses (optionally `ip:port`), CIDR ranges (`203.0.113.0/24`) or host names.
    Ip { allowed: Vec<String> },
}

/// RFC 3261 §18: the transports a trunk may use towards the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrunkTransport {
    Udp,
    Tcp,
}

/// How DTMF digits travel on the trunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DtmfMode {
    /// RFC 4733 telephone-event in the RTP stream.
    Rfc4733,
    /// SIP INFO (application/dtmf-relay).
    Info,
    /// Tones inside the audio.
    Inband,
}

/// A SIP trunk to a provider.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trunk {
    pub id: TrunkId,
    /// The owner's name for it ("Provider", "Backup line").
    pub name: String,
    pub enabled: bool,
    /// The provider's SIP host (name or IP) and port (default 5060).
    pub host: String,
    pub port: Option<u16>,
    pub transport: TrunkTransport,
    /// `host[:port]` every request is sent through instead of `host`, if set.
    pub outbound_proxy: Option<String>,
    pub auth: TrunkAuth,
    /// Calls the trunk carries at once (inbound and outbound together).
    pub channels: u32,
    /// Codec names in preference order (`PCMU`, `PCMA`, …).
    pub codecs: Vec<String>,
    pub dtmf: DtmfMode,
    /// The From user the provider requires on outbound calls (often the account number).
    pub from_user: Option<String>,
    /// The number presented to the called party on outbound calls (P-Asserted-Identity).
    pub caller_id: Option<String>,
    /// Whether P-Asserted-Identity from this trunk names the caller (RFC 3325 §9.1).
    pub trust_pai: bool,
    /// Where a call goes when every channel is busy; `None`: voicemail when it exists,
    /// else 486 Busy Here.
    pub overflow: Option<Destination>,
    /// Where a call for a number that matches no business name goes.
    pub default_destination: Destination,
}

/// A business name the provider delivers as a number (`sales.acme` → `+442071234567`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessName {
    pub id: i64,
    /// `sales.acme`
    pub name: String,
    /// As the owner typed it; matched after [`super::normalize_number`].
    pub number: String,
    /// Shown on the ringing phone as `[Sales] Jane Doe`.
    pub label: String,
    /// The trunk that delivers it; `None`: any trunk.
    pub trunk: Option<TrunkId>,
    pub destination: Destination,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RingStrategy {
    /// Every member at once; the first to answer wins.
    All,
    /// One member after another, each for its ring time.
    InOrder,
}

/// A member of a ring group: an extension, or another ring group's number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RingMember {
    pub number: String,
    /// How long this member rings (in order), or how long the group rings (all at once:
    /// the longest member time).
    pub ring_seconds: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RingGroup {
    /// Dialable internally, like an extension.
    pub number: String,
    pub name: String,
    pub strategy: RingStrategy,
    pub members: Vec<RingMember>,
    /// Where the call goes when nobody answers; `None`: the caller hears 480.
    pub final_destination: Option<Destination>,
}

/// Days as ISO 8601 numbers them: 1 = Monday … 7 = Sunday.
pub type Weekday = u8;

/// One opening period on a weekday, local time `HH:MM`, `close` after `open`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenPeriod {
    pub day: Weekday,
    pub open: String,
    pub close: String,
}

/// A closed day (`YYYY-MM-DD`, local date).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    pub date: String,
    pub name: String,
}

/// Business hours: a weekly schedule plus holidays in a time zone, choosing between two
/// destinations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    pub id: i64,
    pub name: String,
    /// IANA name (`Europe/London`).
    pub time_zone: String,
    pub periods: Vec<OpenPeriod>,
    pub holidays: Vec<Holiday>,
    pub open: Destination,
    pub closed: Destination,
}

/// Sends dialled numbers that match one of `patterns` out through the first of `trunks`
/// with a free channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundRoute {
    pub id: i64,
    pub name: String,
    /// Dial patterns: digits, `+ * #` literally; `X` any digit, `Z` 1–9, `N` 2–9,
    /// `[1-5]` a set; a trailing `.` one or more further characters, `!` zero or more.
    pub patterns: Vec<String>,
    /// Leading characters removed from the dialled number before sending.
    pub strip: u32,
    /// Then put in front.
    pub prepend: String,
    /// Trunks to try in order (failover when one is full or fails).
    pub trunks: Vec<TrunkId>,
}

/// Everything the PBX needs to route calls that involve trunks, groups and schedules.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DialPlan {
    pub trunks: Vec<Trunk>,
    pub names: Vec<BusinessName>,
    pub ring_groups: Vec<RingGroup>,
    pub schedules: Vec<Schedule>,
    /// In priority order: the first route whose pattern matches wins.
    pub outbound_routes: Vec<OutboundRoute>,
    /// Always allowed out, whatever the caller's permission (e.g. `112`, `911`, `999`).
    pub emergency_numbers: Vec<String>,
    /// Extensions allowed to call out through trunks.
    pub outbound_allowed: Vec<String>,
    /// What even an allowed extension may not dial, how many at once, and when.
    #[serde(default)]
    pub toll_limits: super::TollLimits,
}
