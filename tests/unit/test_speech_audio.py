"""Audio decoding on generated tones and silence: formats, resampling, limits, figures."""
import numpy as np
import pytest

from playground.speech import audio as A
from playground.speech import figures as SF
from tests import language_models as LMB

float32_torch = LMB.float32_fixture()   # the app's default dtype, whatever other tests set


def peak_hz(x, sr=A.TARGET_SR):
    spec = np.abs(np.fft.rfft(x))
    return np.fft.rfftfreq(len(x), 1 / sr)[np.argmax(spec)]


@pytest.mark.parametrize("fmt,sr", [("WAV", 44100), ("FLAC", 48000), ("OGG", 22050), ("MP3", 44100),
                                    ("WAV", 16000)])
def test_formats_decode_to_16k_mono(fmt, sr):
    x = A.tone(1000, 2.0, sr, amp=0.5)
    clip = A.decode(A.encode(np.stack([x, 0.5 * x], axis=1), sr, fmt), f"tone.{fmt.lower()}")
    assert clip.sr == 16000 and clip.samples.dtype == np.float32 and clip.samples.ndim == 1
    assert clip.seconds == pytest.approx(2.0, abs=0.06) and clip.channels == 2
    assert peak_hz(clip.samples) == pytest.approx(1000, abs=5)
    # mean of a 0.5 and a 0.25 sine: RMS 0.375/√2 ≈ −11.5 dBFS (lossy codecs shift it a little)
    assert clip.rms_dbfs == pytest.approx(20 * np.log10(0.375 / np.sqrt(2)), abs=0.6)
    assert not clip.silent and any("mono" in n for n in clip.notes)
    assert any("Resampled" in n for n in clip.notes) == (sr != 16000)


def test_resampling_does_not_alias():
    high = A.resample(A.tone(10_000, 1.0, 48000), 48000)      # above the new 8 kHz Nyquist
    assert A.dbfs(high) < -40
    kept = A.resample(A.tone(3000, 1.0, 48000), 48000)
    assert A.dbfs(kept) == pytest.approx(A.dbfs(A.tone(3000, 1.0, 48000)), abs=0.5)
    up = A.resample(A.tone(500, 1.0, 8000), 8000)
    assert len(up) == 16000 and peak_hz(up) == pytest.approx(500, abs=2)


def test_silence_is_detected():
    assert A.decode(A.encode(np.zeros(16000), 16000), "zeros.wav").silent
    rng = np.random.default_rng(0)
    hiss = A.decode(A.encode(0.0005 * rng.standard_normal(32000), 16000), "hiss.wav")
    assert hiss.silent and "−" in hiss.silence_message() and "microphone" in hiss.silence_message()
    assert "digital silence" in A.decode(A.encode(np.zeros(16000), 16000), "z.wav").silence_message()
    assert not A.decode(A.encode(A.tone(200, 1.0, amp=0.05), 16000), "soft.wav").silent


def test_too_long_is_cut_with_a_notice():
    clip = A.decode(A.encode(A.tone(300, 40.0, 8000), 8000), "long.wav")
    assert clip.seconds == pytest.approx(A.MAX_SECONDS) and clip.original_seconds == pytest.approx(40.0)
    assert any("only the first 30 s" in n for n in clip.notes)


@pytest.mark.parametrize("data,match", [
    (b"", "empty"),
    (b"RIFF....WAVEfmt garbage" * 20, "could not be read"),
    (bytes(range(256)) * 40, "could not be read"),
])
def test_unusable_bytes_give_messages(data, match):
    with pytest.raises(A.AudioError, match=match):
        A.decode(data, "bad.wav")


def test_too_short_and_too_big():
    with pytest.raises(A.AudioError, match="ms long"):
        A.decode(A.encode(A.tone(440, 0.05), 16000), "blip.wav")
    with pytest.raises(A.AudioError, match="MB"):
        A.decode(b"0" * (A.MAX_BYTES + 1), "huge.wav")


def test_log_mel_and_figures():
    clip = A.decode(A.encode(A.tone(1000, 3.0), 16000), "t.wav")
    db, times, centres = A.log_mel(clip.samples)
    assert db.shape == (A.N_MELS, len(times)) and len(times) == 1 + (48000 - A.N_FFT) // A.HOP
    assert db.max() == 0 and db.min() >= -80
    loudest = centres[np.argmax(db.mean(axis=1))]
    assert 900 < loudest < 1100
    fb = A.mel_filters()
    assert fb.shape == (80, 201) and (fb >= 0).all()
    wave = SF.waveform(clip)
    assert len(wave["data"][0]["x"]) == SF.MAX_COLUMNS and max(wave["data"][0]["y"]) == pytest.approx(0.5, abs=0.01)
    spec = SF.spectrogram(clip)
    z = spec["data"][0]["z"]
    assert len(z) == 80 and len(z[0]) == len(times)
    long_clip = A.decode(A.encode(A.tone(500, 30.0), 16000), "l.wav")
    assert len(SF.spectrogram(long_clip)["data"][0]["z"][0]) == SF.MAX_COLUMNS


def test_bundled_sample_clip_is_speech():
    clip = A.sample_clip()
    assert clip.sr == A.TARGET_SR and 4.5 < clip.seconds < 6 and not clip.silent
    assert A.SAMPLE.stat().st_size < 60_000
