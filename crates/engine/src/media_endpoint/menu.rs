//! The mailbox menu an owner reaches by dialling `*97`, as a state machine without I/O:
//! it takes the keys pressed, the end of what was playing and the time, and asks for
//! things to be played, checked, changed or recorded ([`Effect`]). The session in
//! [`super::listen`] does them; the tests drive it with a virtual clock.
//!
//! The flow: "Please enter your PIN, then press the hash key." → (wrong PIN: "That PIN
//! is not correct", at most [`MAX_WRONG_PINS`] times, then goodbye; a mailbox locked by
//! too many wrong PINs across calls says so) → "You have 2 new messages and 1 saved
//! message." → the options, which repeat until the owner presses a key: 1 play (or
//! replay) the current message ("Message 2 from 2 0 1", then the recording), 2 next
//! message, 3 delete, 4 save, 5 record the greeting, 0 hear the options again, #
//! goodbye. New messages come first, oldest first, then the saved ones. Playing a
//! message marks it heard, like playing it in the inbox page, so the phone's lamp goes
//! off once everything new has been heard; 4 moves on to the next one, keeping this one.
//! Any key stops the prompt playing (the owner who knows the menu need not wait for it).

use std::time::{Duration, Instant};

use media::wav_prompts::Prompt;

use super::menu_words::{counts, introduction};

/// Wrong PINs before the PBX hangs up, so a PIN cannot be guessed in one call.
pub(crate) const MAX_WRONG_PINS: u32 = 3;
/// How long the menu waits for a key once a prompt has finished, before saying it again.
pub(crate) const KEY_WAIT: Duration = Duration::from_secs(10);
/// Options said this many times without a key in between end the call.
const MAX_REPEATS: u32 = 3;
/// The longest greeting recorded by phone.
pub(crate) const GREETING_MAX: Duration = Duration::from_secs(60);
/// Keys beyond this in a PIN are ignored (the longest PIN is 10 digits).
const PIN_KEYS: usize = 20;

/// One message as the menu sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MessageRef {
    pub id: i64,
    /// File name inside `voicemail/`.
    pub file: String,
    pub heard: bool,
    pub received_at: i64,
    /// Who left it, said after "Message 2 from" when it is a number.
    pub caller: String,
}

/// What checking a PIN came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PinResult {
    /// Right: the mailbox's messages, in any order.
    Open(Vec<MessageRef>),
    Wrong,
    /// Too many wrong PINs lately (see `pin_guard`): not checked at all.
    Locked,
}

/// Something to play, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Say {
    Prompt(Prompt),
    /// A message's recording (file name inside `voicemail/`).
    Message(String),
    Beep,
    Silence(u32),
}

/// What the menu asks the session to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Effect {
    /// Stop what is playing and play these; [`Menu::played`] when they are over.
    Play(Vec<Say>),
    /// Check the PIN; answer with [`Menu::pin_checked`].
    CheckPin(String),
    MarkHeard(i64),
    Delete {
        id: i64,
        file: String,
    },
    /// Start keeping what the owner says as the new greeting.
    StartGreeting,
    /// Stop recording and save the greeting; answer with [`Menu::greeting_saved`].
    SaveGreeting,
    /// End the call.
    HangUp,
}

/// What the greeting recording came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GreetingResult {
    Saved,
    /// Too short to be a greeting (the owner pressed # at once): the old one stays.
    TooShort,
    Failed,
}

/// What the menu waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    /// Keys of the PIN until `#`.
    Pin { keys: String },
    /// The PIN is being checked.
    CheckingPin,
    /// A menu key.
    Options,
    /// "Record your greeting after the tone" and the beep are playing.
    GreetingPrompt,
    /// Recording until `#` or the limit.
    Greeting,
    /// The greeting is being saved.
    SavingGreeting,
    /// Saying goodbye; hangs up once it has been said.
    Leaving,
}

/// The menu of one call.
#[derive(Debug)]
pub(crate) struct Menu {
    state: State,
    effects: Vec<Effect>,
    messages: Vec<MessageRef>,
    /// Index of the current message in `messages` (== len when past the last).
    current: usize,
    wrong_pins: u32,
    /// Waits for a key (or the end of a greeting) until then.
    deadline: Option<Instant>,
    /// Whether something is playing, whose end starts the key wait.
    playing: bool,
    /// Options said in a row without a key.
    repeats: u32,
}

