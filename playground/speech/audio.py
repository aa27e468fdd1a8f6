"""Audio bytes → mono float32 at 16 kHz, with limits, silence detection and a log-mel picture.

Decoding uses soundfile (libsndfile ≥ 1.1 reads WAV, FLAC, OGG/Vorbis/Opus and MP3; its wheels
bundle it), so no ffmpeg is needed. Resampling is NumPy only: a windowed-sinc low-pass below the
new Nyquist frequency, then linear interpolation.
"""
from __future__ import annotations

import io
from pathlib import Path
from dataclasses import dataclass, field

import numpy as np

TARGET_SR = 16_000
MAX_SECONDS = 30.0              # Whisper hears 30-second windows; the server is shared
MIN_SECONDS = 0.2
MAX_BYTES = 25_000_000
SILENCE_DBFS = -50.0            # quieter than this (RMS) counts as silence
UPLOAD_TYPES = ["wav", "mp3", "ogg", "flac"]
N_MELS, N_FFT, HOP = 80, 400, 160   # Whisper's log-mel: 25 ms windows every 10 ms


class AudioError(ValueError):
    """Audio that cannot be used; the text is meant for the student."""


@dataclass
class Clip:
    samples: np.ndarray          # float32 mono in [-1, 1] at TARGET_SR
    sr: int
    name: str
    original_sr: int
    channels: int
    format: str
    original_seconds: float
    rms_dbfs: float
    peak: float
    notes: list[str] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.sr

    @property
    def silent(self) -> bool:
        return self.rms_dbfs < SILENCE_DBFS

    def silence_message(self) -> str:
        level = ("it contains no sound at all (digital silence)" if self.rms_dbfs < -100 else
                 f"its loudness is {self.rms_dbfs:.0f} dBFS (speech is usually above −35 dBFS)")
        return (f"“{self.name}” sounds silent: {level}. Check that the right microphone is on "
                "and not muted, then record again closer to it.")


def dbfs(x: np.ndarray) -> float:
    """RMS level in dB relative to full scale (a full-scale sine is −3 dBFS)."""
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if len(x) else 0.0
    return 20.0 * np.log10(max(rms, 1e-10))


def lowpass_kernel(cutoff: float, taps: int = 63) -> np.ndarray:
    """Windowed-sinc FIR low-pass; ``cutoff`` in cycles per sample (< 0.5), unit DC gain."""
    n = np.arange(taps) - (taps - 1) / 2
    h = 2 * cutoff * np.sinc(2 * cutoff * n) * np.blackman(taps)
    return h / h.sum()


def resample(x: np.ndarray, sr_in: int, sr_out: int = TARGET_SR) -> np.ndarray:
    """Resample a 1-D signal; low-passes first when going down so nothing aliases."""
    x = np.asarray(x, dtype=np.float32)
    if sr_in == sr_out or len(x) == 0:
        return x.copy()
    if sr_out < sr_in:
        x = np.convolve(x, lowpass_kernel(0.45 * sr_out / sr_in).astype(np.float32), mode="same")
    n_out = int(round(len(x) * sr_out / sr_in))
    t = np.arange(n_out) * (sr_in / sr_out)
    return np.interp(t, np.arange(len(x)), x).astype(np.float32)


