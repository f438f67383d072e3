//! The sentences the `*97` menu composes from prompts: the message counts and the words
//! before each message.

use media::wav_prompts::Prompt;

/// "You have no messages." / "You have 2 new messages." / "You have 1 new message and 3
/// saved messages." / "You have zero new messages and 1 saved message."
pub(crate) fn counts(new: usize, saved: usize) -> Vec<Prompt> {
    if new == 0 && saved == 0 {
        return vec![Prompt::VoicemailNoMessages];
    }
    let n = |v: usize| Prompt::number(u32::try_from(v).unwrap_or(u32::MAX));
    let mut says = vec![Prompt::VoicemailYouHave];
    says.extend(n(new));
    says.push(if new == 1 {
        Prompt::VoicemailNewMessage
    } else {
        Prompt::VoicemailNewMessages
    });
    if saved > 0 {
        says.push(Prompt::VoicemailAnd);
        says.extend(n(saved));
        says.push(if saved == 1 {
            Prompt::VoicemailSavedMessage
        } else {
            Prompt::VoicemailSavedMessages
        });
    }
    says
}

/// "Message 2 from 2 0 1" (just "Message 2" when the caller's number is withheld or not
/// a number).
pub(crate) fn introduction(position: usize, caller: &str) -> Vec<Prompt> {
    let mut says = vec![Prompt::VoicemailMessage];
    says.extend(Prompt::number(u32::try_from(position).unwrap_or(u32::MAX)));
    let is_number = !caller.is_empty()
        && caller.len() <= 16
        && caller.chars().all(|c| c.is_ascii_digit() || c == '+');
    if is_number {
        says.push(Prompt::VoicemailFrom);
        says.extend(Prompt::digits(caller));
    }
    says
}
