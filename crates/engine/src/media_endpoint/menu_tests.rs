//! The `*97` menu driven with a virtual clock: what it plays, asks and changes for each
//! key.

use std::time::{Duration, Instant};

use media::wav_prompts::Prompt;

use super::menu::{
    Effect, GreetingResult, Menu, MessageRef, PinResult, Say, KEY_WAIT, MAX_WRONG_PINS,
};
use super::menu_words::counts;

fn message(id: i64, heard: bool, received_at: i64) -> MessageRef {
    MessageRef {
        id,
        file: format!("m{id}.wav"),
        heard,
        received_at,
        caller: "0612".to_owned(),
    }
}

fn drain(menu: &mut Menu) -> Vec<Effect> {
    std::iter::from_fn(|| menu.poll_effect()).collect()
}

fn plays(effects: &[Effect]) -> Vec<Say> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Play(s) => Some(s.clone()),
            _ => None,
        })
        .next_back()
        .unwrap_or_default()
}

fn keys(menu: &mut Menu, now: Instant, keys: &str) -> Vec<Effect> {
    for k in keys.chars() {
        menu.key(now, k);
    }
    drain(menu)
}

/// A menu past the PIN with `messages`.
fn opened(messages: Vec<MessageRef>) -> (Menu, Instant) {
    let now = Instant::now();
    let mut menu = Menu::new();
    drain(&mut menu);
    let effects = keys(&mut menu, now, "4821#");
    assert_eq!(
        effects,
        vec![Effect::Play(vec![]), Effect::CheckPin("4821".into())]
    );
    menu.pin_checked(PinResult::Open(messages));
    drain(&mut menu);
    (menu, now)
}

#[test]
fn the_menu_asks_for_the_pin_and_a_key_stops_the_prompt() {
    let mut menu = Menu::new();
    assert_eq!(
        drain(&mut menu),
        vec![Effect::Play(vec![Say::Prompt(Prompt::VoicemailEnterPin)])]
    );
    let now = Instant::now();
    assert_eq!(keys(&mut menu, now, "7"), vec![Effect::Play(vec![])]);
    // A second key does not stop anything more.
    assert_eq!(keys(&mut menu, now, "3"), vec![]);
    assert_eq!(
        keys(&mut menu, now, "#"),
        vec![Effect::CheckPin("73".into())]
    );
}

#[test]
fn star_starts_the_pin_again() {
    let now = Instant::now();
    let mut menu = Menu::new();
    drain(&mut menu);
    keys(&mut menu, now, "12*");
    let effects = keys(&mut menu, now, "98#");
    assert_eq!(effects.last(), Some(&Effect::CheckPin("98".into())));
}

#[test]
fn wrong_pins_are_refused_and_the_third_hangs_up() {
    let now = Instant::now();
    let mut menu = Menu::new();
    drain(&mut menu);
    for attempt in 1..=MAX_WRONG_PINS {
        keys(&mut menu, now, "0000#");
        menu.pin_checked(PinResult::Wrong);
        let effects = drain(&mut menu);
        if attempt < MAX_WRONG_PINS {
            assert_eq!(
                plays(&effects),
                vec![
                    Say::Prompt(Prompt::PinWrong),
                    Say::Prompt(Prompt::VoicemailEnterPin)
                ]
            );
        } else {
            assert_eq!(
                plays(&effects),
                vec![
                    Say::Prompt(Prompt::VoicemailTooManyWrongPins),
                    Say::Prompt(Prompt::Goodbye)
                ]
            );
        }
    }
    // Keys no longer count; once goodbye is said the call ends.
    assert_eq!(keys(&mut menu, now, "1234#"), vec![]);
    menu.played(now);
    assert_eq!(drain(&mut menu), vec![Effect::HangUp]);
}

