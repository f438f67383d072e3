//! Payload formats of a media section and the answerer's choice among them (RFC 3264 §6.1).

use super::{attribute::parse_payload_type, Attribute, MediaDescription};

/// A payload format this side can handle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodecSpec {
    /// Encoding name as in `a=rtpmap` (compared case-insensitively, RFC 4855 §3).
    pub encoding: &'static str,
    pub clock_rate: u32,
    /// RFC 3551 static payload type, if the format has one.
    pub static_payload_type: Option<u8>,
}

/// G.711 µ-law (RFC 3551 §4.5.14, static payload type 0).
pub const PCMU: CodecSpec = CodecSpec {
    encoding: "PCMU",
    clock_rate: 8000,
    static_payload_type: Some(0),
};

/// G.711 A-law (RFC 3551 §4.5.14, static payload type 8).
pub const PCMA: CodecSpec = CodecSpec {
    encoding: "PCMA",
    clock_rate: 8000,
    static_payload_type: Some(8),
};

/// G.722 (RFC 3551 §4.5.2, static payload type 9): 16 kHz audio on an 8000 Hz clock.
pub const G722: CodecSpec = CodecSpec {
    encoding: "G722",
    clock_rate: 8000,
    static_payload_type: Some(9),
};

/// Opus (RFC 7587): always a dynamic payload type and a 48000 Hz clock.
pub const OPUS: CodecSpec = CodecSpec {
    encoding: "opus",
    clock_rate: 48_000,
    static_payload_type: None,
};

/// RFC 4733 DTMF events; always a dynamic payload type.
pub const TELEPHONE_EVENT: CodecSpec = CodecSpec {
    encoding: "telephone-event",
    clock_rate: 8000,
    static_payload_type: None,
};

/// One format of a media section, with what its `a=rtpmap`/`a=fmtp` lines say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayloadFormat {
    pub payload_type: u8,
    pub encoding: String,
    pub clock_rate: u32,
    /// Audio channels when stated; absent means one (RFC 4566 §6 rtpmap).
    pub channels: Option<u16>,
    /// The parameters of `a=fmtp`, e.g. "0-16" for telephone-event.
    pub fmtp: Option<String>,
}

impl PayloadFormat {
    fn matches(&self, spec: &CodecSpec) -> bool {
        self.encoding.eq_ignore_ascii_case(spec.encoding)
            && self.clock_rate == spec.clock_rate
            // RFC 7587 §7: Opus is always signalled with two channels.
            && (self.channels.unwrap_or(1) == 1 || self.encoding.eq_ignore_ascii_case("opus"))
    }
}

/// RFC 3551 §6 table 4: static payload types usable without an `a=rtpmap` line.
fn static_format(payload_type: u8) -> Option<(&'static str, u32, Option<u16>)> {
    Some(match payload_type {
        0 => ("PCMU", 8000, None),
        3 => ("GSM", 8000, None),
        4 => ("G723", 8000, None),
        5 => ("DVI4", 8000, None),
        6 => ("DVI4", 16000, None),
        7 => ("LPC", 8000, None),
        8 => ("PCMA", 8000, None),
        9 => ("G722", 8000, None),
        10 => ("L16", 44100, Some(2)),
        11 => ("L16", 44100, None),
        12 => ("QCELP", 8000, None),
        13 => ("CN", 8000, None),
        14 => ("MPA", 90000, None),
        15 => ("G728", 8000, None),
        16 => ("DVI4", 11025, None),
        17 => ("DVI4", 22050, None),
        18 => ("G729", 8000, None),
        25 => ("CelB", 90000, None),
        26 => ("JPEG", 90000, None),
        28 => ("nv", 90000, None),
        31 => ("H261", 90000, None),
        32 => ("MPV", 90000, None),
        33 => ("MP2T", 90000, None),
        34 => ("H263", 90000, None),
        _ => return None,
    })
}

impl MediaDescription {
    /// The formats of the `m=` line in its order (the writer's preference, RFC 3264 §5.1),
    /// described by their `a=rtpmap`, or by the static table when that line is absent.
    /// Dynamic types without an `a=rtpmap` cannot be described and are left out.
    pub fn payload_formats(&self) -> Vec<PayloadFormat> {
        self.formats
            .iter()
            .filter_map(|f| parse_payload_type(f))
            .filter_map(|pt| self.payload_format(pt))
            .collect()
    }

    fn payload_format(&self, payload_type: u8) -> Option<PayloadFormat> {
        let fmtp = self.attributes.iter().find_map(|a| match a {
            Attribute::Fmtp {
                payload_type: p,
                params,
            } if *p == payload_type => Some(params.clone()),
            _ => None,
        });
        let mapped = self.attributes.iter().find_map(|a| match a {
            Attribute::RtpMap {
                payload_type: p,
                encoding,
                clock_rate,
                channels,
            } if *p == payload_type => Some((encoding.clone(), *clock_rate, *channels)),
            _ => None,
        });
        let (encoding, clock_rate, channels) = match mapped {
            Some(m) => m,
            None => {
                let (name, rate, channels) = static_format(payload_type)?;
                (name.to_owned(), rate, channels)
            }
        };
        Some(PayloadFormat {
            payload_type,
            encoding,
            clock_rate,
            channels,
            fmtp,
        })
    }

    /// Replaces the formats with `formats`: the `m=` list and the `a=rtpmap`/`a=fmtp`
    /// lines (placed first among the attributes). Every format gets an `a=rtpmap`, which
    /// RFC 4566 §6 allows for static types and some phones expect.
    pub fn set_payload_formats(&mut self, formats: &[PayloadFormat]) {
        self.formats = formats.iter().map(|f| f.payload_type.to_string()).collect();
        let others = std::mem::take(&mut self.attributes)
            .into_iter()
            .filter(|a| !matches!(a, Attribute::RtpMap { .. } | Attribute::Fmtp { .. }));
        let mut attributes = Vec::new();
        for f in formats {
            attributes.push(Attribute::RtpMap {
                payload_type: f.payload_type,
                encoding: f.encoding.clone(),
                clock_rate: f.clock_rate,
                channels: f.channels,
            });
            if let Some(params) = &f.fmtp {
                attributes.push(Attribute::Fmtp {
                    payload_type: f.payload_type,
                    params: params.clone(),
                });
            }
        }
        attributes.extend(others);
        self.attributes = attributes;
    }
}

/// The formats an answer to `offer` lists, given what we `supported`.
///
/// RFC 3264 §6.1: the answer lists a subset of the offered formats and keeps the offerer's
/// payload type numbers, so we never renumber; we keep the offerer's order too. Event
/// formats (telephone-event) are answered only alongside an audio codec, since an answer
/// with DTMF alone carries no voice. An empty result means the stream must be rejected
/// (port 0, RFC 3264 §6).
pub fn negotiate(offer: &MediaDescription, supported: &[CodecSpec]) -> Vec<PayloadFormat> {
    let chosen: Vec<PayloadFormat> = offer
        .payload_formats()
        .into_iter()
        .filter(|f| supported.iter().any(|s| f.matches(s)))
        .collect();
    let has_voice = chosen.iter().any(|f| !is_event(f));
    if has_voice {
        chosen
    } else {
        Vec::new()
    }
}

fn is_event(format: &PayloadFormat) -> bool {
    format
        .encoding
        .eq_ignore_ascii_case(TELEPHONE_EVENT.encoding)
}
