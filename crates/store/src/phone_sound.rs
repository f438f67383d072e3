//! The softphone's sound settings: the microphone's voice processing switches, where
//! incoming calls ring, and whether calls encrypt their audio. Kept so the phone sounds
//! the same after a restart as before it (a headset whose own echo cancelling fights ours
//! stays with ours off). They live apart from the account, so saving the account again
//! leaves them as they are.

use rusqlite::{params, OptionalExtension};

use crate::{Result, Store};

/// Where an incoming call rings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum RingOn {
    /// The phone's speaker (the chosen output, else the system's default).
    #[default]
    Speaker,
    /// Another output by name (say the PC's loudspeakers while talking on a headset).
    Device(String),
    /// Nowhere: the call only shows on the screen.
    Silent,
}

/// Whether the softphone's calls encrypt their audio (SRTP with keys in the SDP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PhoneSrtp {
    /// When the account signals over TLS (keys never travel over plain UDP or TCP).
    #[default]
    Auto,
    /// Never: plain RTP, even over TLS.
    Off,
    /// Always (needs TLS): calls that would be plain are refused.
    Required,
}

impl PhoneSrtp {
    /// The stored (and API) name: `auto`, `off` or `required`.
    pub fn as_str(self) -> &'static str {
        match self {
            PhoneSrtp::Auto => "auto",
            PhoneSrtp::Off => "off",
            PhoneSrtp::Required => "required",
        }
    }

    /// The setting named `name`; `None` for any other name.
    pub fn parse(name: &str) -> Option<PhoneSrtp> {
        match name {
            "auto" => Some(PhoneSrtp::Auto),
            "off" => Some(PhoneSrtp::Off),
            "required" => Some(PhoneSrtp::Required),
            _ => None,
        }
    }
}

/// See the module docs. Every switch is on until turned off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneSound {
    pub echo_cancellation: bool,
    pub noise_suppression: bool,
    pub auto_gain: bool,
    pub ring: RingOn,
    /// Whether calls encrypt their audio.
    pub srtp: PhoneSrtp,
}

impl Default for PhoneSound {
    fn default() -> Self {
        PhoneSound {
            echo_cancellation: true,
            noise_suppression: true,
            auto_gain: true,
            ring: RingOn::Speaker,
            srtp: PhoneSrtp::Auto,
        }
    }
}

impl Store {
    /// The saved sound settings (the defaults when never saved).
    pub fn phone_sound(&self) -> Result<PhoneSound> {
        let row = self
            .conn
            .query_row(
                "SELECT echo_cancellation, noise_suppression, auto_gain, ring, ring_device, srtp
                 FROM phone_sound WHERE id = 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, bool>(0)?,
                        r.get::<_, bool>(1)?,
                        r.get::<_, bool>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, String>(5)?,
                    ))
                },
            )
            .optional()?;
        let Some((echo_cancellation, noise_suppression, auto_gain, ring, device, srtp)) = row
        else {
            return Ok(PhoneSound::default());
        };
        let ring = match (ring.as_str(), device) {
            ("device", Some(name)) => RingOn::Device(name),
            ("none", _) => RingOn::Silent,
            _ => RingOn::Speaker,
        };
        Ok(PhoneSound {
            echo_cancellation,
            noise_suppression,
            auto_gain,
            ring,
            srtp: PhoneSrtp::parse(&srtp).unwrap_or_default(),
        })
    }

    /// Replaces the sound settings.
    pub fn save_phone_sound(&self, sound: &PhoneSound) -> Result<()> {
        let (ring, device) = match &sound.ring {
            RingOn::Speaker => ("speaker", None),
            RingOn::Device(name) => ("device", Some(name.as_str())),
            RingOn::Silent => ("none", None),
        };
        self.conn.execute(
            "INSERT OR REPLACE INTO phone_sound
             (id, echo_cancellation, noise_suppression, auto_gain, ring, ring_device, srtp)
             VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                sound.echo_cancellation,
                sound.noise_suppression,
                sound.auto_gain,
                ring,
                device,
                sound.srtp.as_str()
            ],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sound_settings_start_on_and_are_kept_after_a_reopen() {
        let dir = tempfile::tempdir().expect("dir");
        let store = Store::open(dir.path()).expect("open");
        assert_eq!(store.phone_sound().expect("read"), PhoneSound::default());
        assert!(store.phone_sound().expect("read").echo_cancellation);

        let sound = PhoneSound {
            echo_cancellation: false,
            noise_suppression: true,
            auto_gain: false,
            ring: RingOn::Device("Loudspeakers".into()),
            srtp: PhoneSrtp::Required,
        };
        store.save_phone_sound(&sound).expect("save");
        drop(store);
        let store = Store::open(dir.path()).expect("reopen");
        assert_eq!(store.phone_sound().expect("read"), sound);

        let silent = PhoneSound {
            ring: RingOn::Silent,
            ..sound
        };
        store.save_phone_sound(&silent).expect("save again");
        let read = store.phone_sound().expect("read");
        assert_eq!(read.ring, RingOn::Silent);
        assert_eq!(
            read.srtp,
            PhoneSrtp::Required,
            "kept with the other settings"
        );
        assert_eq!(PhoneSrtp::parse("sometimes"), None);
    }
}
