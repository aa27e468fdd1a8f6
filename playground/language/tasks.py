"""The language tasks on a loaded model, with visible length limits.

Inputs longer than a model reads are cut at a token boundary of the original text and the
result says how many tokens were dropped, so a page can show it. Every call runs under the
model's lock and ``torch.inference_mode()``.
"""
from __future__ import annotations

import re
import time
from dataclasses import dataclass, field

from .hub import ModelError
from .models import LoadedLM

MAX_CHARS = 5000               # text areas refuse more (st.text_area max_chars)
MAX_MASKS = 3
SUMMARY_TOKENS = 80
TRANSLATION_MAX_TOKENS = 300
TARGETS = {"German": "translate English to German: ", "French": "translate English to French: ",
           "Romanian": "translate English to Romanian: "}
SUMMARY_PREFIX = "summarize: "
_MASK_SPELLINGS = re.compile(r"\[mask\]|<mask>|_{3,}", re.IGNORECASE)


class InputError(ValueError):
    """Input the model cannot use (empty, no [MASK], ...); the text is a prompt for the user."""


@dataclass
class Fitted:
    text: str            # the part of the input the model reads
    n_tokens: int        # tokens of the whole input (without special tokens)
    n_kept: int

    @property
    def n_dropped(self) -> int:
        return self.n_tokens - self.n_kept

    def notice(self, limit: int) -> str | None:
        if not self.n_dropped:
            return None
        return (f"Your text has {self.n_tokens:,} tokens; the model reads at most {limit:,} "
                f"(special tokens included), so the last {self.n_dropped:,} tokens were cut off "
                f"(from “…{self.text[-30:]}”).")


def fit_text(tokenizer, text: str, max_tokens: int, prefix: str = "") -> Fitted:
    """Cut ``text`` so that prefix + text + special tokens fit in ``max_tokens``."""
    text = (text or "").strip()
    if not text:
        raise InputError("Type or paste some text first.")
    enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    offsets = enc["offset_mapping"]
    budget = max_tokens - tokenizer.num_special_tokens_to_add(pair=False)
    if prefix:
        budget -= len(tokenizer(prefix, add_special_tokens=False)["input_ids"])
    budget = max(budget, 1)
    if len(offsets) <= budget:
        return Fitted(text, len(offsets), len(offsets))
    end = offsets[budget - 1][1]
    return Fitted(text[:end].rstrip(), len(offsets), budget)


# ---- sentiment ---------------------------------------------------------------------------------
@dataclass
class Scores:
    labels: list[tuple[str, float]]        # best first
    fitted: Fitted
    seconds: float


def sentiment(lm: LoadedLM, text: str) -> Scores:
    import torch

    t0 = time.perf_counter()
    with lm.lock, torch.inference_mode():     # the tokenizer too: fast tokenizers are not thread-safe
        fitted = fit_text(lm.tokenizer, text, lm.spec.max_tokens)
        out = lm.pipe(fitted.text, top_k=None, truncation=True, max_length=lm.spec.max_tokens)
    if out and isinstance(out[0], list):
        out = out[0]
    rows = sorted(((d["label"].capitalize(), float(d["score"])) for d in out), key=lambda r: -r[1])
    return Scores(rows, fitted, time.perf_counter() - t0)


# ---- fill-mask ----------------------------------------------------------------------------------
@dataclass
class Blanks:
    candidates: list[list[tuple[str, float, str]]]   # per mask: (word, probability, sentence)
    fitted: Fitted
    seconds: float
    notes: list[str] = field(default_factory=list)


def normalize_masks(text: str, mask_token: str) -> str:
    """Accept [MASK], [mask], <mask> or ___ for the hidden word."""
    return _MASK_SPELLINGS.sub(mask_token, text or "")


def fill_mask(lm: LoadedLM, text: str, top_k: int = 5) -> Blanks:
    import torch

    tok = lm.tokenizer
    text = normalize_masks(text, tok.mask_token)
    if not text.strip():
        raise InputError(f"Type a sentence with {tok.mask_token} where a word is missing, "
                         f"e.g. “Paris is the {tok.mask_token} of France.”")
    n_masks = text.count(tok.mask_token)
    if n_masks == 0:
        raise InputError(f"Put {tok.mask_token} where a word is missing, e.g. "
                         f"“The {tok.mask_token} sat on the mat.”")
    if n_masks > MAX_MASKS:
        raise InputError(f"Use at most {MAX_MASKS} blanks ({n_masks} found): each extra blank "
                         "makes the guesses less certain.")
    t0 = time.perf_counter()
    with lm.lock, torch.inference_mode():
        fitted = fit_text(tok, text, lm.spec.max_tokens)
        if fitted.text.count(tok.mask_token) < n_masks:
            raise InputError(f"A {tok.mask_token} lies beyond the {lm.spec.max_tokens} tokens "
                             "the model reads; shorten the text or move the blank forward.")
        out = lm.pipe(fitted.text, top_k=int(top_k))
    per_mask = out if n_masks > 1 else [out]
    cands = [[(d["token_str"].strip(), float(d["score"]), _clean_sequence(d["sequence"], tok))
              for d in masks] for masks in per_mask]
    notes = ["With several blanks each is guessed on its own, with the other blanks still hidden."] \
        if n_masks > 1 else []
    return Blanks(cands, fitted, time.perf_counter() - t0, notes)


def _clean_sequence(seq: str, tok) -> str:
    for special in (tok.cls_token, tok.sep_token, tok.pad_token):
        if special:
            seq = seq.replace(special, "")
    return " ".join(seq.split())


# ---- summaries and translation (T5) ------------------------------------------------------------
@dataclass
class Written:
    text: str
    fitted: Fitted
    n_out: int
    seconds: float


def _generate(lm: LoadedLM, prefix: str, text: str, **gen) -> Written:
    import torch

    t0 = time.perf_counter()
    with lm.lock, torch.inference_mode():
        fitted = fit_text(lm.tokenizer, text, lm.spec.max_tokens, prefix=prefix)
        enc = lm.tokenizer(prefix + fitted.text, return_tensors="pt", truncation=True,
                           max_length=lm.spec.max_tokens)
        if callable(gen.get("max_new_tokens")):
            gen["max_new_tokens"] = gen["max_new_tokens"](fitted.n_kept)
        out = lm.model.generate(**enc, do_sample=False, **gen)
        text_out = lm.tokenizer.decode(out[0], skip_special_tokens=True).strip()
    return Written(text_out, fitted, int(out[0].numel()), time.perf_counter() - t0)


def summarize(lm: LoadedLM, text: str, max_new_tokens: int = SUMMARY_TOKENS) -> Written:
    if lm.spec.task != "seq2seq":
        raise ModelError("Summaries need a sequence-to-sequence model.")
    return _generate(lm, SUMMARY_PREFIX, text, max_new_tokens=int(max_new_tokens), num_beams=2,
                     no_repeat_ngram_size=3)


def translate(lm: LoadedLM, text: str, target: str = "German") -> Written:
    if target not in TARGETS:
        raise InputError(f"T5-small translates English to {', '.join(TARGETS)} only.")
    return _generate(lm, TARGETS[target], text, num_beams=2,
                     max_new_tokens=lambda n: int(min(TRANSLATION_MAX_TOKENS, 2 * n + 20)))
