//! What the PBX asks the runtime to do besides sending SIP.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::media_endpoint::EndpointId;
use crate::media_relay::RelayId;
use crate::registrar::{BindingChange, RegistrationEvent};

/// A side of a relayed call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Side {
    /// The caller's leg (we are its UAS).
    A,
    /// The callee's leg (we are its UAC).
    B,
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }
}

/// Audio the runtime plays into a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaSource {
    /// The office's music on hold: the owner's own when uploaded, else the bundled piece.
    MusicOnHold,
    /// A short confirmation tone: a feature code dialled from a phone was done.
    Confirmation,
}

/// Work for the runtime, drained with [`crate::Pbx::poll_action`].
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Persist a registration change (through the batched writer).
    Binding(BindingChange),
    /// Start the relay or point one side at a new address (re-INVITE, early media).
    RelayPeer {
        id: RelayId,
        side: Side,
        peer: SocketAddr,
    },
    /// Tear the relay down and release its ports.
    RelayClose { id: RelayId },
    /// SRTP on one side of the relay (RFC 4568 SDES): what that phone sends is
    /// unprotected with its key (`inbound`, from its SDP) and what it is sent is protected
    /// with the PBX's own (`outbound`, in the SDP it was sent). The other side is unchanged.
    RelaySrtp {
        id: RelayId,
        side: Side,
        suite: media::srtp::SrtpSuite,
        inbound: media::srtp::SrtpKey,
        outbound: media::srtp::SrtpKey,
    },
    /// Plain RTP on one side of the relay again: the party now there (a transfer target,
    /// another fork's answer) described its media without SRTP keys.
    RelayPlain { id: RelayId, side: Side },
    /// Send `source` to side `to` in `format` instead of relaying the other side's audio
    /// (music on hold while the other side holds the call).
    MediaPlay {
        id: RelayId,
        to: Side,
        source: MediaSource,
        /// The codec the listening phone agreed to receive, with its payload type.
        format: media::sdp::PayloadFormat,
    },
    /// Stop what [`Action::MediaPlay`] started for side `to`; relaying resumes.
    MediaStop { id: RelayId, to: Side },
    /// Record both directions of the relay into a stereo WAV file at `path` (relative to
    /// the data folder): left the caller, right the callee.
    RecordStart {
        id: RelayId,
        path: PathBuf,
        /// The call's payload formats (from the offer), so dynamic payload types such
        /// as Opus's can be decoded.
        formats: Vec<media::sdp::PayloadFormat>,
        /// Who is recorded and why, for the recordings list.
        info: Box<crate::RecordingInfo>,
    },
    /// Finish the relay's recording: the file is complete once it appears at its path.
    RecordStop { id: RelayId },
    /// Answer a call with the media endpoint `endpoint`: play the greeting and a beep to
    /// `peer` in `format`, then record what the caller says as a message for `mailbox`
    /// (see [`crate::media_endpoint`]).
    PlayAndRecord(Box<VoicemailRecording>),
    /// The call on `endpoint` ended (the caller hung up, or the recording ended): finish
    /// the message, if any, and release the socket.
    EndpointClose { endpoint: EndpointId },
    /// A key the phone sent by SIP INFO in a call an endpoint answers (the `*97` menu);
    /// keys sent as RFC 4733 events or tones reach the endpoint with the audio.
    EndpointKey { endpoint: EndpointId, key: char },
    /// The two sides share no codec: decode what each sends and encode it in the other's
    /// format (with its payload type), instead of relaying packets unchanged.
    Transcode {
        id: RelayId,
        /// What the caller's phone sends and receives.
        a: media::sdp::PayloadFormat,
        /// What the callee's phone sends and receives.
        b: media::sdp::PayloadFormat,
        /// RFC 4733 telephone-event payload types at each side's clock, relayed with
        /// their numbers mapped when both sides have one.
        a_events: Option<u8>,
        b_events: Option<u8>,
    },
    /// Relay packets unchanged again (the sides now share a codec).
    TranscodeStop { id: RelayId },
    /// Report the keys pressed on either side of the relay: RFC 4733 telephone-events
    /// with these payload types (from the call's SDP) are read as they pass, so the PBX
    /// hears in-call feature codes ([`crate::Pbx::dtmf_received`]). Adds to the types
    /// already watched.
    DtmfEvents { id: RelayId, payload_types: Vec<u8> },
    /// Side `side` agreed to no telephone-events: listen for keys as tones in the audio
    /// it sends in `format` (G.711 only; other codecs are not decoded for this).
    DtmfInband {
        id: RelayId,
        side: Side,
        format: media::sdp::PayloadFormat,
    },
    /// Play `prompts` one after the other to side `to` in `format` instead of relaying
    /// the other side's audio (the park slot, announced to whoever parked the call);
    /// silence follows the last one. Ended by [`Action::MediaStop`].
    Announce {
        id: RelayId,
        to: Side,
        prompts: Vec<media::wav_prompts::Prompt>,
        format: media::sdp::PayloadFormat,
    },
    /// Send `key` to side `to` as RFC 4733 telephone-events of the relay's own, held
    /// `millis`, in `format` (the telephone-event type that side agreed to): the other
    /// side pressed it by SIP INFO.
    SendDtmf {
        id: RelayId,
        to: Side,
        key: char,
        millis: u32,
        format: media::sdp::PayloadFormat,
    },
    /// Answer a call with the conference mixer's endpoint: ask for the room's PIN if it
    /// has one, then mix the caller into the room (see [`crate::ConferenceJoin`]).
    ConferenceJoin(Box<crate::ConferenceJoin>),
    /// The call on a conference endpoint ended: the participant leaves the room and the
    /// socket is released.
    ConferenceLeave { endpoint: EndpointId },
    /// A key a conference participant's phone sent by SIP INFO (for the room's PIN);
    /// keys sent as RFC 4733 events or tones reach the room with the audio.
    ConferenceKey { endpoint: EndpointId, key: char },
    /// A call ended: write its detail record.
    CallRecord(CallRecord),
    /// Something a person watching would want to see.
    Event(PbxEvent),
}

