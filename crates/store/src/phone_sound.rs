//! The softphone's sound settings: the microphone's voice processing switches and where
//! incoming calls ring. Kept so the phone sounds the same after a restart as before it
//! (a headset whose own echo cancelling fights ours stays with ours off).

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

/// See the module docs. Every switch is on until turned off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneSound {
    pub echo_cancellation: bool,
    pub noise_suppression: bool,
    pub auto_gain: bool,
    pub ring: RingOn,
}

impl Default for PhoneSound {
    fn default() -> Self {
        PhoneSound {
            echo_cancellation: true,
            noise_suppression: true,
            auto_gain: true,
            ring: RingOn::Speaker,
        }
    }
}

impl Store {
    /// The saved sound settings (the defaults when never saved).
    pub fn phone_sound(&self) -> Result<PhoneSound> {
        let row = self
            .conn
            .query_row(
                "SELECT echo_cancellation, noise_suppression, auto_gain, ring, ring_device
                 FROM phone_sound WHERE id = 1",
                [],
                |r| {
                    Ok((
                        r.get::<_, bool>(0)?,
                        r.get::<_, bool>(1)?,
                        r.get::<_, bool>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, Option<String>>(4)?,
                    ))
                },
            )
            .optional()?;
        let Some((echo_cancellation, noise_suppression, auto_gain, ring, device)) = row else {
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
             (id, echo_cancellation, noise_suppression, auto_gain, ring, ring_device)
             VALUES (1, ?1, ?2, ?3, ?4, ?5)",
            params![
                sound.echo_cancellation,
                sound.noise_suppression,
                sound.auto_gain,
                ring,
                device
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
        assert_eq!(store.phone_sound().expect("read").ring, RingOn::Silent);
    }
}
