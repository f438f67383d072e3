//! The dial plan as the screens see and send it: trunks, business names, ring groups,
//! business hours and outbound routes. The shapes follow `pbx::dialplan`'s model field for
//! field (so validation messages about `names.3.number` name the same fields), but they
//! are the API's own: the model can grow without changing the UI's types, and a trunk's
//! password is never sent back to a screen.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use pbx::dialplan as model;

/// Where a call goes. `conference` can be chosen but is not available yet: a call routed
/// there is answered "Temporarily Unavailable". `voicemail` takes a message when the
/// number's mailbox is turned on, and is answered the same way otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", content = "target", rename_all = "snake_case")]
pub enum Destination {
    /// An extension's number: rings all its phones.
    Extension(String),
    /// A ring group's number.
    RingGroup(String),
    /// A conference room's number (not available yet).
    Conference(String),
    /// The voicemail box of an extension or ring group number.
    Voicemail(String),
    /// A business-hours schedule's id: chooses between its open and closed destinations.
    Hours(i64),
    /// Refuse the call.
    Hangup,
}

/// How the PBX signs in to the provider, and how it recognises the provider's calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum TrunkAuth {
    /// REGISTER with a user name and password; calls arrive at the registered contact.
    Registration {
        username: String,
        /// Never sent back by the API (always `null` in answers). When saving, leave it
        /// out (or `null`) to keep the saved password.
        #[serde(default)]
        #[ts(optional = nullable)]
        password: Option<String>,
        /// Digest user name when the provider wants one different from `username`.
        #[serde(default)]
        #[ts(optional = nullable)]
        auth_username: Option<String>,
        /// The user part of the contact the provider sends calls to. Generated (and kept)
        /// when left out.
        #[serde(default)]
        #[ts(optional = nullable)]
        contact_user: Option<String>,
        /// Registration lifetime asked for, in seconds; 3600 when left out.
        #[serde(default)]
        #[ts(optional = nullable)]
        expires: Option<u32>,
    },
    /// The provider sends from fixed addresses; nothing is challenged. Each entry is an IP
    /// address (optionally with `:port`), a CIDR range (`203.0.113.0/24`) or a host name.
    Ip { allowed: Vec<String> },
}

/// Registration lifetime asked for when the owner gives none.
pub(crate) const DEFAULT_EXPIRES: u32 = 3600;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TrunkTransport {
    Udp,
    Tcp,
}

/// How DTMF digits travel on the trunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum DtmfMode {
    /// RFC 4733 telephone events in the audio stream (the usual choice).
    Rfc4733,
    /// SIP INFO messages.
    Info,
    /// Tones inside the audio.
    Inband,
}

/// A SIP trunk to a provider, as saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Trunk {
    pub id: i64,
    pub name: String,
    pub enabled: bool,
    /// The provider's SIP host name or IP address.
    pub host: String,
    /// 5060 when `null`.
    pub port: Option<u16>,
    pub transport: TrunkTransport,
    /// `host[:port]` every request goes through instead of `host`.
    pub outbound_proxy: Option<String>,
    pub auth: TrunkAuth,
    /// Calls the trunk carries at once, in and out together.
    pub channels: u32,
    /// Codec names in preference order (`PCMU`, `PCMA`).
    pub codecs: Vec<String>,
    pub dtmf: DtmfMode,
    /// The From user the provider requires on outbound calls (often the account number).
    pub from_user: Option<String>,
    /// The number shown to people called from the office.
    pub caller_id: Option<String>,
    /// Whether this trunk's P-Asserted-Identity names the caller.
    pub trust_pai: bool,
    /// Where a call goes when every line is busy; `null`: the voicemail of whoever the
    /// call was for when their mailbox is on, else the caller hears busy.
    pub overflow: Option<Destination>,
    /// Where a call for a number that is no business name goes.
    pub default_destination: Destination,
}

/// A business name the provider delivers as a number (`sales.acme` → `+44 20 7123 4567`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct BusinessName {
    pub id: i64,
    /// `sales.acme`
    pub name: String,
    /// As typed; calls match it with spaces, dashes and a leading `00` ignored.
    pub number: String,
    /// Shown on ringing phones as `[Sales] Jane Doe`.
    pub label: String,
    /// The trunk that delivers it; `null`: any trunk.
    pub trunk: Option<i64>,
    pub destination: Destination,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RingStrategy {
    /// Every member at once; the first to answer takes the call.
    All,
    /// One member after another, each for its ring time.
    InOrder,
}

