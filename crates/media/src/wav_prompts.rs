//! The audio the PBX ships: music on hold, voicemail and conference prompts, tones.
//!
//! The files live in assets/audio (made by scripts/make-assets, see assets/README.md) and
//! are built into the binary, so a fresh install plays them without any file on disk.
//! They are 16 kHz mono; [`Prompt::load`] converts to the call's rate. An owner's own
//! upload (music on hold, a greeting) replaces one of these by going through
//! [`import_audio`](crate::audio_import::import_audio) instead.

use crate::audio_import::{import_audio, ImportOptions};
use crate::player::Clip;
use crate::Error;

/// One shipped sound. Each spoken prompt's doc gives its exact words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Prompt {
    /// About 30 s of gentle synthesised music that loops without a seam.
    MusicOnHold,
    /// Two rising notes played to a conference when someone joins.
    ConferenceJoin,
    /// Two falling notes played to a conference when someone leaves.
    ConferenceLeave,
    /// "The person you are calling is not available. Please leave a message after the
    /// tone." The default greeting.
    VoicemailUnavailable,
    /// "Please enter your PIN, then press the hash key."
    VoicemailEnterPin,
    /// "You have"
    VoicemailYouHave,
    /// "new message."
    VoicemailNewMessage,
    /// "new messages."
    VoicemailNewMessages,
    /// "saved message."
    VoicemailSavedMessage,
    /// "saved messages."
    VoicemailSavedMessages,
    /// "and"
    VoicemailAnd,
    /// "You have no messages."
    VoicemailNoMessages,
    /// "To play the message, press 1. For the next message, press 2. To delete it, press 3.
    /// To save it, press 4. To record your greeting, press 5. To hear these options again,
    /// press 0."
    VoicemailMenu,
    /// "Message" (followed by its number)
    VoicemailMessage,
    /// "Message deleted."
    VoicemailMessageDeleted,
    /// "Message saved."
    VoicemailMessageSaved,
    /// "There are no more messages."
    VoicemailNoMoreMessages,
    /// "Please record your greeting after the tone, then press the hash key."
    VoicemailRecordGreeting,
    /// "Your greeting has been saved."
    VoicemailGreetingSaved,
    /// "This mailbox is full. Please try again later."
    VoicemailMailboxFull,
    /// "Please enter the conference PIN, then press the hash key."
    ConferenceEnterPin,
    /// "You are the only person in this conference."
    ConferenceAlone,
    /// "That PIN is not correct. Please try again."
    PinWrong,
    /// "Sorry, that is not a valid option."
    InvalidOption,
    /// "Goodbye."
    Goodbye,
    /// "That greeting was too short. Your greeting has not been changed."
    VoicemailGreetingTooShort,
    /// "Too many wrong PINs."
    VoicemailTooManyWrongPins,
    /// "That was the last message."
    VoicemailEndOfMessages,
    /// "from" (between "Message 2" and the caller's number)
    VoicemailFrom,
    /// "This mailbox is locked for a few minutes after too many wrong PINs."
    VoicemailPinLocked,
    /// "Your call is parked at" (followed by the slot, e.g. [`Prompt::digits`]`("*71")`)
    ParkParkedAt,
    /// "Parked call" (followed by the slot, when a parked call rings back)
    ParkedCall,
    /// "There is no call parked there."
    ParkNoCall,
    /// "All parking places are in use."
    ParkAllBusy,
    /// "star" (the `*` key)
    Star,
    /// "hash" (the `#` key)
    Hash,
    /// A number word: 0 to 20 and the tens to 90; see [`Prompt::number`].
    Number(NumberWord),
}

/// A number that has its own recording ("seven", "twenty", "forty"). Only
/// [`Prompt::number`] makes them, so every value has a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NumberWord(u8);

impl NumberWord {
    pub fn value(self) -> u8 {
        self.0
    }

    fn new(value: u32) -> Option<Self> {
        match value {
            0..=20 | 30 | 40 | 50 | 60 | 70 | 80 | 90 => Some(NumberWord(value as u8)),
            _ => None,
        }
    }
}

