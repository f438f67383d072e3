//! Business hours: whether a schedule is open at a given moment, in its own time zone.
//!
//! Periods and holidays are local wall-clock times, so the question is always asked in the
//! schedule's zone: "09:00" means nine on the office's clock in winter and in summer, and a
//! day that loses or gains an hour (DST) is handled by the zone rules, not by arithmetic on
//! UTC offsets.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

use super::{DialPlanError, Schedule};

/// Minutes since local midnight of `HH:MM` (or `H:MM`); `24:00` is accepted as the end of
/// the day so a period can close at midnight.
pub(crate) fn parse_hhmm(s: &str) -> Result<u16, DialPlanError> {
    let bad = || DialPlanError::BadTime(s.to_string());
    let (h, m) = s.trim().split_once(':').ok_or_else(bad)?;
    let digits = |t: &str, max_len: usize| {
        !t.is_empty() && t.len() <= max_len && t.bytes().all(|b| b.is_ascii_digit())
    };
    if !digits(h, 2) || !digits(m, 2) || m.len() != 2 {
        return Err(bad());
    }
    let h: u16 = h.parse().map_err(|_| bad())?;
    let m: u16 = m.parse().map_err(|_| bad())?;
    match (h, m) {
        (24, 0) => Ok(24 * 60),
        (0..=23, 0..=59) => Ok(h * 60 + m),
        _ => Err(bad()),
    }
}

/// A holiday's `YYYY-MM-DD`.
pub(crate) fn parse_date(s: &str) -> Result<Date, DialPlanError> {
    let t = s.trim();
    let shape_ok = t.len() == 10
        && t.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !shape_ok {
        return Err(DialPlanError::BadDate(s.to_string()));
    }
    t.parse::<Date>()
        .map_err(|_| DialPlanError::BadDate(s.to_string()))
}

/// The zone of an IANA name; `Europe/London`, `UTC`.
pub(crate) fn time_zone(name: &str) -> Result<TimeZone, DialPlanError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(DialPlanError::BadTimeZone(name.to_string()));
    }
    TimeZone::get(name).map_err(|_| DialPlanError::BadTimeZone(name.to_string()))
}

impl Schedule {
    /// Whether the schedule is open at `unix_secs` (seconds since the Unix epoch): closed on
    /// a holiday (the local date), else open when the local time falls in a period of the
    /// local weekday (`open` inclusive, `close` exclusive). Errors name the first malformed
    /// value; a validated schedule has none.
    pub fn is_open(&self, unix_secs: i64) -> Result<bool, DialPlanError> {
        let tz = time_zone(&self.time_zone)?;
        let now = Timestamp::from_second(unix_secs)
            .map_err(|_| DialPlanError::BadInstant(unix_secs))?
            .to_zoned_datetime(tz);
        let today = now.date();
        for holiday in &self.holidays {
            if parse_date(&holiday.date)? == today {
                return Ok(false);
            }
        }
        let weekday = now.weekday().to_monday_one_offset();
        let minute = u16::try_from(i32::from(now.hour()) * 60 + i32::from(now.minute()))
            .map_err(|_| DialPlanError::BadInstant(unix_secs))?;
        for period in &self.periods {
            let open = parse_hhmm(&period.open)?;
            let close = parse_hhmm(&period.close)?;
            if i8::try_from(period.day).is_ok_and(|d| d == weekday)
                && open <= minute
                && minute < close
            {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_day_are_minutes_since_midnight() {
        assert_eq!(parse_hhmm("00:00"), Ok(0));
        assert_eq!(parse_hhmm("9:05"), Ok(545));
        assert_eq!(parse_hhmm(" 17:30 "), Ok(1050));
        assert_eq!(parse_hhmm("23:59"), Ok(1439));
        assert_eq!(parse_hhmm("24:00"), Ok(1440));
        for bad in [
            "",
            "9",
            "09:5",
            "24:01",
            "25:00",
            "09:60",
            "-1:00",
            "+9:00",
            "009:00",
            "09:00:00",
            "٠٩:٠٠",
        ] {
            assert!(parse_hhmm(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn dates_are_strict_iso_calendar_days() {
        assert!(parse_date("2026-12-25").is_ok());
        assert!(parse_date("2028-02-29").is_ok());
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-1-01",
            "26-12-25",
            "2026/12/25",
            "+002026-12-25",
            "",
        ] {
            assert!(parse_date(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn zones_are_iana_names() {
        assert!(time_zone("Europe/London").is_ok());
        assert!(time_zone("UTC").is_ok());
        for bad in ["", "  ", "Europe/Londres", "GMT+25", "../../etc/passwd"] {
            assert!(time_zone(bad).is_err(), "{bad:?}");
        }
    }
}