#[test]
fn the_counts_are_announced_then_the_options() {
    let now = Instant::now();
    let mut menu = Menu::new();
    drain(&mut menu);
    keys(&mut menu, now, "4821#");
    menu.pin_checked(PinResult::Open(vec![
        message(1, false, 10),
        message(2, true, 5),
        message(3, false, 20),
    ]));
    let said = plays(&drain(&mut menu));
    let mut expected: Vec<Say> = counts(2, 1).into_iter().map(Say::Prompt).collect();
    expected.push(Say::Silence(300));
    expected.push(Say::Prompt(Prompt::VoicemailMenu));
    assert_eq!(said, expected);
    assert_eq!(
        counts(2, 1),
        vec![
            Prompt::VoicemailYouHave,
            Prompt::number(2)[0],
            Prompt::VoicemailNewMessages,
            Prompt::VoicemailAnd,
            Prompt::number(1)[0],
            Prompt::VoicemailSavedMessage,
        ]
    );
    assert_eq!(counts(0, 0), vec![Prompt::VoicemailNoMessages]);
}

#[test]
fn one_plays_the_oldest_new_message_and_marks_it_heard() {
    let (mut menu, now) = opened(vec![
        message(1, true, 1),
        message(2, false, 30),
        message(3, false, 20),
    ]);
    let effects = keys(&mut menu, now, "1");
    assert_eq!(effects.first(), Some(&Effect::MarkHeard(3)));
    let said = plays(&effects);
    assert_eq!(said.first(), Some(&Say::Prompt(Prompt::VoicemailMessage)));
    assert!(said.contains(&Say::Message("m3.wav".into())));
    // Replaying does not mark it again.
    let again = keys(&mut menu, now, "1");
    assert!(!again.iter().any(|e| matches!(e, Effect::MarkHeard(_))));
    assert!(plays(&again).contains(&Say::Message("m3.wav".into())));
    // 2: the next new one, then the saved one, then the end.
    assert!(plays(&keys(&mut menu, now, "2")).contains(&Say::Message("m2.wav".into())));
    assert!(plays(&keys(&mut menu, now, "2")).contains(&Say::Message("m1.wav".into())));
    assert_eq!(
        plays(&keys(&mut menu, now, "2")).first(),
        Some(&Say::Prompt(Prompt::VoicemailEndOfMessages))
    );
}

#[test]
fn three_deletes_the_current_message_and_four_saves_it() {
    let (mut menu, now) = opened(vec![message(1, false, 1), message(2, false, 2)]);
    let effects = keys(&mut menu, now, "3");
    assert_eq!(
        effects.first(),
        Some(&Effect::Delete {
            id: 1,
            file: "m1.wav".into()
        })
    );
    assert_eq!(
        plays(&effects).first(),
        Some(&Say::Prompt(Prompt::VoicemailMessageDeleted))
    );
    // The next one is current now.
    let effects = keys(&mut menu, now, "4");
    assert_eq!(effects.first(), Some(&Effect::MarkHeard(2)));
    assert_eq!(
        plays(&effects).first(),
        Some(&Say::Prompt(Prompt::VoicemailMessageSaved))
    );
    let effects = keys(&mut menu, now, "3");
    assert_eq!(
        plays(&effects).first(),
        Some(&Say::Prompt(Prompt::VoicemailNoMoreMessages))
    );
    assert!(!effects.iter().any(|e| matches!(e, Effect::Delete { .. })));
}

#[test]
fn five_records_a_greeting_after_the_beep_until_hash() {
    let (mut menu, now) = opened(vec![]);
    let said = plays(&keys(&mut menu, now, "5"));
    assert_eq!(said.last(), Some(&Say::Beep));
    assert!(!menu.recording_greeting(), "not before the beep has played");
    menu.played(now);
    assert_eq!(drain(&mut menu), vec![Effect::StartGreeting]);
    assert!(menu.recording_greeting());
    assert_eq!(keys(&mut menu, now, "#"), vec![Effect::SaveGreeting]);
    assert!(!menu.recording_greeting());
    menu.greeting_saved(GreetingResult::Saved);
    assert_eq!(
        plays(&drain(&mut menu)).first(),
        Some(&Say::Prompt(Prompt::VoicemailGreetingSaved))
    );
}

