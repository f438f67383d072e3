//! The feature codes a phone can dial, in one table. The codes are what staff learn
//! once and type without looking, so they are fixed here and every part of the PBX
//! that acts on one uses the constant from this file; the API lists the table as is
//! (the "Feature codes" page), so what the page shows is what the PBX does.
//!
//! A code is either dialled as a call of its own (the PBX answers it, acts, confirms
//! and hangs up, or puts the caller through) or pressed during a call as DTMF, which
//! the PBX collects from the relay.

/// Pick up a call ringing at an extension (`*8` + extension), or at a colleague in one
/// of the caller's ring groups (`*8` alone).
pub const PICKUP: &str = "*8";
/// Listen to one's own voicemail.
pub const VOICEMAIL: &str = "*97";
/// During a call: blind transfer to the number that follows.
pub const BLIND_TRANSFER: &str = "##";
/// During a call: attended transfer to the number that follows.
pub const ATTENDED_TRANSFER: &str = "*2";
/// During a call: start or stop recording it.
pub const RECORD_TOGGLE: &str = "*1";
/// Park a call (dial it, or transfer to it): the call goes to the first free slot.
pub const PARK: &str = "*70";
/// The first park slot.
pub const PARK_SLOT_FIRST: &str = "*71";
/// The last park slot. The numbering plan reserves `*71`..`*79` for parking, but `*78`
/// and `*79` are also do-not-disturb on/off, which staff dial far more often; the
/// do-not-disturb meaning wins, so the slots a call is parked in stop at `*77`.
pub const PARK_SLOT_LAST: &str = "*77";
/// The park slots a call may be given: `*71`..`*77` without `*73`, which is "forward
/// always off" (dialled as a code of its own, it never reaches parking).
pub const PARK_SLOTS: &[&str] = &["*71", "*72", "*74", "*75", "*76", "*77"];

/// Whether `code` is a park slot (see [`PARK_SLOTS`]).
pub fn is_park_slot(code: &str) -> bool {
    PARK_SLOTS.contains(&code)
}
/// Do not disturb on.
pub const DND_ON: &str = "*78";
/// Do not disturb off.
pub const DND_OFF: &str = "*79";
/// Forward every call (`*72` + number).
pub const FORWARD_ALWAYS_ON: &str = "*72";
/// Stop forwarding every call.
pub const FORWARD_ALWAYS_OFF: &str = "*73";
/// Forward calls while busy (`*90` + number).
pub const FORWARD_BUSY_ON: &str = "*90";
/// Stop forwarding on busy.
pub const FORWARD_BUSY_OFF: &str = "*91";
/// Forward calls not answered in time (`*52` + number).
pub const FORWARD_NO_ANSWER_ON: &str = "*52";
/// Stop forwarding unanswered calls.
pub const FORWARD_NO_ANSWER_OFF: &str = "*53";

/// When a code is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Usage {
    /// Dialled as a call of its own.
    Dial,
    /// Pressed during a call (DTMF).
    InCall,
}

/// What follows the code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Argument {
    /// Nothing: the code alone.
    None,
    /// A number (extension or outside number) that must follow.
    Number,
    /// An extension that may follow (the code alone has a meaning too).
    OptionalExtension,
}

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeatureCode {
    /// The digits to dial or press, e.g. `*78`.
    pub code: &'static str,
    /// What may or must follow the code.
    pub argument: Argument,
    /// Dialled, or pressed during a call.
    pub usage: Usage,
    /// What it does, in a few words for the list page.
    pub description: &'static str,
    /// Whether the PBX acts on it yet; a row that is not is listed as "not available
    /// yet" rather than hidden, so the numbering plan stays visible and reserved.
    pub available: bool,
}

