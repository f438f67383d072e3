//! The e-mail for one voicemail message: the caller in the subject (what a person scans an
//! inbox for), a few lines of text, and the recording attached as a WAV file any phone or
//! computer can play.

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Attachment, Body, Mailbox, MultiPart, SinglePart};
use lettre::Message;

use crate::SendError;

/// What the e-mail says about a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoicemailDetails {
    /// The mailbox (extension or ring group number) it was left in.
    pub mailbox: String,
    pub caller_number: String,
    pub caller_name: Option<String>,
    /// The business name the caller dialled, for calls from a trunk.
    pub business_name: Option<String>,
    /// Unix seconds.
    pub received_at: i64,
    pub duration_ms: u64,
}

/// Builds the e-mail from `from` to `to` with `wav` attached.
pub fn voicemail_email(
    from: &str,
    to: &str,
    details: &VoicemailDetails,
    wav: Vec<u8>,
) -> Result<Message, SendError> {
    let from = sender(from)?;
    let to: Mailbox = to.trim().parse().map_err(|e| {
        SendError::permanent(format!("{to:?} is not an e-mail address."), format!("{e}"))
    })?;
    let body = SinglePart::plain(body(details));
    // Audio is binary whatever its first bytes look like: always base64 (RFC 2045 §6.8).
    let wav =
        Body::new_with_encoding(wav, ContentTransferEncoding::Base64).unwrap_or_else(Body::new);
    let attachment = Attachment::new(file_name(details)).body(wav, wav_type());
    Message::builder()
        .from(from)
        .to(to)
        .subject(subject(details))
        .multipart(MultiPart::mixed().singlepart(body).singlepart(attachment))
        .map_err(|e| SendError::permanent("The e-mail could not be put together.", e.to_string()))
}

/// `From:` as "Switchboard <address>", so the inbox shows where the e-mail comes from.
pub(crate) fn sender(from: &str) -> Result<Mailbox, SendError> {
    let address = from.trim().parse().map_err(|e| {
        SendError::permanent(
            format!("The sender address {from:?} is not an e-mail address."),
            format!("{e}"),
        )
    })?;
    Ok(Mailbox::new(Some("Switchboard".to_owned()), address))
}

fn wav_type() -> ContentType {
    ContentType::parse("audio/wav").unwrap_or(ContentType::TEXT_PLAIN)
}

/// "Voicemail from Jane Doe (0612345678) for 201, 0:42".
pub(crate) fn subject(d: &VoicemailDetails) -> String {
    let caller = caller(d);
    let via = d
        .business_name
        .as_deref()
        .map(clean)
        .filter(|b| !b.is_empty())
        .map(|b| format!(" via {b}"))
        .unwrap_or_default();
    format!(
        "Voicemail from {caller} for {}{via}, {}",
        clean(&d.mailbox),
        duration(d.duration_ms)
    )
}

/// The caller as a person reads it: "Jane Doe (0612345678)", or the number alone.
fn caller(d: &VoicemailDetails) -> String {
    let number = clean(&d.caller_number);
    let number = if number.is_empty() || number.eq_ignore_ascii_case("anonymous") {
        "withheld number".to_owned()
    } else {
        number
    };
    match d
        .caller_name
        .as_deref()
        .map(clean)
        .filter(|n| !n.is_empty())
    {
        Some(name) if name != number => format!("{name} ({number})"),
        _ => number,
    }
}

fn body(d: &VoicemailDetails) -> String {
    let mut text = format!(
        "{} left a message in mailbox {}.\n\nWhen: {}\nLength: {}\n",
        caller(d),
        clean(&d.mailbox),
        when(d.received_at),
        duration(d.duration_ms)
    );
    if let Some(b) = d
        .business_name
        .as_deref()
        .map(clean)
        .filter(|b| !b.is_empty())
    {
        text.push_str(&format!("Called: {b}\n"));
    }
    text.push_str("\nThe recording is attached as a WAV file.\n");
    text
}

/// `voicemail-201-20261127-0103.wav`: sorts by time and says what it is.
fn file_name(d: &VoicemailDetails) -> String {
    let stamp = jiff::Timestamp::from_second(d.received_at)
        .map(|t| {
            t.to_zoned_datetime(jiff::tz::TimeZone::system())
                .strftime("%Y%m%d-%H%M")
                .to_string()
        })
        .unwrap_or_else(|_| d.received_at.to_string());
    let mailbox: String = d
        .mailbox
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    format!("voicemail-{mailbox}-{stamp}.wav")
}

/// The time in this computer's zone: "Friday 27 November 2026, 01:03 (CET)".
fn when(unix: i64) -> String {
    jiff::Timestamp::from_second(unix)
        .map(|t| {
            t.to_zoned_datetime(jiff::tz::TimeZone::system())
                .strftime("%A %-d %B %Y, %H:%M (%Z)")
                .to_string()
        })
        .unwrap_or_else(|_| unix.to_string())
}

/// "0:42", "12:05".
fn duration(ms: u64) -> String {
    let s = ms.div_ceil(1000);
    format!("{}:{:02}", s / 60, s % 60)
}

/// Caller names and numbers come from the network: no line breaks or other control
/// characters reach the e-mail's headers, and they are kept short.
fn clean(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(80)
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details() -> VoicemailDetails {
        VoicemailDetails {
            mailbox: "201".to_owned(),
            caller_number: "0612345678".to_owned(),
            caller_name: Some("Jane\r\nBcc: evil@example.com".to_owned()),
            business_name: Some("sales.acme".to_owned()),
            received_at: 1_800_000_000,
            duration_ms: 42_300,
        }
    }

    #[test]
    fn the_subject_names_the_caller_and_cannot_carry_a_header() {
        let s = subject(&details());
        assert!(
            s.starts_with("Voicemail from Jane  Bcc: evil@example.com (0612345678) for 201"),
            "{s}"
        );
        assert!(s.ends_with("via sales.acme, 0:43"), "{s}");
        assert!(!s.contains('\n') && !s.contains('\r'));
    }

    #[test]
    fn a_withheld_number_is_said_in_words() {
        let mut d = details();
        d.caller_name = None;
        d.caller_number = "anonymous".to_owned();
        assert!(subject(&d).starts_with("Voicemail from withheld number for 201"));
    }

    #[test]
    fn the_email_carries_the_wav_attachment() {
        let wav = b"RIFF\x24\0\0\0WAVEfmt ".to_vec();
        let m =
            voicemail_email("pbx@example.com", "ann@example.com", &details(), wav).expect("built");
        let text = String::from_utf8_lossy(&m.formatted()).into_owned();
        assert!(text.contains("Content-Type: audio/wav"), "{text}");
        assert!(text.contains("Content-Transfer-Encoding: base64"), "{text}");
        assert!(
            text.contains("attachment; filename=\"voicemail-201-"),
            "{text}"
        );
        assert!(text.contains("To: ann@example.com"), "{text}");
        assert!(!text.contains("\r\nBcc:"), "{text}");
        // The attachment is base64 of the bytes given.
        assert!(text.contains("UklGRiQAAABXQVZFZm10IA=="), "{text}");
    }

    #[test]
    fn bad_addresses_are_refused_for_good() {
        let e = voicemail_email("not an address", "ann@example.com", &details(), Vec::new())
            .expect_err("bad sender");
        assert!(e.permanent);
        let e = voicemail_email("pbx@example.com", "ann", &details(), Vec::new())
            .expect_err("bad recipient");
        assert!(e.permanent);
    }
}
