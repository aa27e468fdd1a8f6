"""Next-token prediction with a decoder: temperature, top-k and top-p reshape the distribution,
and one token at a time is appended (greedy or sampled, seeded).

All NumPy on the logits of the last position; the model call is
:func:`playground.transformer.attention.analyse`, which also returns every layer's attention,
so a page can show how the newest token's attention changes as the text grows.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..language.models import LoadedLM
from .attention import Attention, analyse, token_limit

MAX_NEW_TOKENS = 40


def softmax(z: np.ndarray) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(z - z.max())
    return e / e.sum()


def entropy(p: np.ndarray) -> float:
    """In bits: 0 for a sure choice, log2(n) for n equally likely tokens."""
    p = np.asarray(p, dtype=np.float64)
    p = p[p > 0]
    return abs(float((p * np.log2(p)).sum()))   # ≥ 0; abs: never "-0.00"


def top_k_mask(p: np.ndarray, k: int) -> np.ndarray:
    """Keep the ``k`` most likely tokens (k ≤ 0: keep all)."""
    if k <= 0 or k >= p.size:
        return np.ones(p.size, dtype=bool)
    keep = np.zeros(p.size, dtype=bool)
    keep[np.argsort(-p, kind="stable")[:k]] = True
    return keep


def top_p_mask(p: np.ndarray, top_p: float) -> np.ndarray:
    """Keep the smallest set of most likely tokens whose probabilities add up to ``top_p``
    (nucleus sampling); the most likely token is always kept."""
    if top_p >= 1.0:
        return np.ones(p.size, dtype=bool)
    order = np.argsort(-p, kind="stable")
    before = np.cumsum(p[order]) - p[order]          # mass of the better tokens
    keep = np.zeros(p.size, dtype=bool)
    keep[order[before < top_p]] = True
    keep[order[0]] = True
    return keep


def reshape(logits: np.ndarray, temperature: float = 1.0, top_k: int = 0, top_p: float = 1.0) -> np.ndarray:
    """Probabilities after temperature (T → 0: greedy), then the top-k and top-p cuts,
    renormalised. Temperature 0 puts all the mass on the most likely token."""
    logits = np.asarray(logits, dtype=np.float64)
    if temperature <= 1e-6:
        p = np.zeros_like(logits)
        p[int(np.argmax(logits))] = 1.0
        return p
    p = softmax(logits / temperature)
    keep = top_k_mask(p, top_k) & top_p_mask(p, top_p)
    p = np.where(keep, p, 0.0)
    return p / p.sum()


def choose(p: np.ndarray, greedy: bool, rng: np.random.Generator) -> int:
    return int(np.argmax(p)) if greedy else int(rng.choice(p.size, p=p))


@dataclass
class Candidate:
    token_id: int
    text: str
    p_model: float       # the model's own probability (temperature 1, no cut)
    p: float             # after temperature / top-k / top-p


def candidates(tokenizer, logits: np.ndarray, p: np.ndarray, n: int = 10) -> list[Candidate]:
    """The ``n`` most likely next tokens by the model, with both probabilities."""
    base = softmax(logits)
    order = np.argsort(-base, kind="stable")[:n]
    return [Candidate(int(i), tokenizer.decode([int(i)]), float(base[i]), float(p[i])) for i in order]


def reserve(lm: LoadedLM) -> int:
    """How many tokens to keep free for generation: :data:`MAX_NEW_TOKENS`, or half the context
    of a model that reads little (the app's own 64-character GPT)."""
    return min(MAX_NEW_TOKENS, token_limit(lm) // 2)


def start(lm: LoadedLM, prompt: str, keep_free: int = MAX_NEW_TOKENS) -> list[int]:
    """The prompt's token ids, cut so that ``keep_free`` more tokens still fit."""
    return analyse(lm, prompt, reserve=keep_free).tokens.ids


def step(lm: LoadedLM, ids: list[int], temperature: float, top_k: int, top_p: float, greedy: bool,
         rng: np.random.Generator) -> tuple[Attention, np.ndarray, int]:
    """Run the decoder on the token ``ids``: (the newest token's attention (layers, heads, 1, T)
    and the next-token logits, the reshaped
    distribution, the chosen next token id). Append the id to generate one more token."""
    res = analyse(lm, "", ids=ids, last_only=True)
    p = reshape(res.logits, temperature, top_k, top_p)
    return res, p, choose(p, greedy, rng)
