//! Why an e-mail was not sent, in words for the owner, with the server's own answer kept
//! for the expert.

/// A failed attempt to send.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{summary} ({detail})")]
pub struct SendError {
    /// What happened and what to do, for a person ("The server refused the user name or
    /// password.").
    pub summary: String,
    /// The server's answer or the underlying error, as it came.
    pub detail: String,
    /// Trying again will not help (the server refused for good, or the message cannot be
    /// built); the owner has to change something first.
    pub permanent: bool,
}

impl SendError {
    pub(crate) fn permanent(summary: impl Into<String>, detail: impl Into<String>) -> SendError {
        SendError {
            summary: summary.into(),
            detail: detail.into(),
            permanent: true,
        }
    }

    /// Explains an SMTP client error. `server` is `host:port` as configured.
    pub(crate) fn from_smtp(e: &lettre::transport::smtp::Error, server: &str) -> SendError {
        let detail = chain(e);
        let code = e.status().map(|c| c.to_string());
        let (summary, permanent) = if e.is_permanent() {
            let summary = match code.as_deref() {
                // RFC 4954 §6: authentication failed / required.
                Some("535") | Some("534") | Some("530") => {
                    "The mail server refused the user name or password. Check them in the e-mail settings."
                        .to_owned()
                }
                Some(c) if c.starts_with("55") => {
                    "The mail server refused the sender or recipient address.".to_owned()
                }
                _ => "The mail server refused the e-mail.".to_owned(),
            };
            (summary, true)
        } else if e.is_transient() {
            (
                "The mail server asked to try again later.".to_owned(),
                false,
            )
        } else if e.is_tls() || detail.to_ascii_lowercase().contains("certificate") {
            (
                format!(
                    "A secure connection to {server} could not be made: check the security \
                     setting (STARTTLS usually on port 587, TLS on 465) and that the server's \
                     certificate is trusted by this computer."
                ),
                false,
            )
        } else if detail.contains("authentication mechanism") {
            (
                "The mail server offers no way to log in that works here (PLAIN or LOGIN): \
                 check the security setting, or leave the user name empty if it needs no login."
                    .to_owned(),
                false,
            )
        } else if e.is_timeout() {
            (format!("{server} did not answer in time."), false)
        } else if detail.contains("STARTTLS") || detail.contains("starttls") {
            (
                format!("{server} does not offer STARTTLS; choose TLS or check the port."),
                false,
            )
        } else {
            (
                format!("Could not reach the mail server {server}: check its name and port."),
                false,
            )
        };
        SendError {
            summary,
            detail,
            permanent,
        }
    }
}

/// An error and its sources, one after the other.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    // Layers often repeat their cause's words ("Connection error: Connection error: …").
    let mut parts: Vec<&str> = text.split(": ").collect();
    parts.dedup();
    parts.join(": ")
}
