//! The PC's sound system through cpal (ALSA on Linux, WASAPI on Windows, CoreAudio on
//! macOS).

use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::sync::Arc;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{Device, SampleFormat, Stream, StreamConfig};

use super::ring::{CaptureFeed, PlaybackFeed, Stats};
use super::stream::{capture_ring, check_call_rate, playback_ring, DeviceGuard};
use super::{AudioBackend, AudioError, Capture, DeviceInfo, Playback};

/// The default host's devices.
///
/// The host is looked up on each call rather than kept: device lists change as headsets
/// come and go, and a host handle may not be shareable between threads on every system.
#[derive(Debug, Clone, Copy, Default)]
pub struct CpalBackend;

impl CpalBackend {
    pub fn new() -> Self {
        CpalBackend
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Direction {
    Input,
    Output,
}

fn backend(e: impl std::fmt::Display) -> AudioError {
    AudioError::Backend(e.to_string())
}

fn list(direction: Direction) -> Result<Vec<DeviceInfo>, AudioError> {
    let host = cpal::default_host();
    let (default, devices): (Option<Device>, Vec<Device>) = match direction {
        Direction::Input => (
            host.default_input_device(),
            host.input_devices().map_err(backend)?.collect(),
        ),
        Direction::Output => (
            host.default_output_device(),
            host.output_devices().map_err(backend)?.collect(),
        ),
    };
    let default_name = default.and_then(|d| d.name().ok());
    Ok(devices
        .iter()
        .filter_map(|d| d.name().ok())
        .map(|name| DeviceInfo {
            is_default: default_name.as_deref() == Some(name.as_str()),
            name,
        })
        .collect())
}

fn find(direction: Direction, name: Option<&str>) -> Result<Device, AudioError> {
    let host = cpal::default_host();
    let Some(name) = name else {
        let default = match direction {
            Direction::Input => host.default_input_device(),
            Direction::Output => host.default_output_device(),
        };
        return default.ok_or(AudioError::NoDevice);
    };
    let mut devices = match direction {
        Direction::Input => host.input_devices().map_err(backend)?,
        Direction::Output => host.output_devices().map_err(backend)?,
    };
    devices
        .find(|d| d.name().ok().as_deref() == Some(name))
        .ok_or_else(|| AudioError::DeviceNotFound(name.to_string()))
}

/// Opens the device on a thread that owns its stream until the returned guard is
/// dropped; `build` makes the stream and the call's end of its ring.
fn run_stream<T, B>(
    direction: Direction,
    name: Option<&str>,
    build: B,
) -> Result<(T, DeviceGuard), AudioError>
where
    T: Send + 'static,
    B: FnOnce(&Device) -> Result<(Stream, T), AudioError> + Send + 'static,
{
    let name = name.map(str::to_string);
    let (ready_tx, ready_rx) = mpsc::channel();
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("audio-device".to_string())
        .spawn(move || {
            let opened = find(direction, name.as_deref()).and_then(|device| build(&device));
            match opened {
                Ok((stream, end)) => {
                    if let Err(e) = stream.play() {
                        let _ = ready_tx.send(Err(backend(e)));
                        return;
                    }
                    let _ = ready_tx.send(Ok(end));
                    // Hold the stream until the guard drops the sender.
                    let _ = stop_rx.recv();
                    drop(stream);
                }
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                }
            }
        })
        .map_err(backend)?;
    let guard = DeviceGuard::new(stop_tx, thread);
    match ready_rx.recv() {
        Ok(Ok(end)) => Ok((end, guard)),
        Ok(Err(e)) => Err(e),
        Err(_) => Err(AudioError::Backend("audio thread ended".to_string())),
    }
}

fn config_of(supported: cpal::SupportedStreamConfig) -> (StreamConfig, SampleFormat) {
    let format = supported.sample_format();
    (supported.config(), format)
}

fn on_error(stats: Arc<Stats>) -> impl FnMut(cpal::StreamError) + Send + 'static {
    move |_| stats.failed.store(true, Ordering::Relaxed)
}

fn build_input(
    device: &Device,
    config: &StreamConfig,
    format: SampleFormat,
    feed: CaptureFeed,
    stats: Arc<Stats>,
) -> Result<Stream, AudioError> {
    let channels = usize::from(config.channels);
    macro_rules! input {
        ($t:ty) => {{
            let mut feed = feed;
            device.build_input_stream(
                config,
                move |data: &[$t], _: &cpal::InputCallbackInfo| feed.push_device(data, channels),
                on_error(stats),
                None,
            )
        }};
    }
    let stream = match format {
        SampleFormat::I16 => input!(i16),
        SampleFormat::U16 => input!(u16),
        SampleFormat::I32 => input!(i32),
        SampleFormat::F32 => input!(f32),
        SampleFormat::F64 => input!(f64),
        SampleFormat::U8 => input!(u8),
        other => return Err(AudioError::UnsupportedFormat(other.to_string())),
    };
    stream.map_err(backend)
}

fn build_output(
    device: &Device,
    config: &StreamConfig,
    format: SampleFormat,
    feed: PlaybackFeed,
    stats: Arc<Stats>,
) -> Result<Stream, AudioError> {
    let channels = usize::from(config.channels);
    macro_rules! output {
        ($t:ty) => {{
            let mut feed = feed;
            device.build_output_stream(
                config,
                move |data: &mut [$t], _: &cpal::OutputCallbackInfo| {
                    feed.fill_device(data, channels)
                },
                on_error(stats),
                None,
            )
        }};
    }
    let stream = match format {
        SampleFormat::I16 => output!(i16),
        SampleFormat::U16 => output!(u16),
        SampleFormat::I32 => output!(i32),
        SampleFormat::F32 => output!(f32),
        SampleFormat::F64 => output!(f64),
        SampleFormat::U8 => output!(u8),
        other => return Err(AudioError::UnsupportedFormat(other.to_string())),
    };
    stream.map_err(backend)
}

impl AudioBackend for CpalBackend {
    fn input_devices(&self) -> Result<Vec<DeviceInfo>, AudioError> {
        list(Direction::Input)
    }

    fn output_devices(&self) -> Result<Vec<DeviceInfo>, AudioError> {
        list(Direction::Output)
    }

    fn open_capture(&self, device: Option<&str>, call_rate: u32) -> Result<Capture, AudioError> {
        check_call_rate(call_rate)?;
        let ((consumer, stats, rate), guard) = run_stream(Direction::Input, device, |device| {
            let (config, format) = config_of(device.default_input_config().map_err(backend)?);
            let (feed, consumer, stats) = capture_ring(config.sample_rate.0);
            let stream = build_input(device, &config, format, feed, stats.clone())?;
            Ok((stream, (consumer, stats, config.sample_rate.0)))
        })?;
        Capture::new(consumer, stats, rate, call_rate, guard)
    }

    fn open_playback(&self, device: Option<&str>, call_rate: u32) -> Result<Playback, AudioError> {
        check_call_rate(call_rate)?;
        let ((producer, stats, rate), guard) = run_stream(Direction::Output, device, |device| {
            let (config, format) = config_of(device.default_output_config().map_err(backend)?);
            let (feed, producer, stats) = playback_ring(config.sample_rate.0);
            let stream = build_output(device, &config, format, feed, stats.clone())?;
            Ok((stream, (producer, stats, config.sample_rate.0)))
        })?;
        Playback::new(producer, stats, rate, call_rate, guard)
    }
}
