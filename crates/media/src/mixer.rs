//! Conference mixing: every participant hears the sum of everyone else, never itself.
//!
//! The mixer works on fixed frames of linear PCM at one sample rate; the caller decodes
//! each participant's packets (after its jitter buffer and any resampling), pushes one
//! frame per participant per tick, calls [`Mixer::mix`], and encodes each participant's
//! [`Mixer::output`]. Nothing is allocated per tick: every participant owns its input and
//! output buffers from the moment it joins. Participants with other codecs or rates are
//! resampled to the room's rate by the caller. A prompt player (join and leave tones,
//! announcements) joins like anyone else and simply ignores its output.
//!
//! Sums of many loud talkers exceed 16 bits. Clamping them would square off the waveform
//! (harsh distortion) and a plain cast would wrap around (loud clicks), so each output runs
//! through its own limiter: a gain that drops at once when a frame would exceed
//! [`LIMIT`] and recovers slowly, followed by a soft knee that bends any remaining peak
//! towards full scale without ever reaching it.

/// Identifies a participant for as long as it is in the room. Ids are never reused, so a
/// stale id held after [`Mixer::leave`] cannot address someone who joined later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ParticipantId(u64);

/// Largest magnitude an output sample takes after the limiter's gain; peaks above it
/// are bent by the soft knee. About -1 dBFS, leaving G.711 its top segment.
pub const LIMIT: i32 = 29_000;

/// Full scale of 16-bit audio; the soft knee approaches it but never gets there.
const FULL_SCALE: f32 = 32_767.0;

/// How long the limiter's gain takes to recover most of the way to unity after a loud
/// passage. Long enough not to pump on every syllable, short enough that a quiet talker
/// after a loud one is not left attenuated.
const RELEASE_MS: f32 = 150.0;

/// Gain changes downwards are spread over this long, so a sudden cut does not click.
const ATTACK_MS: u32 = 1;

/// One person (or prompt player) in the room.
#[derive(Debug, Clone)]
struct Participant {
    id: ParticipantId,
    /// A muted participant still hears the room but adds nothing to it.
    muted: bool,
    /// Whether `input` holds a frame pushed since the last mix; a participant whose packet
    /// did not arrive in time contributes silence rather than its previous frame.
    has_input: bool,
    input: Vec<i16>,
    output: Vec<i16>,
    /// The limiter's gain at the end of the last frame, 0 < gain <= 1.
    gain: f32,
}

/// A conference bridge for any number of participants at one sample rate.
#[derive(Debug, Clone)]
pub struct Mixer {
    frame_len: usize,
    participants: Vec<Participant>,
    /// The sum of every contributing participant, wide enough never to overflow.
    total: Vec<i32>,
    /// The sum heard by one participant before limiting (total minus its own input).
    scratch: Vec<i32>,
    next_id: u64,
    /// Per-frame step of the gain back towards unity, as a fraction of the distance left.
    release: f32,
    /// Samples over which a falling gain ramps down.
    attack_len: usize,
}

impl Mixer {
    /// A mixer for frames of `frame_len` samples at `sample_rate` Hz (e.g. 160 at 8000 Hz
    /// for 20 ms). Zero values are raised to one so the mixer is always usable.
    pub fn new(sample_rate: u32, frame_len: usize) -> Self {
        let sample_rate = sample_rate.max(1);
        let frame_len = frame_len.max(1);
        let frame_ms = frame_len as f32 * 1000.0 / sample_rate as f32;
        let attack_len = (sample_rate * ATTACK_MS / 1000).max(1) as usize;
        Mixer {
            frame_len,
            participants: Vec::new(),
            total: vec![0; frame_len],
            scratch: vec![0; frame_len],
            next_id: 0,
            release: 1.0 - (-frame_ms / RELEASE_MS).exp(),
            attack_len: attack_len.min(frame_len),
        }
    }

    /// Samples per frame, as given to [`Mixer::new`].
    pub fn frame_len(&self) -> usize {
        self.frame_len
    }

    /// Adds a participant, unmuted, contributing silence until its first push. It hears
    /// the room from the next mix on.
    pub fn join(&mut self) -> ParticipantId {
        let id = ParticipantId(self.next_id);
        self.next_id += 1;
        self.participants.push(Participant {
            id,
            muted: false,
            has_input: false,
            input: vec![0; self.frame_len],
            output: vec![0; self.frame_len],
            gain: 1.0,
        });
        id
    }

    /// Removes a participant; the others stop hearing it from the next mix on. Returns
    /// false if it was not in the room.
    pub fn leave(&mut self, id: ParticipantId) -> bool {
        match self.participants.iter().position(|p| p.id == id) {
            Some(index) => {
                self.participants.swap_remove(index);
                true
            }
            None => false,
        }
    }

    /// Mutes or unmutes a participant; returns false if it is not in the room.
    pub fn set_muted(&mut self, id: ParticipantId, muted: bool) -> bool {
        self.find_mut(id).map(|p| p.muted = muted).is_some()
    }

    /// Whether a participant is muted; `None` if it is not in the room.
    pub fn is_muted(&self, id: ParticipantId) -> Option<bool> {
        self.find(id).map(|p| p.muted)
    }

