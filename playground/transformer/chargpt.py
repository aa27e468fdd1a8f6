"""The app's own small GPT: a character-level GPT-2 trained here, offline, on a bundled
public-domain text (the Book of Genesis, King James Version, 1611 — see ``text/README.md``).

It is a real ``transformers`` ``GPT2LMHeadModel`` (eager attention) with a character tokenizer,
wrapped as a :class:`~playground.language.models.LoadedLM`: the attention views, next-token
sampling and the logit lens run on it with the same code as on DistilGPT-2. Seeded: the same
seed and steps give the same weights. Trained once per server (``ui.own_gpt``); retrainable.
"""
from __future__ import annotations

import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from ..language.models import HFModel, LoadedLM
from ..threads import few_threads

TEXT = Path(__file__).with_name("text") / "genesis.txt"
UNK = "\ufffd"                      # every character the text never uses becomes this one token
BLOCK = 64                           # characters the model reads (its context)
STEPS = 500                          # ≈ 20-50 s on 1-2 threads (benchmarks/own_models.py)
STEPS_ENV = "PLAYGROUND_OWN_GPT_STEPS"   # fewer steps on a slow server (and in the page tests)
SPEC = HFModel("owngpt", "The app's own tiny GPT (characters, trained here)", "causal-lm", "",
               0, 0, "trained here on public-domain text", "A character-level GPT-2 trained "
               "in the app on the Book of Genesis (KJV, public domain).", "GPT2LMHeadModel",
               ("GPT2Config", ()), max_tokens=BLOCK)


class CharEncoding(dict):
    """What a Hugging Face tokenizer returns, for one text of characters."""

    def sequence_ids(self, i: int = 0) -> list[int | None]:
        return [0] * len(self["input_ids"])


class CharTokenizer:
    """One token per character; the vocabulary is the characters of the training text.

    The subset of the Hugging Face tokenizer interface the app uses (call, offsets, decode,
    ``convert_ids_to_tokens``), so the attention and sampling code needs no special case."""

    def __init__(self, text: str):
        self.chars = [UNK] + sorted(set(text) - {UNK})
        self.index = {c: i for i, c in enumerate(self.chars)}
        self.all_special_ids: list[int] = []
        self.unk_id = 0

    def __len__(self) -> int:
        return len(self.chars)

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    def ids(self, text: str) -> list[int]:
        return [self.index.get(c, 0) for c in text]

    def __call__(self, text: str, add_special_tokens: bool = True, truncation: bool = False,
                 max_length: int | None = None, return_offsets_mapping: bool = False,
                 return_special_tokens_mask: bool = False, **_) -> CharEncoding:
        ids = self.ids(text or "")
        if truncation and max_length is not None:
            ids = ids[:max_length]
        enc = CharEncoding(input_ids=ids, attention_mask=[1] * len(ids))
        if return_offsets_mapping:
            enc["offset_mapping"] = [(i, i + 1) for i in range(len(ids))]
        if return_special_tokens_mask:
            enc["special_tokens_mask"] = [0] * len(ids)
        return enc

    def convert_ids_to_tokens(self, ids) -> list[str]:
        return [self.chars[int(i)] if 0 <= int(i) < len(self.chars) else UNK for i in ids]

    def decode(self, ids, **_) -> str:
        return "".join(self.convert_ids_to_tokens(ids))


@dataclass
class OwnGPT:
    lm: LoadedLM                  # the model (eval, no gradients) and its tokenizer
    steps: int
    seconds: float
    seed: int
    train_loss: float
    val_loss: float               # mean cross-entropy per character on the held-out 10 %
    curve: list[tuple[int, float, float]] = field(default_factory=list)  # step, train, val
    sample: str = ""

    @property
    def summary(self) -> str:
        return (f"{self.lm.n_params / 1e3:.0f} k parameters, trained here for {self.steps} steps "
                f"({self.seconds:.0f} s, seed {self.seed}): validation loss {self.val_loss:.2f} "
                f"per character (a uniform guess scores {math.log(len(self.lm.tokenizer)):.2f})")


