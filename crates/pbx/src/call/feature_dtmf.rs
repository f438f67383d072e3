//! Keys pressed during a call, and the feature codes they make.
//!
//! Keys arrive two ways: RFC 4733 telephone-events, which the runtime's relay reads as
//! they pass and reports by relay and side ([`Pbx::dtmf_received`]), and SIP INFO
//! (`application/dtmf-relay`, or `application/dtmf` with the key alone), which the call
//! model sees itself. Each party of each call has its own [`DigitCollector`]; a complete
//! code acts on the call (see [`Feature`]).
//!
//! Only a party that is an extension of the office may use codes: a caller from a trunk
//! pressing `##` must not be able to send the office's staff anywhere.

use std::collections::HashMap;
use std::time::Instant;

use media::sdp::PayloadFormat;
use sip::transaction::ServerKey;
use sip::{Method, Request};

use super::anchor::sdp_of;

use super::feature_digits::{DigitCollector, Feature, Step};
use super::park::ParkState;
use super::transfer::Referral;
use super::transfer_blind::party_extension;
use super::{CallId, Phase};
use crate::action::{Action, Side};
use crate::core::Pbx;
use crate::dialplan::DtmfMode;
use crate::feature_codes::PARK;
use crate::media_relay::RelayId;

/// How long a key is held when its sender did not say (a typical phone's press).
const DEFAULT_PRESS_MS: u32 = 160;

/// Feature codes being typed, and parked calls.
#[derive(Debug, Default)]
pub(crate) struct FeatureState {
    collectors: HashMap<(CallId, Side), DigitCollector>,
    pub(super) park: ParkState,
    /// Attended transfers by keys in progress.
    pub(super) consults: Vec<super::feature_attended::Consult>,
}

impl Pbx {
    /// A key pressed on side `side` of relay `relay`, as the runtime's relay saw it (an
    /// RFC 4733 event, reported once per press). Sides are the relay's as bound.
    pub fn dtmf_received(
        &mut self,
        now: Instant,
        unix_now: u64,
        relay: RelayId,
        side: Side,
        key: char,
    ) {
        self.unix_now = unix_now;
        let Some(id) = self
            .calls
            .values()
            .find(|c| c.relay.is_some_and(|r| r.id == relay))
            .map(|c| c.id)
        else {
            return;
        };
        // A relay whose sides a transfer turned round: the runtime's A is the call's B.
        let side = if self.transfer.swapped.contains(&relay) {
            side.other()
        } else {
            side
        };
        // A key sent as an event reaches a phone that did not agree to events by INFO.
        // Keys heard as tones in the audio reach the other side in the audio already,
        // and a trunk in INFO or in-band mode has its keys carried its own way.
        let by_events = self.calls.get(&id).is_some_and(|c| {
            c.trunk_media
                .as_ref()
                .is_none_or(|t| t.dtmf == DtmfMode::Rfc4733)
        }) && self.telephone_event(id, side).is_some();
        if by_events && self.telephone_event(id, side.other()).is_none() {
            self.send_info_key(now, id, side.other(), key);
        }
        self.key_pressed(now, id, side, key);
    }

    /// The key of a DTMF INFO from `side`, sent on as telephone-events when the other
    /// side agreed to them (RFC 4733 §2.1 rather than INFO, which it may not
    /// understand). Returns whether it was: the INFO is then answered here.
    pub(super) fn info_as_events(&mut self, id: CallId, side: Side, info: &Request) -> bool {
        let Some(key) = info_digit(info.content_type(), &info.body) else {
            return false;
        };
        let Some(call) = self.calls.get(&id) else {
            return false;
        };
        // A trunk in INFO mode carries keys by INFO only (and events are removed from
        // every description of such a call).
        let info_trunk = call
            .trunk_media
            .as_ref()
            .is_some_and(|t| t.dtmf != DtmfMode::Rfc4733);
        if call.phase != Phase::Answered || info_trunk {
            return false;
        }
        let (Some(relay), Some(format)) = (call.relay, self.telephone_event(id, side.other()))
        else {
            return false;
        };
        self.actions.push_back(Action::SendDtmf {
            id: relay.id,
            to: side.other(),
            key,
            millis: info_duration(&info.body).unwrap_or(DEFAULT_PRESS_MS),
            format,
        });
        true
    }

