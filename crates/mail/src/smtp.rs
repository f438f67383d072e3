//! Talking to the owner's SMTP server: submission with STARTTLS (RFC 3207, RFC 6409), TLS
//! from the start (RFC 8314), or plain for a local relay; a login when a user name is set.
//! Certificates are checked against this computer's trusted roots (or `SSL_CERT_FILE`).

use std::time::Duration;

use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::response::Response;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use store::{MailSecurity, MailSettings};

use crate::message::sender;
use crate::SendError;

/// How long each step of the conversation may take; a server that hangs fails the attempt
/// instead of holding the queue.
const TIMEOUT: Duration = Duration::from_secs(30);

/// What the server answered when it took a message: "250 2.0.0 Ok: queued as 4F2A".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply(pub String);

impl std::fmt::Display for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<&Response> for Reply {
    fn from(r: &Response) -> Reply {
        let lines: Vec<&str> = r.message().collect();
        Reply(
            format!("{} {}", r.code(), lines.join(" "))
                .trim()
                .to_owned(),
        )
    }
}

/// `host:port` as the owner typed them, for messages.
fn server(settings: &MailSettings) -> String {
    format!("{}:{}", settings.host.trim(), settings.port)
}

fn transport(settings: &MailSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, SendError> {
    let host = settings.host.trim();
    if host.is_empty() {
        return Err(SendError::permanent(
            "No mail server is set.",
            "the e-mail settings have no server name",
        ));
    }
    let tls = || {
        TlsParameters::new(host.to_owned()).map_err(|e| {
            SendError::permanent(
                "Secure connections cannot be set up on this computer.",
                e.to_string(),
            )
        })
    };
    let tls = match settings.security {
        // The upgrade is required: falling back to plain text would hand the password to
        // anyone able to strip the server's STARTTLS offer.
        MailSecurity::StartTls => Tls::Required(tls()?),
        MailSecurity::Tls => Tls::Wrapper(tls()?),
        MailSecurity::None => Tls::None,
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(settings.port)
        .tls(tls)
        .timeout(Some(TIMEOUT));
    if !settings.username.trim().is_empty() {
        builder = builder.credentials(Credentials::new(
            settings.username.trim().to_owned(),
            settings.password.clone(),
        ));
    }
    Ok(builder.build())
}

/// Sends `message` through the server in `settings`.
pub async fn send(settings: &MailSettings, message: Message) -> Result<Reply, SendError> {
    let transport = transport(settings)?;
    match transport.send(message).await {
        Ok(response) => Ok(Reply::from(&response)),
        Err(e) => Err(SendError::from_smtp(&e, &server(settings))),
    }
}

/// Sends a short test e-mail to `to` with `settings` (saved or not) and returns the
/// server's answer, so the owner sees at once whether voicemail e-mails will go out.
pub async fn send_test(settings: &MailSettings, to: &str) -> Result<Reply, SendError> {
    let from = sender(&settings.from)?;
    let to: Mailbox = to.trim().parse().map_err(|e| {
        SendError::permanent(format!("{to:?} is not an e-mail address."), format!("{e}"))
    })?;
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject("Switchboard test e-mail")
        .body(format!(
            "This is a test from Switchboard, the office phone system.\n\n\
             Voicemail messages will be e-mailed through {} ({}) like this one.\n",
            server(settings),
            match settings.security {
                MailSecurity::StartTls => "STARTTLS",
                MailSecurity::Tls => "TLS",
                MailSecurity::None => "no encryption",
            }
        ))
        .map_err(|e| {
            SendError::permanent("The e-mail could not be put together.", e.to_string())
        })?;
    send(settings, message).await
}
