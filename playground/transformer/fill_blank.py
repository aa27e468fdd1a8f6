"""Fill in the blank with a left-to-right model (the app's own character GPT).

A masked model such as BERT reads both sides of a blank at once and predicts the hidden word
directly. A left-to-right model cannot see the right side, but it can still fill a blank: put
each candidate word in, and ask how likely the whole sentence (right side included) becomes.

The score of a sentence is the sum of the natural-log probabilities of all its characters, each
predicted from the (up to :data:`~playground.transformer.chargpt.BLOCK`) characters before it;
the sentence is read after a line break (:data:`START`), as every verse of the training text
begins. Pure (no Streamlit); every bad input raises :class:`InputError` with a sentence for the
student.
"""
from __future__ import annotations

import math
import re
import time
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import torch

from ..inputs import clean_text
from ..query import quote
from ..language.tasks import InputError, normalize_masks
from ..threads import few_threads
from .chargpt import BLOCK

BLANK = "[MASK]"               # the page's marker; [mask], <mask> and ___ are accepted too
START = "\n"                   # the context every sentence is read after
MAX_TEXT = 200                 # characters of a sentence (the GPT reads 64 at a time)
MAX_CANDIDATES = 12
MAX_WORD = 20
MAX_WORDS_CHARS = 300          # the candidates box
POOL = 60                      # default candidates come from this many frequent training words
DEFAULT_K = 8
CHUNK = 256                    # windows per forward pass (≈ 0.1-0.3 s on a busy server)
_WORD = re.compile(r"[A-Za-z]+(?:'[a-z]+)?")


@dataclass
class Scored:
    word: str
    sentence: str
    logprob: float             # natural log of P(every character of the sentence)
    per_char: float            # logprob / characters scored
    share: float = 0.0         # probability normalised over the ranked candidates only


@dataclass
class Ranking:
    rows: list[Scored]         # best first
    typed: bool                # the student's words (else the frequent training words)
    pool: int = 0              # how many frequent words were tried (default candidates)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def best(self) -> Scored:
        return self.rows[0]


def split_blank(text: str) -> tuple[str, str]:
    """(left, right) of the one blank in ``text``; InputError for none, several or too long."""
    text = normalize_masks(clean_text(text), BLANK).strip()
    too_long = InputError(f"The app's GPT reads {BLOCK} characters at a time; keep the sentence "
                          f"under {MAX_TEXT} characters around the blank (yours has "
                          f"{max(0, len(text) - len(BLANK)):,}).")
    if len(text) > 2 * MAX_TEXT:        # before looking for blanks, which may have been cut off
        raise too_long
    if not text:
        raise InputError(f"Type a sentence with {BLANK} where a word is missing, e.g. "
                         f"“And God said, Let there be {BLANK}: and there was light.”")
    n = text.count(BLANK)
    if n == 0:
        raise InputError(f"Put {BLANK} (or ___) where a word is missing, e.g. "
                         f"“In the beginning God created the heaven and the {BLANK}.”")
    if n > 1:
        raise InputError(f"The app's GPT fills one blank at a time ({n} found): keep one {BLANK} "
                         "and write the other words in.")
    if len(text) - len(BLANK) > MAX_TEXT:
        raise too_long
    left, right = text.split(BLANK)
    return left, right


def parse_candidates(text: str, vocab: set[str] | None = None) -> list[str]:
    """The student's comma-separated words: at most :data:`MAX_CANDIDATES`, each at most
    :data:`MAX_WORD` characters and made of characters the model knows (``vocab``)."""
    words, seen = [], set()
    for w in clean_text(text, 2000).replace("\n", ",").split(","):
        w = " ".join(w.split())
        if w and w not in seen:
            seen.add(w)
            words.append(w)
    if not words:
        raise InputError("Type some candidate words separated by commas, e.g. “light, water, "
                         "land”, or leave the box empty to try the most frequent words.")
    if len(words) > MAX_CANDIDATES:
        raise InputError(f"At most {MAX_CANDIDATES} candidates ({len(words)} typed): each one is "
                         "a whole sentence for the model to read.")
    long = [w for w in words if len(w) > MAX_WORD]
    if long:
        raise InputError(f"Candidates are at most {MAX_WORD} characters "
                         f"({quote(long[0], MAX_WORD)} is longer).")
    if vocab is not None:
        for w in words:
            odd = sorted({c for c in w if c not in vocab})
            if odd:
                raise InputError(f"{quote(w, MAX_WORD)} uses characters the app's GPT never saw in its training "
                                 f"text ({quote(' '.join(odd))}), so it cannot score it: use plain "
                                 "English letters.")
    return words