/// Every prompt except the number words.
pub const PROMPTS: &[Prompt] = &[
    Prompt::MusicOnHold,
    Prompt::ConferenceJoin,
    Prompt::ConferenceLeave,
    Prompt::VoicemailUnavailable,
    Prompt::VoicemailEnterPin,
    Prompt::VoicemailYouHave,
    Prompt::VoicemailNewMessage,
    Prompt::VoicemailNewMessages,
    Prompt::VoicemailSavedMessage,
    Prompt::VoicemailSavedMessages,
    Prompt::VoicemailAnd,
    Prompt::VoicemailNoMessages,
    Prompt::VoicemailMenu,
    Prompt::VoicemailMessage,
    Prompt::VoicemailMessageDeleted,
    Prompt::VoicemailMessageSaved,
    Prompt::VoicemailNoMoreMessages,
    Prompt::VoicemailRecordGreeting,
    Prompt::VoicemailGreetingSaved,
    Prompt::VoicemailMailboxFull,
    Prompt::ConferenceEnterPin,
    Prompt::ConferenceAlone,
    Prompt::PinWrong,
    Prompt::InvalidOption,
    Prompt::Goodbye,
    Prompt::VoicemailGreetingTooShort,
    Prompt::VoicemailTooManyWrongPins,
    Prompt::VoicemailEndOfMessages,
    Prompt::VoicemailFrom,
    Prompt::VoicemailPinLocked,
    Prompt::ParkParkedAt,
    Prompt::ParkedCall,
    Prompt::ParkNoCall,
    Prompt::ParkAllBusy,
    Prompt::Star,
    Prompt::Hash,
];

