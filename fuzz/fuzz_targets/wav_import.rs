//! An uploaded greeting or music-on-hold file: importing it must refuse bad files with
//! an error, never take the PBX down.
//!
//! `import_audio` contains a decoder panic on purpose (a crafted file must not stop the
//! PBX), so this target turns off libfuzzer's abort-on-any-panic hook: a panic the import
//! catches is the designed behaviour, one that escapes it still aborts and is reported.
#![no_main]

use std::sync::Once;

use libfuzzer_sys::fuzz_target;
use media::audio_import::{import_audio, ImportOptions};

static QUIET_PANICS: Once = Once::new();

fuzz_target!(|data: &[u8]| {
    QUIET_PANICS.call_once(|| std::panic::set_hook(Box::new(|_| {})));
    let options = ImportOptions {
        sample_rate: 8_000,
        max_seconds: 5,
    };
    if let Ok(clip) = import_audio(data, Some("wav"), options) {
        assert_eq!(clip.sample_rate(), 8_000);
    }
});
