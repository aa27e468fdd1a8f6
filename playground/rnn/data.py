"""The three sequence tasks, generated in-app and seeded: the same arguments give the same data.

* ``sines``  — forecast a noisy sum of sines ``horizon`` steps ahead (regression at every step).
* ``memory`` — a symbol A–D at step 0, ``delay - 1`` distractors, then ``?``: answer the symbol
  seen ``delay`` steps earlier (classification at the last step only).
* ``chars``  — next-character prediction on a short text (classification at every step).

A :class:`SeqData` holds either real values (sines) or symbol indices (one-hot encoded only for
the batch being used, so long texts stay small in memory).
"""
from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import torch

# ---- bounds (a shared link or a huge paste can never ask for more) -------------------------
MAX_SEQ_LEN = 200      # sines window
MAX_HORIZON = 50
MAX_DELAY = 100        # memory task: sequence length = delay + 1
MAX_CHAR_LEN = 100     # characters per training window
MAX_TEXT = 5000        # characters of text used for training
MIN_TEXT = 20
MAX_VOCAB = 80         # distinct characters; rarer ones become UNKNOWN
UNKNOWN = "\ufffd"
N_TRAIN, N_TEST = 1024, 256
MAX_CHAR_WINDOWS = 4096

SIGNALS, DISTRACTORS, QUERY = "ABCD", "wxyz", "?"

EXAMPLE_TEXT = (
    "Twinkle, twinkle, little star,\nHow I wonder what you are!\nUp above the world so high,\n"
    "Like a diamond in the sky.\nTwinkle, twinkle, little star,\nHow I wonder what you are!\n"
    "When the blazing sun is gone,\nWhen he nothing shines upon,\nThen you show your little "
    "light,\nTwinkle, twinkle, all the night.\nTwinkle, twinkle, little star,\nHow I wonder "
    "what you are!\n")


@dataclass
class SeqData:
    """``n`` sequences of length ``T`` with targets at the steps where ``mask`` is True."""
    kind: str                       # "regression" | "classification"
    targets: np.ndarray             # (n, T) float32 values or int64 class indices
    mask: np.ndarray                # (T,) bool: steps that count in the loss
    values: np.ndarray | None = None  # (n, T) float32 inputs (sines)
    tokens: np.ndarray | None = None  # (n, T) int64 input symbol indices (memory, chars)
    n_symbols: int = 0               # one-hot width for tokens
    clean: np.ndarray | None = None  # (n, T + horizon) noise-free signal (sines)

    def __len__(self):
        return len(self.targets)

    @property
    def T(self) -> int:
        return self.targets.shape[1]

    def inputs(self, idx=None) -> torch.Tensor:
        """Float inputs (len(idx), T, n_in): the value itself, or a one-hot vector per symbol."""
        idx = np.arange(len(self)) if idx is None else np.asarray(idx)
        if self.values is not None:
            return torch.from_numpy(self.values[idx]).unsqueeze(-1)
        tok = torch.from_numpy(self.tokens[idx])
        return torch.nn.functional.one_hot(tok, self.n_symbols).float()

    def target(self, idx=None) -> torch.Tensor:
        idx = np.arange(len(self)) if idx is None else np.asarray(idx)
        return torch.from_numpy(self.targets[idx])


@dataclass
class Task:
    key: str
    train: SeqData
    test: SeqData
    n_in: int
    n_out: int
    in_symbols: list = field(default_factory=list)   # names of the one-hot inputs
    out_symbols: list = field(default_factory=list)  # names of the classes
    notices: list = field(default_factory=list)      # things the user should know (limits, ...)
    text: str = ""                                   # chars: the text actually used
    horizon: int = 0

    @property
    def kind(self) -> str:
        return self.train.kind


# ---- 1. noisy sum of sines ----------------------------------------------------------------
def sines(n: int, seq_len: int, horizon: int, freqs, noise: float, seed: int) -> SeqData:
    """Windows of ``mean_k sin(2π f_k t / 100 + φ)`` (f in cycles per 100 steps), random phases.

    Input at step t: the noisy value x_t; target: the noisy value x_{t + horizon}.
    """
    rng = np.random.default_rng(seed)
    freqs = [float(f) for f in freqs if f > 0] or [1.0]
    L = seq_len + horizon
    t = np.arange(L)
    phase = rng.uniform(0, 2 * np.pi, (n, len(freqs)))
    clean = np.mean([np.sin(2 * np.pi * f * t[None, :] / 100.0 + phase[:, [k]])
                     for k, f in enumerate(freqs)], axis=0)
    noisy = clean + noise * rng.standard_normal((n, L))
    return SeqData("regression", noisy[:, horizon:].astype(np.float32), np.ones(seq_len, bool),
                   values=noisy[:, :seq_len].astype(np.float32), clean=clean.astype(np.float32))


# ---- 2. memory: recall the symbol seen `delay` steps earlier --------------------------------
def memory(n: int, delay: int, seed: int) -> SeqData:
    """Step 0: a symbol A–D; steps 1..delay-1: random distractors w–z; step ``delay``: ``?``.

    Input symbols are indexed A B C D w x y z ? (0..8); the target at the last step is 0..3.
    """
    rng = np.random.default_rng(seed)
    k, d = len(SIGNALS), len(DISTRACTORS)
    T = delay + 1
    tok = np.empty((n, T), dtype=np.int64)
    tok[:, 0] = rng.integers(0, k, n)
    tok[:, 1:T - 1] = rng.integers(k, k + d, (n, T - 2))
    tok[:, T - 1] = k + d
    targets = np.zeros((n, T), dtype=np.int64)
    targets[:, -1] = tok[:, 0]
    mask = np.zeros(T, bool)
    mask[-1] = True
    return SeqData("classification", targets, mask, tokens=tok, n_symbols=k + d + 1)