/// An extension or another ring group's number, and how long it rings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct RingMember {
    pub number: String,
    pub ring_seconds: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct RingGroup {
    /// Dialable from the office's phones, like an extension.
    pub number: String,
    pub name: String,
    pub strategy: RingStrategy,
    pub members: Vec<RingMember>,
    /// Where the call goes when nobody answers; `null`: the caller hears "unavailable".
    pub final_destination: Option<Destination>,
}

/// One opening period: ISO weekday (1 = Monday … 7 = Sunday), local `HH:MM` times.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct OpenPeriod {
    pub day: u8,
    pub open: String,
    pub close: String,
}

/// A closed day, `YYYY-MM-DD` in the schedule's time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    pub date: String,
    pub name: String,
}

/// Business hours: a weekly schedule plus holidays in a time zone, choosing between two
/// destinations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
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

/// Sends dialled numbers matching one of `patterns` out through the first of `trunks`
/// with a free line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct OutboundRoute {
    /// Ignored when saving (routes are saved as a whole list); may be left out.
    #[serde(default)]
    pub id: i64,
    pub name: String,
    /// Digits and `+ * #` as they are; `X` any digit, `Z` 1–9, `N` 2–9, `[1-5]` a set;
    /// a trailing `.` one or more further characters, `!` zero or more.
    pub patterns: Vec<String>,
    /// Leading characters removed from the dialled number.
    pub strip: u32,
    /// Then put in front.
    pub prepend: String,
    /// Trunk ids to try in order.
    pub trunks: Vec<i64>,
}

impl From<model::Destination> for Destination {
    fn from(d: model::Destination) -> Destination {
        match d {
            model::Destination::Extension(n) => Destination::Extension(n),
            model::Destination::RingGroup(n) => Destination::RingGroup(n),
            model::Destination::Conference(n) => Destination::Conference(n),
            model::Destination::Voicemail(n) => Destination::Voicemail(n),
            model::Destination::Hours(id) => Destination::Hours(id),
            model::Destination::Hangup => Destination::Hangup,
        }
    }
}

impl From<Destination> for model::Destination {
    fn from(d: Destination) -> model::Destination {
        match d {
            Destination::Extension(n) => model::Destination::Extension(n.trim().to_owned()),
            Destination::RingGroup(n) => model::Destination::RingGroup(n.trim().to_owned()),
            Destination::Conference(n) => model::Destination::Conference(n.trim().to_owned()),
            Destination::Voicemail(n) => model::Destination::Voicemail(n.trim().to_owned()),
            Destination::Hours(id) => model::Destination::Hours(id),
            Destination::Hangup => model::Destination::Hangup,
        }
    }
}

impl From<model::Trunk> for Trunk {
    fn from(t: model::Trunk) -> Trunk {
        let auth = match t.auth {
            model::TrunkAuth::Registration {
                username,
                password: _,
                auth_username,
                contact_user,
                expires,
            } => TrunkAuth::Registration {
                username,
                password: None,
                auth_username,
                contact_user: Some(contact_user),
                expires: Some(expires),
            },
            model::TrunkAuth::Ip { allowed } => TrunkAuth::Ip { allowed },
        };
        Trunk {
            id: t.id,
            name: t.name,
            enabled: t.enabled,
            host: t.host,
            port: t.port,
            transport: match t.transport {
                model::TrunkTransport::Udp => TrunkTransport::Udp,
                model::TrunkTransport::Tcp => TrunkTransport::Tcp,
            },
            outbound_proxy: t.outbound_proxy,
            auth,
            channels: t.channels,
            codecs: t.codecs,
            dtmf: match t.dtmf {
                model::DtmfMode::Rfc4733 => DtmfMode::Rfc4733,
                model::DtmfMode::Info => DtmfMode::Info,
                model::DtmfMode::Inband => DtmfMode::Inband,
            },
            from_user: t.from_user,
            caller_id: t.caller_id,
            trust_pai: t.trust_pai,
            overflow: t.overflow.map(Into::into),
            default_destination: t.default_destination.into(),
        }
    }
}

