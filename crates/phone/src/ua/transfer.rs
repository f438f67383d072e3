//! Transfers this phone asks the server for: blind (a REFER naming the new number,
//! RFC 3515) and attended (a REFER whose Refer-To carries Replaces naming our
//! consultation call, RFC 3891 §1 and RFC 5589 §7). The server reports how the target
//! answers in `message/sipfrag` NOTIFYs (RFC 3515 §2.4.5); when it answered, we leave
//! the call with BYE (RFC 5589 §6), and when it did not, the call stays as it was.
//!
//! A REFER from the far end (asking *us* to call someone) is refused: see
//! [`UserAgent::on_dialog_request`](super::UserAgent).

use std::time::Instant;

use sip::transaction::ServerKey;
use sip::{Method, Request, Response};

use super::call::{Purpose, State};
use super::types::{CallHandle, Event, TransferProgress};
use super::UserAgent;
use crate::Error;

impl UserAgent {
    /// Blind transfer: asks the server to take `handle`'s far end to `target` (a number
    /// or a `sip:` URI). Progress comes as [`Event::Transfer`].
    pub fn transfer(
        &mut self,
        now: Instant,
        handle: CallHandle,
        target: &str,
    ) -> Result<(), Error> {
        let uri = self.target_uri(target)?;
        self.refer(now, handle, format!("<{uri}>"))
    }

    /// Attended transfer: joins `handle`'s far end with `consult`'s (the call we placed
    /// to ask the target first). The server replaces our side of `consult` with the far
    /// end of `handle` (RFC 3891), then both our calls end.
    pub fn complete_transfer(
        &mut self,
        now: Instant,
        handle: CallHandle,
        consult: CallHandle,
    ) -> Result<(), Error> {
        if handle == consult {
            return Err(Error::WrongState);
        }
        let other = self.calls.get(&consult).ok_or(Error::UnknownCall)?;
        if other.state != State::Established {
            return Err(Error::WrongState);
        }
        let dialog = other.dialog.as_ref().ok_or(Error::WrongState)?;
        let id = dialog.id();
        // RFC 3891 §3: the dialog as the recipient (the server) names it: its own tag
        // is the to-tag, ours the from-tag.
        let replaces = format!(
            "{};to-tag={};from-tag={}",
            id.call_id, id.remote_tag, id.local_tag
        );
        let mut target = dialog.remote().uri.clone();
        target.params = Default::default();
        target.headers.clear();
        // RFC 3261 §19.1.1: a header of a URI is escaped; Replaces' `;`, `=` and `@` too.
        let refer_to = format!("<{target}?Replaces={}>", escape(&replaces));
        self.refer(now, handle, refer_to)
    }

    fn refer(&mut self, now: Instant, handle: CallHandle, refer_to: String) -> Result<(), Error> {
        let referred_by = self.contact().uri.to_string();
        let call = self.calls.get_mut(&handle).ok_or(Error::UnknownCall)?;
        if call.state != State::Established || call.transferring {
            return Err(Error::WrongState);
        }
        let dialog = call.dialog.as_mut().ok_or(Error::WrongState)?;
        let mut refer = dialog.create_request(Method::Refer);
        refer.headers.push("Refer-To", refer_to);
        refer
            .headers
            .push("Referred-By", format!("<{referred_by}>"));
        self.send_in_dialog(now, handle, Purpose::Refer, refer)?;
        if let Some(call) = self.calls.get_mut(&handle) {
            call.transferring = true;
        }
        Ok(())
    }

    /// The final answer to our REFER: 202 means the server is on it (RFC 3515 §2.4.2);
    /// anything else ends the attempt and the call stays.
    pub(super) fn on_refer_response(&mut self, handle: CallHandle, response: &Response) {
        if response.status < 200 {
            return;
        }
        let progress = if response.class() == 2 {
            TransferProgress::Accepted
        } else {
            if let Some(call) = self.calls.get_mut(&handle) {
                call.transferring = false;
            }
            TransferProgress::Failed(response.status)
        };
        self.emit(Event::Transfer {
            call: handle,
            progress,
        });
    }

    /// A NOTIFY in a call: the progress of our REFER (RFC 3515 §2.4.5). A final status
    /// line, or the end of the subscription (§2.4.7), ends the attempt; a 2xx means the
    /// target answered and we leave the call (RFC 5589 §6: the transferor sends BYE).
    pub(super) fn on_notify(
        &mut self,
        now: Instant,
        key: ServerKey,
        handle: CallHandle,
        request: &Request,
    ) {
        let event = request.headers.get("Event").unwrap_or_default();
        let package = event.split(';').next().unwrap_or_default().trim();
        if !package.eq_ignore_ascii_case("refer") {
            // RFC 6665 §4.2.2: an event package we did not subscribe to.
            let response = Response::for_request(request, 489, sip::default_reason(489));
            return self.reply(now, key, response);
        }
        self.reply(now, key, Response::for_request(request, 200, "OK"));
        let transferring = self.calls.get(&handle).is_some_and(|c| c.transferring);
        if !transferring {
            return;
        }
        let terminated = request
            .headers
            .get("Subscription-State")
            .is_some_and(|s| s.trim().to_ascii_lowercase().starts_with("terminated"));
        let status = sipfrag_status(&request.body);
        let progress = match status {
            Some(s @ 100..=199) if !terminated => TransferProgress::Trying(s),
            Some(200..=299) => TransferProgress::Succeeded,
            Some(s) if s >= 300 => TransferProgress::Failed(s),
            // RFC 3515 §2.4.7: the subscription ended without a final answer.
            _ if terminated => TransferProgress::Failed(status.unwrap_or(487)),
            _ => return,
        };
        let done = !matches!(progress, TransferProgress::Trying(_));
        if done {
            if let Some(call) = self.calls.get_mut(&handle) {
                call.transferring = false;
            }
        }
        self.emit(Event::Transfer {
            call: handle,
            progress,
        });
        if progress == TransferProgress::Succeeded {
            if let Err(err) = self.hang_up(now, handle) {
                tracing::debug!(%err, "transferred call already gone");
            }
        }
    }
}

/// The status code of a `message/sipfrag` body's status line (`SIP/2.0 200 OK`).
fn sipfrag_status(body: &[u8]) -> Option<u16> {
    let text = std::str::from_utf8(body).ok()?;
    let line = text.lines().next()?.trim();
    let rest = line.strip_prefix("SIP/2.0")?;
    let code = rest.split_whitespace().next()?.parse::<u16>().ok()?;
    (100..700).contains(&code).then_some(code)
}

/// Percent-escapes everything but RFC 3261's unreserved characters (§25.1).
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len() * 2);
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sipfrag_status_lines_are_read_and_junk_is_not() {
        assert_eq!(sipfrag_status(b"SIP/2.0 180 Ringing\r\n"), Some(180));
        assert_eq!(sipfrag_status(b"SIP/2.0 200 OK"), Some(200));
        assert_eq!(sipfrag_status(b"SIP/2.0 99 Odd"), None);
        assert_eq!(sipfrag_status(b"HTTP/1.1 200 OK"), None);
        assert_eq!(sipfrag_status(b"\xff\xfe"), None);
        assert_eq!(sipfrag_status(b""), None);
    }

    #[test]
    fn replaces_is_escaped_for_a_uri_header() {
        assert_eq!(
            escape("a1@host;to-tag=x;from-tag=y"),
            "a1%40host%3Bto-tag%3Dx%3Bfrom-tag%3Dy"
        );
    }
}
