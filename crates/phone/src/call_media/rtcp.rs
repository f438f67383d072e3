//! A call's RTCP (RFC 3550 §6): the session lives in `media::rtp` (the PBX's relay runs
//! the same one on legs it transcodes); the call media drives it (see `quality`).

pub use media::rtp::{CallQuality, RtcpSession, MAX_LOSS_HINT};