def load_text() -> str:
    return TEXT.read_text(encoding="utf-8")


def build(tok: CharTokenizer, seed: int, n_layer: int = 2, n_head: int = 4, n_embd: int = 64):
    from transformers import GPT2Config, GPT2LMHeadModel

    cfg = GPT2Config(vocab_size=len(tok), n_positions=BLOCK, n_embd=n_embd, n_layer=n_layer,
                     n_head=n_head, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0,
                     bos_token_id=0, eos_token_id=0)
    cfg._attn_implementation = "eager"          # attention weights can be returned
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return GPT2LMHeadModel(cfg)


def _batch(data: torch.Tensor, gen: torch.Generator, batch: int):
    starts = torch.randint(0, len(data) - BLOCK - 1, (batch,), generator=gen)
    x = torch.stack([data[s:s + BLOCK] for s in starts])
    y = torch.stack([data[s + 1:s + BLOCK + 1] for s in starts])
    return x, y


def _loss(model, x, y) -> torch.Tensor:
    return F.cross_entropy(model(input_ids=x).logits.flatten(0, 1), y.flatten())


def train_gpt(seed: int = 0, steps: int | None = None, batch: int = 32, lr: float = 3e-3,
              text: str | None = None, progress: Callable[[int, int, float], None] | None = None,
              n_layer: int = 2, n_head: int = 4, n_embd: int = 64, sample_chars: int = 160) -> OwnGPT:
    """Train the character GPT (AdamW, cosine decay); ``progress(step, steps, loss)``."""
    if steps is None:
        steps = max(1, int(os.environ.get(STEPS_ENV) or STEPS))
    text = load_text() if text is None else text
    tok = CharTokenizer(text)
    ids = torch.tensor(tok.ids(text), dtype=torch.long)
    cut = int(len(ids) * 0.9)
    train, val = ids[:cut], ids[cut:]
    model = build(tok, seed, n_layer, n_head, n_embd)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / 50) * 0.5 * (1 + math.cos(math.pi * min(s / steps, 1))))
    gen = torch.Generator().manual_seed(seed + 1)
    vgen = torch.Generator().manual_seed(12345)
    vx, vy = _batch(val, vgen, 64)
    t0, curve, running = time.perf_counter(), [], None
    with few_threads(min(2, torch.get_num_threads())), torch.enable_grad():
        model.train()
        for s in range(steps):
            x, y = _batch(train, gen, batch)
            loss = _loss(model, x, y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            lv = float(loss.detach())
            running = lv if running is None else 0.9 * running + 0.1 * lv
            if (s + 1) % 100 == 0 or s + 1 == steps:
                model.eval()
                with torch.inference_mode():
                    v = float(_loss(model, vx, vy))
                model.train()
                curve.append((s + 1, running, v))
                if progress:
                    progress(s + 1, steps, v)
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    lm = LoadedLM(SPEC, model, tok, source="trained here", path=f"seed{seed}-steps{steps}")
    out = OwnGPT(lm, steps, time.perf_counter() - t0, seed, curve[-1][1], curve[-1][2], curve)
    out.sample = generate(lm, "And God said", sample_chars, temperature=0.8, seed=seed)
    return out


def generate(lm: LoadedLM, prompt: str, n: int, temperature: float = 0.8, seed: int = 0) -> str:
    """``n`` characters after ``prompt`` (sampled with a temperature, seeded)."""
    tok, model = lm.tokenizer, lm.model
    ids = tok.ids(prompt)[-BLOCK:] or [0]
    rng = np.random.default_rng(seed)
    with lm.lock, few_threads(), torch.inference_mode():
        for _ in range(n):
            logits = model(input_ids=torch.tensor([ids[-BLOCK:]])).logits[0, -1].double()
            p = torch.softmax(logits / max(temperature, 1e-3), -1).numpy()
            ids.append(int(rng.choice(p.size, p=p / p.sum())))
    return tok.decode(ids[len(tok.ids(prompt)):])