def frequent_words(text: str, n: int = POOL) -> list[str]:
    """The ``n`` most frequent words of ``text`` (letters, an apostrophe ending allowed), ties in
    order of first appearance."""
    return [w for w, _ in Counter(_WORD.findall(text)).most_common(n)]


def char_logprobs(lm, texts: list[str]) -> list[np.ndarray]:
    """For each text, log P(character t | up to BLOCK characters before it) for t = 1 … end
    (the first character is the context only). One batched forward pass over the distinct
    windows: the candidates' sentences share most of them (all left of the blank)."""
    tok, model = lm.tokenizer, lm.model
    seqs = [tok.ids(t) for t in texts]
    if any(len(s) < 2 for s in seqs):
        raise InputError("Nothing to score: the sentence is empty.")
    rows: dict[tuple, int] = {}
    wanted = []                        # (text, target index t, row, output position)
    for i, ids in enumerate(seqs):
        for t in range(1, len(ids)):   # causal: the head row's output t-1 sees ids[:t] only
            window, pos = (tuple(ids[:BLOCK]), t - 1) if t <= BLOCK else (tuple(ids[t - BLOCK:t]), BLOCK - 1)
            wanted.append((i, t, rows.setdefault(window, len(rows)), pos))
    width = max(len(r) for r in rows)
    x = torch.tensor([list(r) + [0] * (width - len(r)) for r in rows])  # right padding is never read
    parts = []
    for start in range(0, len(x), CHUNK):   # the lock is free between chunks: other pages go on
        with lm.lock, few_threads(), torch.inference_mode():
            parts.append(torch.log_softmax(model(input_ids=x[start:start + CHUNK]).logits.double(), -1))
    logp = torch.cat(parts).numpy()
    out = [np.zeros(len(s) - 1) for s in seqs]
    for i, t, row, pos in wanted:
        out[i][t - 1] = logp[row, pos, seqs[i][t]]
    return out


def rank(lm, text: str, candidates: str = "", train_text: str = "", k: int = DEFAULT_K) -> Ranking:
    """Rank candidate words for the one blank of ``text`` by the whole sentence's probability.

    ``candidates``: the student's comma-separated words; empty → the :data:`POOL` most frequent
    words of ``train_text`` are all tried and the ``k`` likeliest kept."""
    t0 = time.perf_counter()
    left, right = split_blank(text)
    vocab = set(getattr(lm.tokenizer, "chars", ()))
    typed = bool((candidates or "").strip())
    words = parse_candidates(candidates, vocab or None) if typed else frequent_words(train_text)
    if not words:
        raise InputError("No candidate words: type some, separated by commas.")
    sentences = [left + w + right for w in words]
    scores = char_logprobs(lm, [START + s for s in sentences])
    rows = [Scored(w, s, float(lp.sum()), float(lp.mean())) for w, s, lp in zip(words, sentences, scores)]
    rows.sort(key=lambda r: -r.logprob)
    if not typed:
        rows = rows[:max(1, int(k))]
    top = rows[0].logprob
    z = sum(math.exp(r.logprob - top) for r in rows)
    for r in rows:
        r.share = math.exp(r.logprob - top) / z
    notes = []
    odd = sorted({c for c in left + right if vocab and c not in vocab})
    if odd:
        notes.append(f"Your sentence has characters the app's GPT never saw ({quote(' '.join(odd[:10]))}); "
                     "it reads each as one unknown symbol, the same for every candidate.")
    return Ranking(rows, typed, 0 if typed else len(words), time.perf_counter() - t0, notes)


def verdict(r: Ranking, model: str = "The app's GPT") -> str:
    """One sentence from the numbers: the preferred word, its share and the runner-up's."""
    best = r.best
    among = f"among these {len(r.rows)} words" if len(r.rows) > 1 else "the only candidate"
    text = f"{model} prefers “{best.word}” ({best.share:.0%} {among})"
    if len(r.rows) > 1:
        second = r.rows[1]
        ratio = math.exp(best.logprob - second.logprob)
        text += (f": the sentence with it is {ratio:,.1f} times as likely as with “{second.word}”"
                 if ratio < 1000 else f", far ahead of “{second.word}”")
    return text + "."