/// Text the owner typed: trimmed, and `None` when nothing is left.
pub(crate) fn typed(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl Trunk {
    /// The model trunk to save. `saved` is the stored version of the same trunk, whose
    /// password and contact user are kept when the request leaves them out.
    pub(crate) fn into_model(self, saved: Option<&model::Trunk>) -> model::Trunk {
        let auth = match self.auth {
            TrunkAuth::Registration {
                username,
                password,
                auth_username,
                contact_user,
                expires,
            } => {
                let (old_password, old_contact) = match saved.map(|t| &t.auth) {
                    Some(model::TrunkAuth::Registration {
                        password,
                        contact_user,
                        ..
                    }) => (Some(password.clone()), Some(contact_user.clone())),
                    _ => (None, None),
                };
                model::TrunkAuth::Registration {
                    username: username.trim().to_owned(),
                    // A password is kept as typed: spaces may be part of it.
                    password: password
                        .filter(|p| !p.is_empty())
                        .or(old_password)
                        .unwrap_or_default(),
                    auth_username: typed(auth_username),
                    contact_user: typed(contact_user).or(old_contact).unwrap_or_default(),
                    expires: expires.unwrap_or(DEFAULT_EXPIRES),
                }
            }
            TrunkAuth::Ip { allowed } => model::TrunkAuth::Ip {
                allowed: allowed.into_iter().map(|a| a.trim().to_owned()).collect(),
            },
        };
        model::Trunk {
            id: self.id,
            name: self.name.trim().to_owned(),
            enabled: self.enabled,
            host: self.host.trim().to_owned(),
            port: self.port,
            transport: match self.transport {
                TrunkTransport::Udp => model::TrunkTransport::Udp,
                TrunkTransport::Tcp => model::TrunkTransport::Tcp,
            },
            outbound_proxy: typed(self.outbound_proxy),
            auth,
            channels: self.channels,
            codecs: self
                .codecs
                .into_iter()
                .map(|c| c.trim().to_ascii_uppercase())
                .collect(),
            dtmf: match self.dtmf {
                DtmfMode::Rfc4733 => model::DtmfMode::Rfc4733,
                DtmfMode::Info => model::DtmfMode::Info,
                DtmfMode::Inband => model::DtmfMode::Inband,
            },
            from_user: typed(self.from_user),
            caller_id: typed(self.caller_id),
            trust_pai: self.trust_pai,
            overflow: self.overflow.map(Into::into),
            default_destination: self.default_destination.into(),
        }
    }
}

impl From<model::BusinessName> for BusinessName {
    fn from(n: model::BusinessName) -> BusinessName {
        BusinessName {
            id: n.id,
            name: n.name,
            number: n.number,
            label: n.label,
            trunk: n.trunk,
            destination: n.destination.into(),
        }
    }
}

impl From<model::RingGroup> for RingGroup {
    fn from(g: model::RingGroup) -> RingGroup {
        RingGroup {
            number: g.number,
            name: g.name,
            strategy: match g.strategy {
                model::RingStrategy::All => RingStrategy::All,
                model::RingStrategy::InOrder => RingStrategy::InOrder,
            },
            members: g
                .members
                .into_iter()
                .map(|m| RingMember {
                    number: m.number,
                    ring_seconds: m.ring_seconds,
                })
                .collect(),
            final_destination: g.final_destination.map(Into::into),
        }
    }
}

impl From<RingGroup> for model::RingGroup {
    fn from(g: RingGroup) -> model::RingGroup {
        model::RingGroup {
            number: g.number.trim().to_owned(),
            name: g.name.trim().to_owned(),
            strategy: match g.strategy {
                RingStrategy::All => model::RingStrategy::All,
                RingStrategy::InOrder => model::RingStrategy::InOrder,
            },
            members: g
                .members
                .into_iter()
                .map(|m| model::RingMember {
                    number: m.number.trim().to_owned(),
                    ring_seconds: m.ring_seconds,
                })
                .collect(),
            final_destination: g.final_destination.map(Into::into),
        }
    }
}

impl From<model::Schedule> for Schedule {
    fn from(s: model::Schedule) -> Schedule {
        Schedule {
            id: s.id,
            name: s.name,
            time_zone: s.time_zone,
            periods: s
                .periods
                .into_iter()
                .map(|p| OpenPeriod {
                    day: p.day,
                    open: p.open,
                    close: p.close,
                })
                .collect(),
            holidays: s
                .holidays
                .into_iter()
                .map(|h| Holiday {
                    date: h.date,
                    name: h.name,
                })
                .collect(),
            open: s.open.into(),
            closed: s.closed.into(),
        }
    }
}

impl From<Schedule> for model::Schedule {
    fn from(s: Schedule) -> model::Schedule {
        model::Schedule {
            id: s.id,
            name: s.name.trim().to_owned(),
            time_zone: s.time_zone.trim().to_owned(),
            periods: s
                .periods
                .into_iter()
                .map(|p| model::OpenPeriod {
                    day: p.day,
                    open: p.open.trim().to_owned(),
                    close: p.close.trim().to_owned(),
                })
                .collect(),
            holidays: s
                .holidays
                .into_iter()
                .map(|h| model::Holiday {
                    date: h.date.trim().to_owned(),
                    name: h.name.trim().to_owned(),
                })
                .collect(),
            open: s.open.into(),
            closed: s.closed.into(),
        }
    }
}

impl From<model::OutboundRoute> for OutboundRoute {
    fn from(r: model::OutboundRoute) -> OutboundRoute {
        OutboundRoute {
            id: r.id,
            name: r.name,
            patterns: r.patterns,
            strip: r.strip,
            prepend: r.prepend,
            trunks: r.trunks,
        }
    }
}

impl From<OutboundRoute> for model::OutboundRoute {
    fn from(r: OutboundRoute) -> model::OutboundRoute {
        model::OutboundRoute {
            id: r.id,
            name: r.name.trim().to_owned(),
            patterns: r
                .patterns
                .into_iter()
                .map(|p| p.trim().to_owned())
                .collect(),
            strip: r.strip,
            prepend: r.prepend.trim().to_owned(),
            trunks: r.trunks,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::decode::decode;

    fn trunk_json() -> serde_json::Value {
        serde_json::json!({
            "id": 0, "name": "Provider", "enabled": true, "host": "sip.example", "port": null,
            "transport": "udp", "outbound_proxy": null,
            "auth": {"mode": "registration", "username": "acme"},
            "channels": 2, "codecs": [], "dtmf": "rfc4733", "from_user": null,
            "caller_id": null, "trust_pai": false, "overflow": null,
            "default_destination": {"kind": "hangup"}
        })
    }

    fn fields(e: crate::ApiError) -> Vec<(String, String)> {
        match e {
            crate::ApiError::Invalid { fields, .. } => fields.into_iter().collect(),
            other => panic!("not a field error: {other}"),
        }
    }

    #[test]
    fn a_left_out_password_keeps_the_saved_one_and_contact_user() {
        let saved = decode::<Trunk>(trunk_json()).expect("decodes");
        let stored = model::Trunk {
            auth: model::TrunkAuth::Registration {
                username: "acme".into(),
                password: "old secret".into(),
                auth_username: None,
                contact_user: "c0ntact".into(),
                expires: 600,
            },
            ..saved.clone().into_model(None)
        };
        match saved.into_model(Some(&stored)).auth {
            model::TrunkAuth::Registration {
                password,
                contact_user,
                expires,
                ..
            } => {
                assert_eq!(password, "old secret");
                assert_eq!(contact_user, "c0ntact");
                assert_eq!(expires, DEFAULT_EXPIRES);
            }
            other => panic!("{other:?}"),
        }
        // And the API never gives it back.
        match Trunk::from(stored).auth {
            TrunkAuth::Registration { password, .. } => assert_eq!(password, None),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_missing_or_unknown_auth_field_is_named_by_its_path() {
        let mut j = trunk_json();
        j["auth"] = serde_json::json!({"mode": "registration"});
        assert_eq!(
            fields(decode::<Trunk>(j).expect_err("refused")),
            [("auth.username".into(), "is required".into())]
        );
        let mut j = trunk_json();
        j["auth"] = serde_json::json!({"mode": "carrier pigeon"});
        let refused = fields(decode::<Trunk>(j).expect_err("refused"));
        assert_eq!(refused.len(), 1);
        assert_eq!(refused[0].0, "auth.mode");
        assert!(refused[0].1.contains("registration"), "{refused:?}");
    }
}
