//! One voicemail call's RTP: the greeting and a beep out every 20 ms, then the caller's
//! audio in, decoded and handed to the [`MessageWriter`] thread. The recording ends when
//! the caller presses `#`, after the silence limit, at the length limit, or when the core
//! says the call ended (BYE).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use media::codec::{alaw_decode, alaw_encode, ulaw_decode, ulaw_encode};
use media::dtmf_detect::DtmfDetector;
use media::player::{Clip, PromptPlayer};
use media::rtp::RtpPacket;
use pbx::VoicemailRecording;
use store::NewVoicemail;
use tokio::net::UdpSocket;
use tokio::sync::oneshot;

use super::writer::{MessageWriter, Saved};

/// G.711's rate: every voicemail is 8 kHz mono.
pub(crate) const RATE: u32 = 8000;
/// Samples per 20 ms packet.
const FRAME: usize = 160;
/// Mean absolute level (of 32767) above which a frame counts as someone speaking; room
/// noise and comfort noise from phones stay well below it.
const SPEECH_LEVEL: u32 = 300;

/// Everything one session needs.
pub(crate) struct Session {
    pub socket: UdpSocket,
    pub spec: VoicemailRecording,
    /// The greeting (the default prompt until owners record their own).
    pub greeting: Arc<Clip>,
    pub data_dir: std::path::PathBuf,
    pub dir: std::path::PathBuf,
    /// The message's file name inside `dir`.
    pub name: String,
    pub received_at: i64,
}

/// Why a recording ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EndedBy {
    /// The core closed the endpoint (the caller hung up).
    Closed,
    Hash,
    Silence,
    Limit,
}

impl Session {
    /// Runs until the message ends; returns why and what was saved.
    pub async fn run(self, mut stop: oneshot::Receiver<()>) -> (EndedBy, Saved) {
        let Session {
            socket,
            spec,
            greeting,
            data_dir,
            dir,
            name,
            received_at,
        } = self;
        let alaw = spec.format.encoding.eq_ignore_ascii_case("PCMA");
        let mut player = PromptPlayer::new(RATE);
        player.enqueue(greeting.as_ref().clone());
        player.enqueue_silence(200);
        player.enqueue(Clip::beep(RATE));
        let mut peer: SocketAddr = spec.peer;
        let mut frame = vec![0i16; FRAME];
        let mut out = Vec::with_capacity(12 + FRAME);
        let mut payload = Vec::with_capacity(FRAME);
        let mut buf = vec![0u8; 2048];
        let mut srtp = crate::relay::srtp::EndpointSrtp::new(spec.srtp.as_ref());
        let ssrc: u32 = rand::random();
        let mut seq: u16 = rand::random();
        let mut ts: u32 = rand::random();
        let mut tick = tokio::time::interval(Duration::from_millis(20));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        let mut writer: Option<MessageWriter> = None;
        let mut dtmf = DtmfDetector::new(RATE);
        let mut recorded = Duration::ZERO;
        let mut quiet = Duration::ZERO;
        let ended = loop {
            tokio::select! {
                _ = &mut stop => break EndedBy::Closed,
                _ = tick.tick() => {
                    if writer.is_none() {
                        if player.is_finished() {
                            writer = Some(MessageWriter::start(
                                data_dir.clone(), dir.clone(), name.clone(), RATE));
                            continue;
                        }
                        frame.iter_mut().for_each(|s| *s = 0);
                        player.next_frame(&mut frame);
                        payload.clear();
                        if alaw {
                            payload.extend(frame.iter().map(|s| alaw_encode(*s)));
                        } else {
                            payload.extend(frame.iter().map(|s| ulaw_encode(*s)));
                        }
                        out.clear();
                        RtpPacket::new(spec.format.payload_type, seq, ts, ssrc, &payload)
                            .write(&mut out);
                        seq = seq.wrapping_add(1);
                        ts = ts.wrapping_add(FRAME as u32);
                        if let Some(sealed) = srtp.seal(&out) {
                            let _ = socket.send_to(sealed, peer).await;
                        }
                    } else {
                        recorded += Duration::from_millis(20);
                        quiet += Duration::from_millis(20);
                        if recorded >= spec.max_duration {
                            break EndedBy::Limit;
                        }
                        if quiet >= spec.silence {
                            break EndedBy::Silence;
                        }
                    }
                }
                received = socket.recv_from(&mut buf) => {
                    let Ok((len, from)) = received else { continue };
                    let Some(datagram) = buf.get(..len) else { continue };
                    let Some(datagram) = srtp.open(datagram) else { continue };
                    let Ok(packet) = RtpPacket::parse(datagram) else { continue };
                    // Symmetric RTP: answer where the caller's audio comes from (NAT).
                    peer = from;
                    let Some(w) = writer.as_mut() else { continue };
                    if spec.dtmf.as_ref().is_some_and(|d| d.payload_type == packet.payload_type) {
                        dtmf.on_telephone_event(packet.timestamp, packet.payload);
                    } else if packet.payload_type == spec.format.payload_type {
                        let pcm: Vec<i16> = if alaw {
                            packet.payload.iter().map(|c| alaw_decode(*c)).collect()
                        } else {
                            packet.payload.iter().map(|c| ulaw_decode(*c)).collect()
                        };
                        dtmf.on_audio(&pcm);
                        if level(&pcm) >= SPEECH_LEVEL {
                            quiet = Duration::ZERO;
                        }
                        w.push(pcm);
                    }
                    if std::iter::from_fn(|| dtmf.poll_digit()).any(|d| d == '#') {
                        break EndedBy::Hash;
                    }
                }
            }
        };
        let saved = match writer {
            None => Saved::Discarded,
            Some(w) => {
                if w.dropped > 0 {
                    tracing::warn!(
                        dropped = w.dropped,
                        "voicemail frames dropped: disk too slow"
                    );
                }
                let meta = NewVoicemail {
                    mailbox: spec.mailbox.clone(),
                    caller_number: spec.caller_number.clone(),
                    caller_name: spec.caller_name.clone(),
                    business_name: spec.business_name.clone(),
                    received_at,
                    duration_ms: 0,
                    file: name.clone(),
                };
                tokio::task::spawn_blocking(move || w.finish(meta))
                    .await
                    .unwrap_or_else(|e| Saved::Failed(e.to_string()))
            }
        };
        (ended, saved)
    }
}

/// Mean absolute sample value of a frame.
fn level(pcm: &[i16]) -> u32 {
    if pcm.is_empty() {
        return 0;
    }
    let sum: u64 = pcm.iter().map(|s| u64::from(s.unsigned_abs())).sum();
    u32::try_from(sum / pcm.len() as u64).unwrap_or(u32::MAX)
}