impl Menu {
    /// A menu that starts by asking for the PIN.
    pub fn new() -> Menu {
        let mut menu = Menu {
            state: State::Pin {
                keys: String::new(),
            },
            effects: Vec::new(),
            messages: Vec::new(),
            current: 0,
            wrong_pins: 0,
            deadline: None,
            playing: false,
            repeats: 0,
        };
        menu.play(vec![Say::Prompt(Prompt::VoicemailEnterPin)]);
        menu
    }

    /// The next thing to do, in order.
    pub fn poll_effect(&mut self) -> Option<Effect> {
        if self.effects.is_empty() {
            None
        } else {
            Some(self.effects.remove(0))
        }
    }

    /// When [`Menu::handle_timeout`] is due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.deadline
    }

    /// Whether what the owner says is being kept as the greeting.
    pub fn recording_greeting(&self) -> bool {
        self.state == State::Greeting
    }

    /// A key was pressed (`0`-`9`, `*`, `#`; others are ignored).
    pub fn key(&mut self, now: Instant, key: char) {
        self.repeats = 0;
        match &mut self.state {
            State::Pin { keys } => match key {
                '#' => {
                    let pin = std::mem::take(keys);
                    self.state = State::CheckingPin;
                    self.deadline = None;
                    self.effects.push(Effect::CheckPin(pin));
                }
                // `*` starts the PIN again.
                '*' => {
                    keys.clear();
                    self.play(vec![Say::Prompt(Prompt::VoicemailEnterPin)]);
                }
                '0'..='9' if keys.len() < PIN_KEYS => {
                    keys.push(key);
                    self.stop_playing(now);
                }
                _ => {}
            },
            State::Options => self.option(key),
            State::Greeting if key == '#' => self.finish_greeting(),
            // Keys while checking, saving or leaving, and during the greeting's prompt,
            // are not for the menu.
            _ => {}
        }
    }

    /// The PIN was checked.
    pub fn pin_checked(&mut self, result: PinResult) {
        if self.state != State::CheckingPin {
            return;
        }
        let mut messages = match result {
            PinResult::Open(messages) => messages,
            PinResult::Locked => {
                return self.leave(vec![
                    Say::Prompt(Prompt::VoicemailPinLocked),
                    Say::Prompt(Prompt::Goodbye),
                ])
            }
            PinResult::Wrong => {
                self.wrong_pins += 1;
                if self.wrong_pins >= MAX_WRONG_PINS {
                    return self.leave(vec![
                        Say::Prompt(Prompt::VoicemailTooManyWrongPins),
                        Say::Prompt(Prompt::Goodbye),
                    ]);
                }
                self.state = State::Pin {
                    keys: String::new(),
                };
                return self.play(vec![
                    Say::Prompt(Prompt::PinWrong),
                    Say::Prompt(Prompt::VoicemailEnterPin),
                ]);
            }
        };
        // New ones first, each group oldest first.
        messages.sort_by_key(|m| (m.heard, m.received_at, m.id));
        let new = messages.iter().filter(|m| !m.heard).count();
        let saved = messages.len() - new;
        self.messages = messages;
        self.current = 0;
        self.state = State::Options;
        let mut says: Vec<Say> = counts(new, saved).into_iter().map(Say::Prompt).collect();
        says.push(Say::Silence(300));
        says.push(Say::Prompt(Prompt::VoicemailMenu));
        self.play(says);
    }

    /// What was playing has been played to the end.
    pub fn played(&mut self, now: Instant) {
        if !self.playing {
            return;
        }
        self.playing = false;
        match self.state {
            State::Leaving => self.effects.push(Effect::HangUp),
            State::GreetingPrompt => {
                self.state = State::Greeting;
                self.deadline = Some(now + GREETING_MAX);
                self.effects.push(Effect::StartGreeting);
            }
            State::Pin { .. } | State::Options => self.deadline = Some(now + KEY_WAIT),
            State::CheckingPin | State::Greeting | State::SavingGreeting => {}
        }
    }

    /// The deadline from [`Menu::poll_timeout`] has passed.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.deadline.is_none_or(|d| now < d) {
            return;
        }
        self.deadline = None;
        match self.state {
            State::Greeting => self.finish_greeting(),
            State::Pin { .. } | State::Options => {
                self.repeats += 1;
                if self.repeats >= MAX_REPEATS {
                    return self.leave(vec![Say::Prompt(Prompt::Goodbye)]);
                }
                let prompt = if self.state == State::Options {
                    Prompt::VoicemailMenu
                } else {
                    Prompt::VoicemailEnterPin
                };
                self.play(vec![Say::Prompt(prompt)]);
            }
            _ => {}
        }
    }

    /// The greeting asked for by [`Effect::SaveGreeting`] was saved, or not.
    pub fn greeting_saved(&mut self, result: GreetingResult) {
        if self.state != State::SavingGreeting {
            return;
        }
        self.state = State::Options;
        let said = match result {
            GreetingResult::Saved => Prompt::VoicemailGreetingSaved,
            GreetingResult::TooShort => Prompt::VoicemailGreetingTooShort,
            GreetingResult::Failed => Prompt::InvalidOption,
        };
        self.play(vec![
            Say::Prompt(said),
            Say::Silence(300),
            Say::Prompt(Prompt::VoicemailMenu),
        ]);
    }

    fn option(&mut self, key: char) {
        match key {
            '1' => self.play_current(),
            '2' => {
                if self.current < self.messages.len() {
                    self.current += 1;
                }
                self.play_current();
            }
            '3' => match self.messages.get(self.current).cloned() {
                Some(m) => {
                    self.messages.remove(self.current);
                    self.effects.push(Effect::Delete {
                        id: m.id,
                        file: m.file,
                    });
                    self.with_options(Prompt::VoicemailMessageDeleted);
                }
                None => self.with_options(Prompt::VoicemailNoMoreMessages),
            },
            '4' => match self.messages.get_mut(self.current) {
                Some(m) => {
                    if !m.heard {
                        m.heard = true;
                        let id = m.id;
                        self.effects.push(Effect::MarkHeard(id));
                    }
                    self.current += 1;
                    self.with_options(Prompt::VoicemailMessageSaved);
                }
                None => self.with_options(Prompt::VoicemailNoMoreMessages),
            },
            '5' => {
                self.state = State::GreetingPrompt;
                self.play(vec![
                    Say::Prompt(Prompt::VoicemailRecordGreeting),
                    Say::Silence(200),
                    Say::Beep,
                ]);
            }
            '0' => self.play(vec![Say::Prompt(Prompt::VoicemailMenu)]),
            '#' => self.leave(vec![Say::Prompt(Prompt::Goodbye)]),
            _ => self.with_options(Prompt::InvalidOption),
        }
    }

    /// "Message 3", the recording, then the options again; marks it heard.
    fn play_current(&mut self) {
        let number = self.current + 1;
        let Some(m) = self.messages.get_mut(self.current) else {
            let said = if self.messages.is_empty() {
                Prompt::VoicemailNoMessages
            } else {
                Prompt::VoicemailEndOfMessages
            };
            return self.with_options(said);
        };
        let file = m.file.clone();
        let caller = m.caller.clone();
        if !m.heard {
            m.heard = true;
            let id = m.id;
            self.effects.push(Effect::MarkHeard(id));
        }
        let mut says: Vec<Say> = introduction(number, &caller)
            .into_iter()
            .map(Say::Prompt)
            .collect();
        says.extend([
            Say::Silence(300),
            Say::Message(file),
            Say::Silence(500),
            Say::Prompt(Prompt::VoicemailMenu),
        ]);
        self.play(says);
    }

    fn with_options(&mut self, first: Prompt) {
        self.play(vec![
            Say::Prompt(first),
            Say::Silence(300),
            Say::Prompt(Prompt::VoicemailMenu),
        ]);
    }

    fn finish_greeting(&mut self) {
        self.state = State::SavingGreeting;
        self.deadline = None;
        self.effects.push(Effect::SaveGreeting);
    }

    fn leave(&mut self, says: Vec<Say>) {
        self.state = State::Leaving;
        self.play(says);
    }

    fn play(&mut self, says: Vec<Say>) {
        self.deadline = None;
        self.playing = true;
        self.effects.push(Effect::Play(says));
    }

    /// A PIN key stops the prompt; the key wait starts again from it.
    fn stop_playing(&mut self, now: Instant) {
        if self.playing {
            self.playing = false;
            self.effects.push(Effect::Play(Vec::new()));
        }
        self.deadline = Some(now + KEY_WAIT);
    }
}
