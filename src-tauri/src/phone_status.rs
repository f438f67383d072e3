//! The app's own phone as the tray shows it: registered or not, do-not-disturb and missed
//! calls, read from `get_phone` (fields the API does not have yet are simply not shown).

use serde_json::Value;

/// What the tray needs from `get_phone`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PhoneStatus {
    /// `None`: no account set up.
    pub user: Option<String>,
    pub registration: Registration,
    pub reason: Option<String>,
    /// `None` when the API does not report do-not-disturb.
    pub dnd: Option<bool>,
    /// `None` when the API does not report missed calls.
    pub missed: Option<u64>,
    /// Calls ringing in now.
    pub ringing: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Registration {
    #[default]
    Off,
    Registering,
    Registered,
    Failed,
}

/// Which variant of the tray icon: the colour of its dot says the phone's state at a glance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Badge {
    /// No dot: no phone account, or the phone is off.
    None,
    Ok,
    Attention,
    Failing,
}

impl PhoneStatus {
    /// Reads `get_phone`'s answer; anything missing or unexpected reads as "off".
    pub fn from_json(v: &Value) -> PhoneStatus {
        let user = v
            .pointer("/account/user")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let registration = match v.pointer("/registration/state").and_then(Value::as_str) {
            Some("registered") => Registration::Registered,
            Some("registering") => Registration::Registering,
            Some("failed") => Registration::Failed,
            _ => Registration::Off,
        };
        let reason = v
            .pointer("/registration/reason")
            .and_then(Value::as_str)
            .map(str::to_owned);
        let dnd = v.get("dnd").and_then(Value::as_bool);
        let missed = v.get("missed").and_then(Value::as_u64);
        let ringing = v.get("calls").and_then(Value::as_array).map_or(0, |calls| {
            calls
                .iter()
                .filter(|c| {
                    c.get("direction").and_then(Value::as_str) == Some("in")
                        && c.get("state").and_then(Value::as_str) == Some("ringing")
                })
                .count()
        });
        PhoneStatus {
            user,
            registration,
            reason,
            dnd,
            missed,
            ringing,
        }
    }

    /// The tray menu's phone line, in words.
    pub fn line(&self) -> String {
        let Some(user) = &self.user else {
            return "Phone: not set up".to_owned();
        };
        let mut line = match self.registration {
            Registration::Registered => format!("Phone {user}: ready for calls"),
            Registration::Registering => format!("Phone {user}: connecting…"),
            Registration::Failed => match &self.reason {
                Some(reason) => format!("Phone {user}: not registered ({reason})"),
                None => format!("Phone {user}: not registered"),
            },
            Registration::Off => format!("Phone {user}: off"),
        };
        if self.dnd == Some(true) {
            line.push_str(" · do not disturb");
        }
        line
    }

    /// The missed-call line, when there are some to report.
    pub fn missed_line(&self) -> Option<String> {
        match self.missed? {
            0 => None,
            1 => Some("1 missed call".to_owned()),
            n => Some(format!("{n} missed calls")),
        }
    }

    /// The tooltip: the app's name and the short version of its state.
    pub fn tooltip(&self, pbx_line: Option<&str>) -> String {
        let mut parts = vec!["Switchboard".to_owned()];
        if let Some(pbx) = pbx_line {
            parts.push(pbx.to_owned());
        }
        parts.push(self.line());
        if self.ringing > 0 {
            parts.push("a call is ringing".to_owned());
        }
        if let Some(missed) = self.missed_line() {
            parts.push(missed);
        }
        parts.join(" — ")
    }

    pub fn badge(&self) -> Badge {
        if self.user.is_none() {
            return Badge::None;
        }
        match self.registration {
            Registration::Failed => Badge::Failing,
            Registration::Registering => Badge::Attention,
            Registration::Registered if self.dnd == Some(true) => Badge::Attention,
            Registration::Registered if self.missed.unwrap_or(0) > 0 => Badge::Attention,
            Registration::Registered => Badge::Ok,
            Registration::Off => Badge::None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn status(v: Value) -> PhoneStatus {
        PhoneStatus::from_json(&v)
    }

    #[test]
    fn no_account_says_not_set_up_and_shows_no_dot() {
        let s = status(
            json!({"account": null, "registration": {"state": "off", "reason": null}, "calls": []}),
        );
        assert_eq!(s.line(), "Phone: not set up");
        assert_eq!(s.badge(), Badge::None);
        assert_eq!(s.missed_line(), None);
    }

    #[test]
    fn registration_in_words_and_colour() {
        let reg = |state: &str, reason: Value| {
            status(
                json!({"account": {"user": "201"}, "registration": {"state": state, "reason": reason}, "calls": []}),
            )
        };
        assert_eq!(
            reg("registered", Value::Null).line(),
            "Phone 201: ready for calls"
        );
        assert_eq!(reg("registered", Value::Null).badge(), Badge::Ok);
        assert_eq!(reg("registering", Value::Null).badge(), Badge::Attention);
        let failed = reg("failed", json!("wrong password"));
        assert_eq!(failed.line(), "Phone 201: not registered (wrong password)");
        assert_eq!(failed.badge(), Badge::Failing);
    }

    #[test]
    fn dnd_and_missed_calls_show_when_the_api_reports_them() {
        let s = status(json!({
            "account": {"user": "201"},
            "registration": {"state": "registered", "reason": null},
            "dnd": true, "missed": 2,
            "calls": [{"direction": "in", "state": "ringing"}, {"direction": "out", "state": "ringing"}]
        }));
        assert_eq!(s.line(), "Phone 201: ready for calls · do not disturb");
        assert_eq!(s.missed_line().as_deref(), Some("2 missed calls"));
        assert_eq!(s.badge(), Badge::Attention);
        assert_eq!(
            s.tooltip(Some("1 phone registered")),
            "Switchboard — 1 phone registered — Phone 201: ready for calls · do not disturb — a call is ringing — 2 missed calls"
        );
    }
}