def decode(data: bytes, name: str = "audio", max_seconds: float = MAX_SECONDS) -> Clip:
    """Bytes of a WAV/MP3/OGG/FLAC file → a :class:`Clip` (or AudioError with the reason)."""
    import soundfile as sf

    if not data:
        raise AudioError(f"“{name}” is empty.")
    if len(data) > MAX_BYTES:
        raise AudioError(f"“{name}” is {len(data) / 1e6:.0f} MB; please use a file under "
                         f"{MAX_BYTES / 1e6:.0f} MB (about a minute of audio).")
    try:
        with sf.SoundFile(io.BytesIO(data)) as f:
            sr, channels, frames, fmt = f.samplerate, f.channels, f.frames, f.format
            keep = int(min(frames, max_seconds * sr)) if frames > 0 else int(max_seconds * sr)
            audio = f.read(keep, dtype="float32", always_2d=True)
    except (RuntimeError, sf.LibsndfileError, TypeError, ValueError) as exc:
        reason = str(exc).rsplit(":", 1)[-1].strip().rstrip(".")[:120] or type(exc).__name__
        raise AudioError(f"“{name}” could not be read as audio ({reason}). Use a WAV, MP3, OGG "
                         "or FLAC file.") from None
    if audio.size == 0 or sr <= 0:
        raise AudioError(f"“{name}” contains no sound samples.")
    mono = audio.mean(axis=1) if channels > 1 else audio[:, 0]
    mono = np.nan_to_num(mono, nan=0.0, posinf=0.0, neginf=0.0)
    original = frames / sr if frames > 0 else len(mono) / sr
    notes = []
    if original < MIN_SECONDS:
        raise AudioError(f"“{name}” is only {original * 1000:.0f} ms long; record at least a "
                         "second of speech.")
    if original > max_seconds + 1e-6:
        notes.append(f"The recording is {original:.1f} s long; only the first {max_seconds:.0f} s "
                     "are used (Whisper listens in 30-second windows, and this server is shared).")
    if channels > 1:
        notes.append(f"{channels} channels were mixed down to mono.")
    if sr != TARGET_SR:
        notes.append(f"Resampled from {sr / 1000:g} kHz to {TARGET_SR / 1000:g} kHz, the rate "
                     "Whisper was trained on.")
    samples = np.clip(resample(mono, sr, TARGET_SR), -1.0, 1.0)
    return Clip(samples, TARGET_SR, name, sr, channels, fmt, original, dbfs(samples),
                float(np.abs(samples).max()), notes)


# ---- what the model sees: a log-mel spectrogram ------------------------------------------------
def _hz_to_mel(f):
    return 2595.0 * np.log10(1.0 + np.asarray(f, dtype=np.float64) / 700.0)


def _mel_to_hz(m):
    return 700.0 * (10 ** (np.asarray(m, dtype=np.float64) / 2595.0) - 1.0)


def mel_filters(sr: int = TARGET_SR, n_fft: int = N_FFT, n_mels: int = N_MELS) -> np.ndarray:
    """Triangular mel filters (n_mels, n_fft // 2 + 1), area-normalised (Slaney style)."""
    freqs = np.linspace(0, sr / 2, n_fft // 2 + 1)
    edges = _mel_to_hz(np.linspace(_hz_to_mel(0), _hz_to_mel(sr / 2), n_mels + 2))
    lo, mid, hi = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    up = (freqs[None, :] - lo) / (mid - lo)
    down = (hi - freqs[None, :]) / (hi - mid)
    fb = np.maximum(0.0, np.minimum(up, down))
    return fb * (2.0 / (hi - lo))


def log_mel(x: np.ndarray, sr: int = TARGET_SR) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dB relative to the loudest cell, floored at −80; frame times in s; band centres in Hz)."""
    x = np.asarray(x, dtype=np.float32)
    if len(x) < N_FFT:
        x = np.pad(x, (0, N_FFT - len(x)))
    n_frames = 1 + (len(x) - N_FFT) // HOP
    idx = np.arange(N_FFT)[None, :] + HOP * np.arange(n_frames)[:, None]
    spec = np.abs(np.fft.rfft(x[idx] * np.hanning(N_FFT).astype(np.float32), axis=1)) ** 2
    mel = spec @ mel_filters(sr).T
    db = 10 * np.log10(np.maximum(mel, 1e-10))
    db = np.maximum(db - db.max(), -80.0)
    centres = _mel_to_hz(np.linspace(_hz_to_mel(0), _hz_to_mel(sr / 2), N_MELS + 2))[1:-1]
    return db.T.astype(np.float32), (np.arange(n_frames) * HOP + N_FFT / 2) / sr, centres


def tone(freq: float = 440.0, seconds: float = 1.0, sr: int = TARGET_SR, amp: float = 0.5) -> np.ndarray:
    """A sine tone (for tests and demos)."""
    t = np.arange(int(seconds * sr)) / sr
    return (amp * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def encode(x: np.ndarray, sr: int, fmt: str = "WAV") -> bytes:
    """Samples → file bytes (WAV, FLAC, OGG or MP3) with soundfile."""
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, np.asarray(x, dtype=np.float32), sr, format=fmt)
    return buf.getvalue()


SAMPLE = Path(__file__).with_name("samples") / "sample.ogg"
SAMPLE_TEXT = "Deep learning is fun. The quick brown fox jumps over the lazy dog."


def sample_clip() -> Clip:
    """The bundled 5-second clip (espeak-ng, see ``samples/README.md``): works without a mic."""
    return decode(SAMPLE.read_bytes(), name=SAMPLE.name)