#[test]
fn a_greeting_ends_by_itself_at_the_limit_and_a_short_one_is_refused() {
    let (mut menu, now) = opened(vec![]);
    keys(&mut menu, now, "5");
    menu.played(now);
    drain(&mut menu);
    let limit = menu.poll_timeout().expect("a limit");
    menu.handle_timeout(limit - Duration::from_millis(1));
    assert_eq!(drain(&mut menu), vec![]);
    menu.handle_timeout(limit);
    assert_eq!(drain(&mut menu), vec![Effect::SaveGreeting]);
    menu.greeting_saved(GreetingResult::TooShort);
    assert_eq!(
        plays(&drain(&mut menu)).first(),
        Some(&Say::Prompt(Prompt::VoicemailGreetingTooShort))
    );
}

#[test]
fn silence_repeats_the_options_then_hangs_up() {
    let (mut menu, mut now) = opened(vec![message(1, false, 1)]);
    for _ in 0..2 {
        menu.played(now);
        assert_eq!(menu.poll_timeout(), Some(now + KEY_WAIT));
        now += KEY_WAIT;
        menu.handle_timeout(now);
        assert_eq!(
            drain(&mut menu),
            vec![Effect::Play(vec![Say::Prompt(Prompt::VoicemailMenu)])]
        );
    }
    menu.played(now);
    now += KEY_WAIT;
    menu.handle_timeout(now);
    assert_eq!(plays(&drain(&mut menu)), vec![Say::Prompt(Prompt::Goodbye)]);
    menu.played(now);
    assert_eq!(drain(&mut menu), vec![Effect::HangUp]);
}

#[test]
fn hash_says_goodbye_and_other_keys_are_refused() {
    let (mut menu, now) = opened(vec![]);
    assert_eq!(
        plays(&keys(&mut menu, now, "9")).first(),
        Some(&Say::Prompt(Prompt::InvalidOption))
    );
    assert_eq!(
        plays(&keys(&mut menu, now, "1")).first(),
        Some(&Say::Prompt(Prompt::VoicemailNoMessages))
    );
    assert_eq!(
        plays(&keys(&mut menu, now, "#")),
        vec![Say::Prompt(Prompt::Goodbye)]
    );
    menu.played(now);
    assert_eq!(drain(&mut menu), vec![Effect::HangUp]);
}

#[test]
fn a_locked_mailbox_says_so_and_hangs_up() {
    let now = Instant::now();
    let mut menu = Menu::new();
    drain(&mut menu);
    keys(&mut menu, now, "4821#");
    menu.pin_checked(PinResult::Locked);
    assert_eq!(
        plays(&drain(&mut menu)),
        vec![
            Say::Prompt(Prompt::VoicemailPinLocked),
            Say::Prompt(Prompt::Goodbye)
        ]
    );
    menu.played(now);
    assert_eq!(drain(&mut menu), vec![Effect::HangUp]);
}

#[test]
fn a_message_is_introduced_with_its_number_and_caller() {
    let mut anonymous = message(2, false, 2);
    anonymous.caller = "anonymous".to_owned();
    let (mut menu, now) = opened(vec![message(1, false, 1), anonymous]);
    let said = plays(&keys(&mut menu, now, "1"));
    let mut expected = vec![Say::Prompt(Prompt::VoicemailMessage)];
    expected.extend(Prompt::number(1).into_iter().map(Say::Prompt));
    expected.push(Say::Prompt(Prompt::VoicemailFrom));
    expected.extend(Prompt::digits("0612").into_iter().map(Say::Prompt));
    assert_eq!(said[..expected.len()], expected[..]);
    // Without a number, no "from".
    let said = plays(&keys(&mut menu, now, "2"));
    assert!(!said.contains(&Say::Prompt(Prompt::VoicemailFrom)));
    assert!(said.contains(&Say::Message("m2.wav".into())));
}
