//! Asking the sound system for a device it does not have is an error value that names
//! the device, never a panic, whatever devices this machine has.

use phone::audio::{AudioBackend, AudioError, CpalBackend};

#[test]
fn opening_an_unknown_device_or_rate_is_an_error_that_says_what_is_missing() {
    let backend = CpalBackend::new();
    let name = "Switchboard test headset that is not plugged in";
    assert_eq!(
        backend.open_capture(Some(name), 16_000).err(),
        Some(AudioError::DeviceNotFound(name.to_string()))
    );
    assert_eq!(
        backend.open_playback(Some(name), 8_000).err(),
        Some(AudioError::DeviceNotFound(name.to_string()))
    );
    assert_eq!(
        backend.open_playback(None, 11_025).err(),
        Some(AudioError::UnsupportedCallRate(11_025))
    );
    assert_eq!(AudioError::NoDevice.to_string(), "no audio device");
}
