"""Run a Hugging Face encoder or decoder on a text (or a pair of sentences) and keep every
layer's attention, with the tokens made visible.

A shared model is never modified: it was loaded with ``attn_implementation="eager"`` (see
:data:`playground.language.models.ATTENTION_TASKS`), so ``output_attentions=True`` returns the
weights; every call runs under the model's lock and ``torch.inference_mode()``. Text longer
than the model reads is cut and the result says how many tokens were dropped.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from ..language.models import LoadedLM
from ..language.tasks import InputError
from ..vision.explain import rollout_matrix

MAX_CHARS = 5000
# At most this many tokens of a text are shown: the stored weights of one text grow with the
# square of its length (12 × 12 × 512² in float16 = 75 MB per session); GPT-2 could read 1024.
MAX_VIEW_TOKENS = 512


@dataclass
class Tokens:
    ids: list[int]
    pieces: list[str]        # the tokenizer's own spelling (##ing, Ġthe, [CLS])
    shown: list[str]         # what each token covers in your text (special tokens as is; ""
                             # for the 2nd, 3rd... byte token of one character)
    special: list[bool]
    segments: list[int]      # 0 = sentence A, 1 = sentence B (all 0 without a pair)

    def __len__(self) -> int:
        return len(self.ids)

    def labels(self) -> list[str]:
        """Readable, short labels for axes (positions make equal tokens distinct)."""
        out = []
        for s in self.shown:
            s = s.replace("\n", "⏎").replace(" ", "·") or "⋯"
            out.append(s if len(s) <= 12 else s[:11] + "…")
        return out

    def rows(self) -> list[dict]:
        return [{"#": i, "token": p, "text": s, "id": t, "special": sp, "segment": "AB"[g]}
                for i, (p, s, t, sp, g) in enumerate(zip(self.pieces, self.shown, self.ids,
                                                         self.special, self.segments))]


@dataclass
class Attention:
    tokens: Tokens
    attn: np.ndarray         # (layers, heads, T, T) float32, rows sum to 1
    logits: np.ndarray | None  # next-token logits after the last token (decoders), else None
    n_tokens: int            # tokens of the input (without special tokens)
    n_kept: int
    limit: int               # tokens read here (special tokens included)
    causal: bool
    seconds: float
    model_limit: int = 0     # what the model itself could read, when more than ``limit``

    @property
    def n_dropped(self) -> int:
        return self.n_tokens - self.n_kept

    @property
    def layers(self) -> int:
        return self.attn.shape[0]

    @property
    def heads(self) -> int:
        return self.attn.shape[1]

    def notice(self) -> str | None:
        if not self.n_dropped:
            return None
        who = (f"this page shows at most {self.limit:,} (the model itself reads up to "
               f"{self.model_limit:,})" if self.model_limit > self.limit else
               f"the model reads at most {self.limit:,}")
        return (f"Your text has {self.n_tokens:,} tokens; {who} (special tokens included), so "
                f"the last {self.n_dropped:,} tokens were cut off.")


def token_limit(lm: LoadedLM) -> int:
    cfg = lm.model.config
    n = getattr(cfg, "max_position_embeddings", None) or getattr(cfg, "n_positions", None)
    return int(min(lm.spec.max_tokens, n or lm.spec.max_tokens))


def _shown(tok, enc, texts: list[str]) -> list[str]:
    seq = enc.sequence_ids(0)
    pieces = tok.convert_ids_to_tokens(enc["input_ids"])
    out, prev = [], None
    for i, (a, b) in enumerate(enc["offset_mapping"]):
        s = seq[i]
        if s is None or b <= a:
            out.append(pieces[i])
        else:   # byte tokens of one character share its span: show it once, then "" (⋯)
            out.append("" if (s, a, b) == prev else texts[s][a:b])
            prev = (s, a, b)
    return out


def encode(tok, text: str, pair: str | None, limit: int):
    """(encoding, Tokens, n_tokens, n_kept) of text (+ pair), cut to ``limit`` tokens."""
    text = (text or "").strip()
    pair = (pair or "").strip() or None
    if not text:
        raise InputError("Type a sentence first, e.g. “The cat sat on the mat because it was tired.”")
    n_total = sum(len(tok(t, add_special_tokens=False)["input_ids"]) for t in (text, pair) if t)
    kw = {"text_pair": pair} if pair else {}
    enc = tok(text, truncation=True, max_length=limit, return_offsets_mapping=True,
              return_special_tokens_mask=True, **kw)
    special = [bool(s) for s in enc["special_tokens_mask"]]
    ids = list(enc["input_ids"])
    seq = enc.sequence_ids(0)
    segments = enc["token_type_ids"] if "token_type_ids" in enc else [int(s == 1) for s in seq]
    tokens = Tokens(ids, tok.convert_ids_to_tokens(ids), _shown(tok, enc, [text, pair or ""]),
                    special, [int(g) for g in segments])
    return enc, tokens, n_total, len(ids) - sum(special)


def from_ids(tok, ids: list[int]) -> Tokens:
    """Tokens of a sequence of ids (a prompt plus generated tokens), without re-tokenizing."""
    specials = set(tok.all_special_ids)
    return Tokens(list(ids), tok.convert_ids_to_tokens(list(ids)), [tok.decode([i]) for i in ids],
                  [i in specials for i in ids], [0] * len(ids))


def analyse(lm: LoadedLM, text: str, pair: str | None = None, ids: list[int] | None = None,
            reserve: int = 0, last_only: bool = False, compact: bool = False) -> Attention:
    """Every layer's attention for ``text`` (and ``pair``, as segment B, for encoders), cut to
    :data:`MAX_VIEW_TOKENS`, or for the token ``ids`` as given (decoders generating one token
    at a time, up to the model's limit). ``reserve`` keeps room for that many generated tokens.
    ``last_only`` keeps only the last token's row of attention (layers, heads, 1, T);
    ``compact`` stores the weights as float16 (half the memory in a session)."""
    opts = (last_only, compact)

    if ids is not None:
        limit = token_limit(lm)
        if not ids:
            raise InputError("Type a prompt first.")
        if len(ids) > limit:
            raise InputError(f"The text is at its limit of {limit:,} tokens.")
        t0 = time.perf_counter()
        with lm.lock, torch.inference_mode():
            tokens = from_ids(lm.tokenizer, ids)
            out = lm.model(input_ids=torch.tensor([ids]), output_attentions=True)
        return _result(lm, out, tokens, len(ids), len(ids), limit, t0, *opts)
    if len(text or "") > MAX_CHARS or len(pair or "") > MAX_CHARS:
        raise InputError(f"Use at most {MAX_CHARS:,} characters.")
    causal = lm.spec.task == "causal-lm"
    if causal and (pair or "").strip():
        raise InputError("Sentence pairs are for encoders such as BERT; a decoder reads one text.")
    model_limit = token_limit(lm)
    limit = max(min(model_limit, MAX_VIEW_TOKENS) - reserve, 4)
    t0 = time.perf_counter()
    with lm.lock, torch.inference_mode():
        enc, tokens, n_total, n_kept = encode(lm.tokenizer, text, pair, limit)
        inputs = {"input_ids": torch.tensor([enc["input_ids"]]),
                  "attention_mask": torch.tensor([enc["attention_mask"]])}
        if "token_type_ids" in enc and getattr(lm.model.config, "type_vocab_size", 0) > 1:
            inputs["token_type_ids"] = torch.tensor([enc["token_type_ids"]])
        out = lm.model(**inputs, output_attentions=True)
    res = _result(lm, out, tokens, n_total, n_kept, limit, t0, *opts)
    res.model_limit = model_limit - reserve
    return res


def _result(lm: LoadedLM, out, tokens: Tokens, n_total: int, n_kept: int, limit: int, t0: float,
            last_only: bool = False, compact: bool = False):
    causal = lm.spec.task == "causal-lm"
    if not out.attentions or out.attentions[0] is None:
        raise InputError("This model did not return attention weights.")
    attn = torch.stack([a[0, :, -1:] if last_only else a[0] for a in out.attentions])
    attn = attn.to(torch.float16 if compact else torch.float32).numpy()
    logits = out.logits[0, -1].float().numpy() if causal and hasattr(out, "logits") else None
    return Attention(tokens, attn, logits, n_total, n_kept, limit, causal, time.perf_counter() - t0)


# ---- summaries of the attention tensor ---------------------------------------------------------
def head_mean(attn: np.ndarray, layer: int) -> np.ndarray:
    """(T, T): one layer's attention averaged over its heads."""
    return attn[layer].mean(axis=0)


def rollout(attn: np.ndarray) -> np.ndarray:
    """(T, T) attention rollout across all layers (the same function as for images)."""
    return rollout_matrix(list(attn)).numpy()


def attended_by_layer(attn: np.ndarray, token: int, head: int | None = None) -> np.ndarray:
    """(layers, T): where ``token`` looks in each layer (one head, or the heads' mean)."""
    a = attn[:, :, token, :]
    return a.mean(axis=1) if head is None else a[:, head]


def top_attended(attn: np.ndarray, token: int, k: int = 3, head: int | None = None) -> list[list[tuple[int, float]]]:
    """Per layer, the ``k`` positions ``token`` attends to most, with their weights."""
    rows = attended_by_layer(attn, token, head)
    out = []
    for r in rows:
        order = np.argsort(-r, kind="stable")[:k]
        out.append([(int(j), float(r[j])) for j in order])
    return out