/// Every feature code, in the order the list page shows them.
pub const FEATURE_CODES: &[FeatureCode] = &[
    FeatureCode {
        code: PICKUP,
        argument: Argument::OptionalExtension,
        usage: Usage::Dial,
        description:
            "Pick up a call ringing at an extension (or at a colleague in your ring groups)",
        available: true,
    },
    FeatureCode {
        code: VOICEMAIL,
        argument: Argument::None,
        usage: Usage::Dial,
        description: "Listen to your voicemail and record your greeting (PIN first)",
        available: true,
    },
    FeatureCode {
        code: BLIND_TRANSFER,
        argument: Argument::Number,
        usage: Usage::InCall,
        description: "Blind transfer the other party to a number (end it with #)",
        available: true,
    },
    FeatureCode {
        code: ATTENDED_TRANSFER,
        argument: Argument::Number,
        usage: Usage::InCall,
        description:
            "Attended transfer: talk to the number first (# ends it), hang up to complete, * to go back",
        available: true,
    },
    FeatureCode {
        code: RECORD_TOGGLE,
        argument: Argument::None,
        usage: Usage::InCall,
        description: "Start or stop recording the call",
        available: true,
    },
    FeatureCode {
        code: PARK,
        argument: Argument::None,
        usage: Usage::InCall,
        description:
            "Park the other party: press it in the call, dial it while holding the call, or transfer the call to it; you hear the slot",
        available: true,
    },
    FeatureCode {
        code: "*71..*77 (not *73)",
        argument: Argument::None,
        usage: Usage::Dial,
        description: "Retrieve a parked call from its slot",
        available: true,
    },
    FeatureCode {
        code: DND_ON,
        argument: Argument::None,
        usage: Usage::Dial,
        description: "Do not disturb on",
        available: true,
    },
    FeatureCode {
        code: DND_OFF,
        argument: Argument::None,
        usage: Usage::Dial,
        description: "Do not disturb off",
        available: true,
    },
    FeatureCode {
        code: FORWARD_ALWAYS_ON,
        argument: Argument::Number,
        usage: Usage::Dial,
        description: "Forward all calls to a number",
        available: true,
    },
    FeatureCode {
        code: FORWARD_ALWAYS_OFF,
        argument: Argument::None,
        usage: Usage::Dial,
        description: "Stop forwarding all calls",
        available: true,
    },
    FeatureCode {
        code: FORWARD_BUSY_ON,
        argument: Argument::Number,
        usage: Usage::Dial,
        description: "Forward calls to a number while you are busy",
        available: true,
    },
    FeatureCode {
        code: FORWARD_BUSY_OFF,
        argument: Argument::None,
        usage: Usage::Dial,
        description: "Stop forwarding when busy",
        available: true,
    },
    FeatureCode {
        code: FORWARD_NO_ANSWER_ON,
        argument: Argument::Number,
        usage: Usage::Dial,
        description: "Forward calls you do not answer in time to a number",
        available: true,
    },
    FeatureCode {
        code: FORWARD_NO_ANSWER_OFF,
        argument: Argument::None,
        usage: Usage::Dial,
        description: "Stop forwarding unanswered calls",
        available: true,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dialled_codes_are_unique() {
        let dialled: Vec<&str> = FEATURE_CODES
            .iter()
            .filter(|c| c.usage == Usage::Dial)
            .map(|c| c.code)
            .collect();
        for (i, code) in dialled.iter().enumerate() {
            assert!(
                !dialled[i + 1..].contains(code),
                "{code} is listed twice among dialled codes"
            );
        }
    }

    #[test]
    fn no_park_slot_is_also_a_code_dialled_alone() {
        for slot in PARK_SLOTS {
            assert!(
                !FEATURE_CODES.iter().any(|c| c.usage == Usage::Dial
                    && c.argument == Argument::None
                    && c.code == *slot),
                "{slot} is a park slot and a code of its own"
            );
        }
        assert!(is_park_slot(PARK_SLOT_FIRST) && is_park_slot(PARK_SLOT_LAST));
        assert!(!is_park_slot(FORWARD_ALWAYS_OFF) && !is_park_slot(DND_ON));
    }

    #[test]
    fn every_code_starts_with_star_or_hash() {
        for row in FEATURE_CODES {
            assert!(
                row.code.starts_with('*') || row.code.starts_with('#'),
                "{} is not a feature code",
                row.code
            );
        }
    }
}