# ---- 3. characters --------------------------------------------------------------------------
def clean_text(text: str | None, limit: int = MAX_TEXT) -> tuple[str, list[str]]:
    """Normalised text for training and notices about what was changed.

    Control characters are removed (newlines kept, tabs become spaces); too long → cut to
    ``limit``; too short or empty → the example text. Never raises.
    """
    notes = []
    raw = "" if text is None else str(text)
    s = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    s = "".join(ch for ch in s if ch == "\n" or unicodedata.category(ch)[0] != "C")
    if len(s) > limit:
        notes.append(f"The text has {len(s):,} characters; the model trains on the first "
                     f"{limit:,} (the limit keeps training fast and memory bounded).")
        s = s[:limit]
    if len(s.strip()) < MIN_TEXT:
        notes.append(("The text is empty" if not s.strip() else
                      f"The text is shorter than {MIN_TEXT} characters") +
                     ", so the example text is used. Type or paste some text to train on it.")
        s = EXAMPLE_TEXT
    return s, notes


def vocabulary(text: str, max_size: int = MAX_VOCAB) -> tuple[list[str], list[str]]:
    """Sorted distinct characters (at most ``max_size``, the rarest become UNKNOWN) + notices."""
    counts = Counter(text)
    if len(counts) <= max_size:
        return sorted(counts), []
    keep = [ch for ch, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:max_size - 1]]
    return sorted(keep) + [UNKNOWN], [
        f"The text uses {len(counts)} different characters; the {max_size - 1} most frequent are "
        f"kept and the rest are shown as {UNKNOWN}."]


def encode(text: str, vocab: list[str]) -> np.ndarray:
    index = {ch: i for i, ch in enumerate(vocab)}
    unk = index.get(UNKNOWN, -1)
    return np.array([index.get(ch, unk) for ch in text], dtype=np.int64)


def char_windows(codes: np.ndarray, seq_len: int, n_symbols: int, starts) -> SeqData:
    """Windows codes[s : s + seq_len] with the next character as the target at every step."""
    starts = np.asarray(starts, dtype=np.int64)
    grid = starts[:, None] + np.arange(seq_len)[None, :]
    return SeqData("classification", codes[grid + 1], np.ones(seq_len, bool), tokens=codes[grid],
                   n_symbols=n_symbols)


def chars(text: str | None, seq_len: int, seed: int) -> Task:
    """Next-character task; the last ~10% of a long enough text is held out for testing."""
    text, notes = clean_text(text)
    vocab, vnotes = vocabulary(text)
    notes += vnotes
    codes = encode(text, vocab)
    if seq_len > len(codes) - 1:
        notes.append(f"Window shortened from {seq_len} to {len(codes) - 1} characters "
                     "(it cannot be longer than the text).")
        seq_len = len(codes) - 1
    n_windows = len(codes) - seq_len
    cut = int(len(codes) * 0.9)
    rng = np.random.default_rng(seed)
    if cut - seq_len >= 8 and len(codes) - cut - 1 >= seq_len:
        train_starts, test_starts = np.arange(cut - seq_len), np.arange(cut, len(codes) - seq_len)
    else:
        train_starts = test_starts = np.arange(n_windows)
        notes.append("The text is too short to hold some back, so the test loss is measured on "
                     "the training text.")
    if len(train_starts) > MAX_CHAR_WINDOWS:
        train_starts = np.sort(rng.choice(train_starts, MAX_CHAR_WINDOWS, replace=False))
    if len(test_starts) > N_TEST:
        test_starts = test_starts[np.linspace(0, len(test_starts) - 1, N_TEST).astype(int)]
    v = len(vocab)
    return Task("chars", char_windows(codes, seq_len, v, train_starts),
                char_windows(codes, seq_len, v, test_starts), n_in=v, n_out=v,
                in_symbols=vocab, out_symbols=vocab, notices=notes, text=text)


# ---- the task for a page's settings ---------------------------------------------------------
def make_task(cfg: dict) -> Task:
    """Build the task from (already bounded) settings: ``task`` plus its own keys and ``seed``."""
    seed = int(cfg.get("seed", 0))
    key = cfg["task"]
    if key == "sines":
        L, h = int(cfg["seq_len"]), int(cfg["horizon"])
        freqs, noise = (cfg["f1"], cfg["f2"]), float(cfg["noise"])
        return Task("sines", sines(N_TRAIN, L, h, freqs, noise, seed),
                    sines(N_TEST, L, h, freqs, noise, seed + 7919), n_in=1, n_out=1, horizon=h)
    if key == "memory":
        d = int(cfg["delay"])
        return Task("memory", memory(N_TRAIN, d, seed), memory(N_TEST, d, seed + 7919),
                    n_in=len(SIGNALS) + len(DISTRACTORS) + 1, n_out=len(SIGNALS),
                    in_symbols=list(SIGNALS + DISTRACTORS + QUERY), out_symbols=list(SIGNALS))
    if key == "chars":
        return chars(cfg.get("text"), int(cfg["char_len"]), seed)
    raise ValueError(f"unknown task {key!r}")