    /// Participants in the room, in no particular order.
    pub fn participants(&self) -> impl Iterator<Item = ParticipantId> + '_ {
        self.participants.iter().map(|p| p.id)
    }

    pub fn len(&self) -> usize {
        self.participants.len()
    }

    pub fn is_empty(&self) -> bool {
        self.participants.is_empty()
    }

    /// Gives a participant's frame for the next mix. A shorter frame is padded with
    /// silence and a longer one cut to the frame length; pushing twice before a mix keeps
    /// the later frame. Returns false if the participant is not in the room.
    pub fn push(&mut self, id: ParticipantId, pcm: &[i16]) -> bool {
        let Some(p) = self.find_mut(id) else {
            return false;
        };
        let n = pcm.len().min(p.input.len());
        let (head, tail) = p.input.split_at_mut(n);
        head.copy_from_slice(pcm.get(..n).unwrap_or_default());
        tail.fill(0);
        p.has_input = true;
        true
    }

    /// Mixes the pushed frames into every participant's output and clears the inputs.
    pub fn mix(&mut self) {
        self.total.fill(0);
        for p in self.participants.iter().filter(|p| p.has_input && !p.muted) {
            for (sum, sample) in self.total.iter_mut().zip(&p.input) {
                *sum += i32::from(*sample);
            }
        }
        for p in &mut self.participants {
            // Each hears the room minus itself: subtracting its own input from the total
            // costs one pass instead of re-summing everyone else.
            let own = p.has_input && !p.muted;
            if own {
                for ((heard, total), sample) in
                    self.scratch.iter_mut().zip(&self.total).zip(&p.input)
                {
                    *heard = total - i32::from(*sample);
                }
            } else {
                self.scratch.copy_from_slice(&self.total);
            }
            p.gain = limit(
                &self.scratch,
                &mut p.output,
                p.gain,
                self.release,
                self.attack_len,
            );
            p.has_input = false;
        }
    }

    /// What a participant hears from the last mix (silence before the first); `None` if
    /// it is not in the room.
    pub fn output(&self, id: ParticipantId) -> Option<&[i16]> {
        self.find(id).map(|p| p.output.as_slice())
    }

    fn find(&self, id: ParticipantId) -> Option<&Participant> {
        self.participants.iter().find(|p| p.id == id)
    }

    fn find_mut(&mut self, id: ParticipantId) -> Option<&mut Participant> {
        self.participants.iter_mut().find(|p| p.id == id)
    }
}

/// Scales `input` into `output` so that no sample exceeds 16 bits, and returns the gain
/// to start the next frame with.
fn limit(input: &[i32], output: &mut [i16], gain: f32, release: f32, attack_len: usize) -> f32 {
    let peak = input.iter().map(|s| s.unsigned_abs()).max().unwrap_or(0);
    // The gain this frame needs so its peak lands on LIMIT, and the gain the slow
    // recovery allows; the lower of the two wins.
    let needed = if peak > LIMIT as u32 {
        LIMIT as f32 / peak as f32
    } else {
        1.0
    };
    let recovered = gain + (1.0 - gain) * release;
    let target = needed.min(recovered);

    if target >= 1.0 && gain >= 1.0 {
        // The common case: quiet enough, nothing to do but narrow the samples.
        for (out, s) in output.iter_mut().zip(input) {
            *out = *s as i16;
        }
        return 1.0;
    }
    // Falling gain ramps over the attack time; rising gain over the whole frame.
    let ramp = if target < gain {
        attack_len
    } else {
        input.len()
    }
    .max(1);
    let step = (target - gain) / ramp as f32;
    for (i, (out, s)) in output.iter_mut().zip(input).enumerate() {
        let g = if i < ramp {
            gain + step * (i + 1) as f32
        } else {
            target
        };
        *out = soft_knee(*s as f32 * g);
    }
    target
}

/// Passes samples up to [`LIMIT`] unchanged and compresses anything above it along a
/// curve that starts with slope one and approaches full scale asymptotically.
fn soft_knee(x: f32) -> i16 {
    let knee = LIMIT as f32;
    let magnitude = x.abs();
    if magnitude <= knee {
        return x as i16;
    }
    let headroom = FULL_SCALE - knee;
    let over = magnitude - knee;
    let bent = knee + headroom * over / (over + headroom);
    // `as` saturates for floats, and `bent` < FULL_SCALE anyway.
    (bent.copysign(x)) as i16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn soft_knee_is_continuous_and_bounded() {
        assert_eq!(soft_knee(LIMIT as f32), LIMIT as i16);
        assert_eq!(soft_knee(-(LIMIT as f32)), -(LIMIT as i16));
        assert!(soft_knee(LIMIT as f32 + 10.0) > LIMIT as i16);
        assert!(soft_knee(1.0e9) < i16::MAX);
        assert!(soft_knee(-1.0e9) > i16::MIN);
        assert!(soft_knee(f32::NAN) == 0);
    }

    #[test]
    fn recovered_gain_rises_towards_unity() {
        let mut out = [0i16; 160];
        let g = limit(&[0; 160], &mut out, 0.5, 0.125, 8);
        assert!(g > 0.5 && g < 1.0, "{g}");
    }
}