    /// The telephone-event format the party on `side` agreed to, if any: the one at the
    /// clock rate of its first voice codec, else the first.
    fn telephone_event(&self, id: CallId, side: Side) -> Option<PayloadFormat> {
        let (ct, body) = self.last_sdp(id, side)?;
        let sdp = sdp_of(Some(&ct), &body).ok().flatten()?;
        let formats = sdp.media.get(sdp.audio()?.index)?.payload_formats();
        let is_event = |f: &&PayloadFormat| f.encoding.eq_ignore_ascii_case("telephone-event");
        let clock = formats.iter().find(|f| !is_event(f)).map(|f| f.clock_rate);
        formats
            .iter()
            .filter(is_event)
            .find(|f| Some(f.clock_rate) == clock)
            .or_else(|| formats.iter().find(is_event))
            .cloned()
    }

    /// Tells the party on `side` of a key pressed by the other one, by SIP INFO
    /// (`application/dtmf-relay`, the form phones and providers commonly read).
    fn send_info_key(&mut self, now: Instant, id: CallId, side: Side, key: char) {
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        if call.phase != Phase::Answered {
            return;
        }
        let Some(leg) = call.leg_mut(side) else {
            return;
        };
        let mut info = leg.request(Method::Info);
        info.headers.push("Content-Type", "application/dtmf-relay");
        info.body = format!("Signal={key}\r\nDuration={DEFAULT_PRESS_MS}\r\n").into_bytes();
        let peer = leg.peer;
        self.send_fire(now, info, peer);
    }

    /// A key pressed by the party on `side` of call `id`. Returns whether it completed a
    /// code (the call may have changed shape).
    pub(super) fn key_pressed(&mut self, now: Instant, id: CallId, side: Side, key: char) -> bool {
        let calls = &self.calls;
        self.features
            .collectors
            .retain(|(call, _), _| calls.contains_key(call));
        if self.consult_key(now, id, side, key) {
            return true;
        }
        // During an attended transfer by keys, only `*` (above) means something: other
        // codes would pull the calls apart under it.
        if self.in_consultation(id) {
            return false;
        }
        let Some(call) = self.calls.get(&id) else {
            return false;
        };
        if call.phase != Phase::Answered || call.b.is_none() {
            return false;
        }
        if party_extension(call, side).is_none() {
            return false;
        }
        let step = self
            .features
            .collectors
            .entry((id, side))
            .or_default()
            .push(now, key);
        match step {
            Step::Done(feature) => {
                self.run_feature(now, id, side, feature);
                true
            }
            Step::Collecting | Step::Ignored => false,
        }
    }

    /// A key carried by a SIP INFO inside call `id`, if the INFO carries one. Returns
    /// whether it completed a code (then the INFO is answered here, not passed on).
    pub(super) fn info_key(
        &mut self,
        now: Instant,
        id: CallId,
        side: Side,
        info: &Request,
    ) -> bool {
        match info_digit(info.content_type(), &info.body) {
            Some(key) => self.key_pressed(now, id, side, key),
            None => false,
        }
    }