impl Prompt {
    /// The file's name in assets/audio without ".wav", e.g. "vm-unavailable"; also a
    /// stable key for an owner's replacement of it.
    pub fn name(self) -> &'static str {
        match self {
            Prompt::MusicOnHold => "music-on-hold",
            Prompt::ConferenceJoin => "conf-join",
            Prompt::ConferenceLeave => "conf-leave",
            Prompt::VoicemailUnavailable => "vm-unavailable",
            Prompt::VoicemailEnterPin => "vm-enter-pin",
            Prompt::VoicemailYouHave => "vm-you-have",
            Prompt::VoicemailNewMessage => "vm-new-message",
            Prompt::VoicemailNewMessages => "vm-new-messages",
            Prompt::VoicemailSavedMessage => "vm-saved-message",
            Prompt::VoicemailSavedMessages => "vm-saved-messages",
            Prompt::VoicemailAnd => "vm-and",
            Prompt::VoicemailNoMessages => "vm-no-messages",
            Prompt::VoicemailMenu => "vm-menu",
            Prompt::VoicemailMessage => "vm-message",
            Prompt::VoicemailMessageDeleted => "vm-message-deleted",
            Prompt::VoicemailMessageSaved => "vm-message-saved",
            Prompt::VoicemailNoMoreMessages => "vm-no-more-messages",
            Prompt::VoicemailRecordGreeting => "vm-record-greeting",
            Prompt::VoicemailGreetingSaved => "vm-greeting-saved",
            Prompt::VoicemailMailboxFull => "vm-mailbox-full",
            Prompt::ConferenceEnterPin => "conf-enter-pin",
            Prompt::ConferenceAlone => "conf-alone",
            Prompt::PinWrong => "pin-wrong",
            Prompt::InvalidOption => "invalid-option",
            Prompt::Goodbye => "goodbye",
            Prompt::VoicemailGreetingTooShort => "vm-greeting-too-short",
            Prompt::VoicemailTooManyWrongPins => "vm-too-many-wrong-pins",
            Prompt::VoicemailEndOfMessages => "vm-end-of-messages",
            Prompt::VoicemailFrom => "vm-from",
            Prompt::VoicemailPinLocked => "vm-pin-locked",
            Prompt::ParkParkedAt => "park-parked-at",
            Prompt::ParkedCall => "parked-call",
            Prompt::ParkNoCall => "park-no-call",
            Prompt::ParkAllBusy => "park-all-busy",
            Prompt::Star => "star",
            Prompt::Hash => "hash",
            Prompt::Number(word) => number_name(word),
        }
    }

    /// The WAV file as shipped (16 kHz, mono, 16-bit).
    pub fn wav(self) -> &'static [u8] {
        match self {
            Prompt::MusicOnHold => include_bytes!("../../../assets/audio/music-on-hold.wav"),
            Prompt::ConferenceJoin => include_bytes!("../../../assets/audio/tones/conf-join.wav"),
            Prompt::ConferenceLeave => include_bytes!("../../../assets/audio/tones/conf-leave.wav"),
            Prompt::VoicemailUnavailable => {
                include_bytes!("../../../assets/audio/prompts/vm-unavailable.wav")
            }
            Prompt::VoicemailEnterPin => {
                include_bytes!("../../../assets/audio/prompts/vm-enter-pin.wav")
            }
            Prompt::VoicemailYouHave => {
                include_bytes!("../../../assets/audio/prompts/vm-you-have.wav")
            }
            Prompt::VoicemailNewMessage => {
                include_bytes!("../../../assets/audio/prompts/vm-new-message.wav")
            }
            Prompt::VoicemailNewMessages => {
                include_bytes!("../../../assets/audio/prompts/vm-new-messages.wav")
            }
            Prompt::VoicemailSavedMessage => {
                include_bytes!("../../../assets/audio/prompts/vm-saved-message.wav")
            }
            Prompt::VoicemailSavedMessages => {
                include_bytes!("../../../assets/audio/prompts/vm-saved-messages.wav")
            }
            Prompt::VoicemailAnd => include_bytes!("../../../assets/audio/prompts/vm-and.wav"),
            Prompt::VoicemailNoMessages => {
                include_bytes!("../../../assets/audio/prompts/vm-no-messages.wav")
            }
            Prompt::VoicemailMenu => include_bytes!("../../../assets/audio/prompts/vm-menu.wav"),
            Prompt::VoicemailMessage => {
                include_bytes!("../../../assets/audio/prompts/vm-message.wav")
            }
            Prompt::VoicemailMessageDeleted => {
                include_bytes!("../../../assets/audio/prompts/vm-message-deleted.wav")
            }
            Prompt::VoicemailMessageSaved => {
                include_bytes!("../../../assets/audio/prompts/vm-message-saved.wav")
            }
            Prompt::VoicemailNoMoreMessages => {
                include_bytes!("../../../assets/audio/prompts/vm-no-more-messages.wav")
            }
            Prompt::VoicemailRecordGreeting => {
                include_bytes!("../../../assets/audio/prompts/vm-record-greeting.wav")
            }
            Prompt::VoicemailGreetingSaved => {
                include_bytes!("../../../assets/audio/prompts/vm-greeting-saved.wav")
            }
            Prompt::VoicemailMailboxFull => {
                include_bytes!("../../../assets/audio/prompts/vm-mailbox-full.wav")
            }
            Prompt::ConferenceEnterPin => {
                include_bytes!("../../../assets/audio/prompts/conf-enter-pin.wav")
            }
            Prompt::ConferenceAlone => {
                include_bytes!("../../../assets/audio/prompts/conf-alone.wav")
            }
            Prompt::PinWrong => include_bytes!("../../../assets/audio/prompts/pin-wrong.wav"),
            Prompt::InvalidOption => {
                include_bytes!("../../../assets/audio/prompts/invalid-option.wav")
            }
            Prompt::Goodbye => include_bytes!("../../../assets/audio/prompts/goodbye.wav"),
            Prompt::VoicemailGreetingTooShort => {
                include_bytes!("../../../assets/audio/prompts/vm-greeting-too-short.wav")
            }
            Prompt::VoicemailTooManyWrongPins => {
                include_bytes!("../../../assets/audio/prompts/vm-too-many-wrong-pins.wav")
            }
            Prompt::VoicemailEndOfMessages => {
                include_bytes!("../../../assets/audio/prompts/vm-end-of-messages.wav")
            }
            Prompt::VoicemailFrom => include_bytes!("../../../assets/audio/prompts/vm-from.wav"),
            Prompt::VoicemailPinLocked => {
                include_bytes!("../../../assets/audio/prompts/vm-pin-locked.wav")
            }
            Prompt::ParkParkedAt => {
                include_bytes!("../../../assets/audio/prompts/park-parked-at.wav")
            }
            Prompt::ParkedCall => include_bytes!("../../../assets/audio/prompts/parked-call.wav"),
            Prompt::ParkNoCall => include_bytes!("../../../assets/audio/prompts/park-no-call.wav"),
            Prompt::ParkAllBusy => {
                include_bytes!("../../../assets/audio/prompts/park-all-busy.wav")
            }
            Prompt::Star => include_bytes!("../../../assets/audio/prompts/star.wav"),
            Prompt::Hash => include_bytes!("../../../assets/audio/prompts/hash.wav"),
            Prompt::Number(word) => number_wav(word),
        }
    }

    /// Decodes the prompt at `sample_rate` (8000 or 16000). Callers load each prompt once
    /// and share the clip.
    pub fn load(self, sample_rate: u32) -> Result<Clip, Error> {
        let options = ImportOptions {
            sample_rate,
            max_seconds: 60,
        };
        import_audio(self.wav(), Some("wav"), options)
    }

    /// The words that say `n`: "twenty" "three" for 23. Numbers from 100 up are said
    /// digit by digit, which a mailbox count never needs.
    pub fn number(n: u32) -> Vec<Prompt> {
        let word = |v: u32| NumberWord::new(v).map(Prompt::Number);
        if let Some(single) = word(n) {
            return vec![single];
        }
        if n < 100 {
            return [word(n / 10 * 10), word(n % 10)]
                .into_iter()
                .flatten()
                .collect();
        }
        n.to_string()
            .chars()
            .filter_map(|c| c.to_digit(10))
            .filter_map(word)
            .collect()
    }

    /// The keys of `keys` said one by one: "*71" is "star" "seven" "one". Used to announce
    /// a park slot or a number; characters other than 0-9, `*` and `#` are skipped.
    pub fn digits(keys: &str) -> Vec<Prompt> {
        keys.chars()
            .filter_map(|c| match c {
                '*' => Some(Prompt::Star),
                '#' => Some(Prompt::Hash),
                _ => c.to_digit(10).and_then(NumberWord::new).map(Prompt::Number),
            })
            .collect()
    }

    /// "You have 3 new messages." / "You have 1 new message." / "You have no messages."
    pub fn new_messages(count: u32) -> Vec<Prompt> {
        if count == 0 {
            return vec![Prompt::VoicemailNoMessages];
        }
        let mut prompts = vec![Prompt::VoicemailYouHave];
        prompts.extend(Prompt::number(count));
        prompts.push(if count == 1 {
            Prompt::VoicemailNewMessage
        } else {
            Prompt::VoicemailNewMessages
        });
        prompts
    }
}

