"""The tone detector can fail: it rejects silence, the wrong tone and a mix."""

import math
import struct

import pytest

from harness.tones import analyse, assert_hears, read_wav, write_sine_wav


def test_detects_the_tone_that_is_there(tmp_path):
    wav = write_sine_wav(tmp_path / "a.wav", 440, seconds=2)
    report = assert_hears(wav, 440, 1000)
    assert report.fraction(440) > 0.9


def test_rejects_the_wrong_tone(tmp_path):
    wav = write_sine_wav(tmp_path / "a.wav", 1000, seconds=2)
    with pytest.raises(AssertionError, match="440 Hz tone not found"):
        assert_hears(wav, 440, 700)


def test_rejects_a_recording_that_also_holds_the_own_tone(tmp_path):
    wav = tmp_path / "mix.wav"
    rate = 8000
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)
                              + 8000 * math.sin(2 * math.pi * 1000 * i / rate)))
        for i in range(2 * rate))
    _write(wav, rate, 1, frames)
    with pytest.raises(AssertionError):
        assert_hears(wav, 440, 1000)


def test_rejects_silence(tmp_path):
    wav = tmp_path / "silence.wav"
    _write(wav, 8000, 1, b"\0\0" * 16000)
    with pytest.raises(AssertionError, match="silent"):
        assert_hears(wav, 440, 1000)


def test_reads_a_wav_whose_header_was_never_finished(tmp_path):
    wav = write_sine_wav(tmp_path / "a.wav", 440, rate=16000, seconds=1, channels=2)
    raw = bytearray(wav.read_bytes())
    data_at = raw.index(b"data")
    raw[data_at + 4:data_at + 8] = b"\0\0\0\0"  # what a killed recorder leaves
    wav.write_bytes(bytes(raw))
    pcm = read_wav(wav)
    assert pcm.rate == 16000
    assert len(pcm.samples) == 16000
    assert analyse(wav, [440], skip_s=0).fraction(440) > 0.9


def _write(path, rate, channels, frames):
    import wave
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