    /// The earliest moment a code in progress times out or a parked call needs attention.
    pub(crate) fn feature_deadline(&self) -> Option<Instant> {
        let typing = self
            .features
            .collectors
            .values()
            .filter_map(DigitCollector::deadline)
            .min();
        [
            typing,
            self.features.park.deadline(),
            self.consult_deadline(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Completes the codes whose number stopped coming, and runs the park's timers.
    pub(crate) fn feature_timeout(&mut self, now: Instant) {
        let due: Vec<((CallId, Side), Feature)> = self
            .features
            .collectors
            .iter_mut()
            .filter_map(|(key, c)| Some((*key, c.timeout(now)?)))
            .collect();
        for ((id, side), feature) in due {
            let live = self
                .calls
                .get(&id)
                .is_some_and(|c| c.phase == Phase::Answered && c.b.is_some());
            if live {
                self.run_feature(now, id, side, feature);
            }
        }
        self.park_timeout(now);
        self.settle_consultations(now);
    }

    /// Requests that the in-call features take over: a parked party's offers, a parker's
    /// still hearing its slot, and those around an attended transfer by keys. Returns
    /// whether handled.
    pub(crate) fn feature_request(
        &mut self,
        now: Instant,
        id: CallId,
        side: Side,
        key: &ServerKey,
        request: &Request,
    ) -> bool {
        if side == Side::A && self.is_parked(id) && self.answer_alone(now, id, side, key, request) {
            return true;
        }
        self.consult_request(now, id, side, key, request)
            || self.parker_request(now, id, side, key, request)
    }

    fn run_feature(&mut self, now: Instant, id: CallId, side: Side, feature: Feature) {
        tracing::info!(call = id, ?feature, "feature code");
        match feature {
            Feature::BlindTransfer(number) if number == PARK => self.park(now, id, side),
            Feature::BlindTransfer(number) => {
                // As a REFER would, without its NOTIFYs: the phone knows nothing of it.
                let referral = Referral {
                    side,
                    subscribe: false,
                };
                self.blind_transfer(now, id, referral, &number);
            }
            Feature::Park => self.park(now, id, side),
            Feature::RecordToggle => {
                let Some(call_id) = self.calls.get(&id).map(|c| c.a.call_id.clone()) else {
                    return;
                };
                if self.stop_recording(now, &call_id).is_none() {
                    self.start_recording(now, &call_id);
                }
            }
            Feature::AttendedTransfer(number) => self.start_consultation(now, id, side, &number),
        }
    }
}

/// The key in a DTMF INFO body: `application/dtmf-relay` (`Signal=5`, some phones
/// writing `*` and `#` as 10 and 11) or `application/dtmf` (the key alone).
pub(crate) fn info_digit(content_type: Option<&str>, body: &[u8]) -> Option<char> {
    let content_type = content_type?.trim().to_ascii_lowercase();
    let text = std::str::from_utf8(body).ok()?;
    let value = if content_type.starts_with("application/dtmf-relay") {
        text.lines().find_map(|line| {
            let (name, value) = line.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("signal")
                .then(|| value.trim())
        })?
    } else if content_type.starts_with("application/dtmf") {
        text.trim()
    } else {
        return None;
    };
    match value {
        "10" => Some('*'),
        "11" => Some('#'),
        _ => {
            let mut chars = value.chars();
            let key = chars.next()?.to_ascii_uppercase();
            let valid = key.is_ascii_digit() || matches!(key, '*' | '#' | 'A'..='D');
            (chars.next().is_none() && valid).then_some(key)
        }
    }
}

/// The `Duration=` of a dtmf-relay body, in milliseconds.
fn info_duration(body: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(body).ok()?;
    text.lines().find_map(|line| {
        let (name, value) = line.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("duration") {
            return None;
        }
        value.trim().parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::{info_digit, info_duration};

    #[test]
    fn a_dtmf_relay_body_says_how_long_the_key_was_held() {
        assert_eq!(info_duration(b"Signal=5\r\nDuration=250\r\n"), Some(250));
        assert_eq!(info_duration(b"Signal=5\r\n"), None);
        assert_eq!(info_duration(b"Duration=-3"), None);
    }

    #[test]
    fn info_bodies_give_their_key() {
        let relay = Some("application/dtmf-relay");
        assert_eq!(
            info_digit(relay, b"Signal=5\r\nDuration=160\r\n"),
            Some('5')
        );
        assert_eq!(info_digit(relay, b"signal= #\r\n"), Some('#'));
        assert_eq!(info_digit(relay, b"Signal=10\r\n"), Some('*'));
        assert_eq!(info_digit(Some("application/dtmf"), b"7"), Some('7'));
        assert_eq!(info_digit(Some("application/dtmf"), b"*\r\n"), Some('*'));
    }

    #[test]
    fn other_bodies_give_nothing() {
        assert_eq!(info_digit(Some("application/sdp"), b"v=0"), None);
        assert_eq!(info_digit(None, b"Signal=5"), None);
        assert_eq!(
            info_digit(Some("application/dtmf-relay"), b"Duration=100"),
            None
        );
        assert_eq!(info_digit(Some("application/dtmf"), b"55"), None);
        assert_eq!(info_digit(Some("application/dtmf"), &[0xff, 0xfe]), None);
    }

    proptest::proptest! {
        #[test]
        fn any_body_never_panics(body in proptest::collection::vec(proptest::num::u8::ANY, 0..64)) {
            let _ = info_digit(Some("application/dtmf-relay"), &body);
            let _ = info_digit(Some("application/dtmf"), &body);
        }
    }
}