/// What the runtime needs to take a voicemail message ([`Action::PlayAndRecord`]).
#[derive(Debug, Clone, PartialEq)]
pub struct VoicemailRecording {
    pub endpoint: EndpointId,
    /// Where the caller's audio comes from, per its SDP (the runtime follows the source
    /// address of what actually arrives, for callers behind NAT).
    pub peer: SocketAddr,
    /// The G.711 codec agreed with the caller, with its payload type.
    pub format: media::sdp::PayloadFormat,
    /// RFC 4733 telephone-event as agreed, when the caller offered it (`#` ends a message).
    pub dtmf: Option<media::sdp::PayloadFormat>,
    pub mailbox: String,
    pub caller_number: String,
    pub caller_name: Option<String>,
    pub business_name: Option<String>,
    /// The longest message kept; the recording ends there.
    pub max_duration: std::time::Duration,
    /// This long without speech ends the recording.
    pub silence: std::time::Duration,
    /// Taking a message, or the mailbox owner's menu (`*97`).
    pub purpose: crate::media_endpoint::EndpointUse,
    /// The caller's SRTP keys when it encrypts; `None` for plain RTP.
    pub srtp: Option<crate::media_endpoint::EndpointSrtp>,
}

/// How a call ended, as the owner reads it in the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Answered,
    Busy,
    NoAnswer,
    Unavailable,
    NotFound,
    Cancelled,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::Busy => "busy",
            Outcome::NoAnswer => "no_answer",
            Outcome::Unavailable => "unavailable",
            Outcome::NotFound => "not_found",
            Outcome::Cancelled => "cancelled",
            Outcome::Failed => "failed",
        }
    }
}

/// Who ended an answered call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HangupBy {
    Caller,
    Callee,
    System,
}

impl HangupBy {
    pub fn as_str(self) -> &'static str {
        match self {
            HangupBy::Caller => "caller",
            HangupBy::Callee => "callee",
            HangupBy::System => "system",
        }
    }
}

/// Which way a call crossed the PBX.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Between two extensions (or an extension and a ring group).
    Internal,
    /// From a trunk's provider to the office.
    Inbound,
    /// From an extension out through a trunk.
    Outbound,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Internal => "internal",
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }
}

/// A call detail record. Times are Unix seconds (wall clock, as the runtime gave them).
#[derive(Debug, Clone, PartialEq)]
pub struct CallRecord {
    /// The caller's Call-ID, to find the call in logs.
    pub call_id: String,
    pub caller_number: String,
    pub caller_name: Option<String>,
    /// The number dialled.
    pub callee: String,
    pub answered_by: Option<String>,
    pub started_at: u64,
    pub answered_at: Option<u64>,
    pub ended_at: u64,
    pub outcome: Outcome,
    pub hangup_by: Option<HangupBy>,
    /// The final status and reason, for the expert ("486 Busy Here").
    pub reason: String,
    /// The business name the caller dialled (`sales.acme`), for calls from a trunk.
    pub business_name: Option<String>,
    /// The name of the trunk the call came in or went out by.
    pub trunk: Option<String>,
    pub direction: Direction,
    /// Every channel of the trunk was busy when the call came in (it went to overflow),
    /// so the owner can see when to buy more lines.
    pub lines_busy: bool,
}

/// Live events for the UI.
#[derive(Debug, Clone, PartialEq)]
pub enum PbxEvent {
    Registration(RegistrationEvent),
    CallRinging {
        call_id: String,
        caller: String,
        callee: String,
        /// The caller's own display name (without the `[Label] ` the phones show).
        caller_name: Option<String>,
        /// The business name dialled (`sales.acme`), for calls from a trunk.
        business_name: Option<String>,
    },
    CallAnswered {
        call_id: String,
        answered_by: String,
    },
    CallEnded {
        call_id: String,
        outcome: Outcome,
    },
    /// A trunk's registration status or line usage changed.
    TrunkStatus(crate::trunk::TrunkState),
    /// Someone joined or left a conference room, or was muted or unmuted.
    ConferenceChanged {
        room: String,
    },
    /// A mailbox's message counts changed (a message was left, heard or deleted).
    MessageSummary {
        mailbox: String,
        new: u32,
        old: u32,
    },
    /// An extension changed its do-not-disturb or forwarding by feature code: the runtime
    /// saves it, the screens re-read the extension.
    ForwardingChanged {
        number: String,
        forwarding: crate::Forwarding,
    },
    /// A recording was listed (its file complete) or recordings were deleted.
    RecordingsChanged,
    /// A recording failed (disk full, write error) or was refused for lack of space; the
    /// owner is told in the pages.
    RecordingAlert {
        message: String,
    },
}