fn number_name(word: NumberWord) -> &'static str {
    match word.0 {
        0 => "num-0",
        1 => "num-1",
        2 => "num-2",
        3 => "num-3",
        4 => "num-4",
        5 => "num-5",
        6 => "num-6",
        7 => "num-7",
        8 => "num-8",
        9 => "num-9",
        10 => "num-10",
        11 => "num-11",
        12 => "num-12",
        13 => "num-13",
        14 => "num-14",
        15 => "num-15",
        16 => "num-16",
        17 => "num-17",
        18 => "num-18",
        19 => "num-19",
        20 => "num-20",
        30 => "num-30",
        40 => "num-40",
        50 => "num-50",
        60 => "num-60",
        70 => "num-70",
        80 => "num-80",
        90 => "num-90",
        _ => "num-0",
    }
}

fn number_wav(word: NumberWord) -> &'static [u8] {
    match word.0 {
        0 => include_bytes!("../../../assets/audio/prompts/num-0.wav"),
        1 => include_bytes!("../../../assets/audio/prompts/num-1.wav"),
        2 => include_bytes!("../../../assets/audio/prompts/num-2.wav"),
        3 => include_bytes!("../../../assets/audio/prompts/num-3.wav"),
        4 => include_bytes!("../../../assets/audio/prompts/num-4.wav"),
        5 => include_bytes!("../../../assets/audio/prompts/num-5.wav"),
        6 => include_bytes!("../../../assets/audio/prompts/num-6.wav"),
        7 => include_bytes!("../../../assets/audio/prompts/num-7.wav"),
        8 => include_bytes!("../../../assets/audio/prompts/num-8.wav"),
        9 => include_bytes!("../../../assets/audio/prompts/num-9.wav"),
        10 => include_bytes!("../../../assets/audio/prompts/num-10.wav"),
        11 => include_bytes!("../../../assets/audio/prompts/num-11.wav"),
        12 => include_bytes!("../../../assets/audio/prompts/num-12.wav"),
        13 => include_bytes!("../../../assets/audio/prompts/num-13.wav"),
        14 => include_bytes!("../../../assets/audio/prompts/num-14.wav"),
        15 => include_bytes!("../../../assets/audio/prompts/num-15.wav"),
        16 => include_bytes!("../../../assets/audio/prompts/num-16.wav"),
        17 => include_bytes!("../../../assets/audio/prompts/num-17.wav"),
        18 => include_bytes!("../../../assets/audio/prompts/num-18.wav"),
        19 => include_bytes!("../../../assets/audio/prompts/num-19.wav"),
        20 => include_bytes!("../../../assets/audio/prompts/num-20.wav"),
        30 => include_bytes!("../../../assets/audio/prompts/num-30.wav"),
        40 => include_bytes!("../../../assets/audio/prompts/num-40.wav"),
        50 => include_bytes!("../../../assets/audio/prompts/num-50.wav"),
        60 => include_bytes!("../../../assets/audio/prompts/num-60.wav"),
        70 => include_bytes!("../../../assets/audio/prompts/num-70.wav"),
        80 => include_bytes!("../../../assets/audio/prompts/num-80.wav"),
        90 => include_bytes!("../../../assets/audio/prompts/num-90.wav"),
        _ => include_bytes!("../../../assets/audio/prompts/num-0.wav"),
    }
}
