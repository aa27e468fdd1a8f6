"""Inside a GPT-2-style decoder's layers: the logit lens, a token's rank across layers, and each
attention head's direct logit attribution.

Works on any ``GPT2LMHeadModel`` (DistilGPT-2 from the hub, the app's own character GPT, the
tiny random GPT-2 of the tests). The shared model is never modified (no hooks): one forward
pass returns every layer's hidden state and attention; each head's output is recomputed from
its attention weights and value vectors, and each MLP from the model's own modules.

- Logit lens (nostalgebraist, 2020): read the residual stream after each layer through the
  model's final layer norm and unembedding, as if the model stopped there. After the last
  layer this *is* the model's output.
- Direct logit attribution: the final logit of a token is ``W_U[:, t] · LN(x)``; with the layer
  norm's scale frozen at its value for the final residual, it splits exactly into a sum over
  everything written to the residual stream: the embeddings, each head, each MLP, biases.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..language.models import LoadedLM
from ..language.tasks import InputError
from .attention import MAX_CHARS, Tokens, encode, token_limit

MAX_LENS_TOKENS = 256


@dataclass
class Lens:
    tokens: Tokens
    logits: np.ndarray        # (L + 1, T, V): after the embeddings, then after each block
    head_out: np.ndarray      # (L, H, D): each head's write to the last position's residual
    attn_bias: np.ndarray     # (L, D): the attention output projection's bias
    mlp_out: np.ndarray       # (L, D): each MLP's write to the last position
    embed: np.ndarray         # (D,): token + position embedding at the last position
    final_resid: np.ndarray   # (D,): the residual stream before the final layer norm
    ln_scale: np.ndarray      # (D,): gamma / std(final residual)
    ln_beta: np.ndarray       # (D,)
    w_u: np.ndarray           # (V, D): the unembedding
    n_cut: int = 0

    @property
    def layers(self) -> int:
        return self.head_out.shape[0]

    @property
    def heads(self) -> int:
        return self.head_out.shape[1]

    def probs(self) -> np.ndarray:
        z = self.logits - self.logits.max(-1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(-1, keepdims=True)

    def top(self, k: int = 1) -> np.ndarray:
        """(L + 1, T, k) token ids of the ``k`` best guesses after each layer."""
        return np.argsort(-self.logits, axis=-1, kind="stable")[..., :k]

    def rank(self, token_id: int, pos: int = -1) -> np.ndarray:
        """(L + 1,) rank of ``token_id`` after each layer at position ``pos`` (0 = top guess)."""
        z = self.logits[:, pos]
        return (z > z[:, [token_id]]).sum(-1)

    def _dla(self, vec: np.ndarray, token_id: int) -> np.ndarray:
        centred = vec - vec.mean(-1, keepdims=True)
        return (centred * self.ln_scale) @ self.w_u[token_id]

    def head_attribution(self, token_id: int) -> np.ndarray:
        """(L, H): how much each head adds to ``token_id``'s final logit at the last position."""
        return self._dla(self.head_out, token_id)

    def parts(self, token_id: int) -> dict[str, float]:
        """Every direct contribution to the final logit of ``token_id``; they add up to it."""
        out = {"embeddings": float(self._dla(self.embed, token_id))}
        for l in range(self.layers):
            out[f"attention biases {l}"] = float(self._dla(self.attn_bias[l], token_id))
            out[f"MLP {l}"] = float(self._dla(self.mlp_out[l], token_id))
        out["final layer norm bias"] = float(self.ln_beta @ self.w_u[token_id])
        return out


def _heads_split(x: torch.Tensor, n_head: int) -> torch.Tensor:
    t, d = x.shape
    return x.view(t, n_head, d // n_head).transpose(0, 1)       # (H, T, dh)


def run(lm: LoadedLM, text: str) -> Lens:
    """The logit lens and the attribution parts of ``text`` (cut to the model's context)."""
    model = lm.model
    if not hasattr(model, "transformer") or not hasattr(model.transformer, "h"):
        raise InputError("The logit lens here reads GPT-2-style decoders only.")
    if len(text or "") > MAX_CHARS:
        raise InputError(f"Use at most {MAX_CHARS:,} characters.")
    limit = min(token_limit(lm), MAX_LENS_TOKENS)
    tr = model.transformer
    with lm.lock, torch.inference_mode():
        enc, tokens, n_total, n_kept = encode(lm.tokenizer, text, None, limit)
        ids = torch.tensor([enc["input_ids"]])
        out = model(input_ids=ids, output_hidden_states=True, output_attentions=True)
        hs = out.hidden_states                     # L + 1; the last one has ln_f applied
        L, H = len(tr.h), model.config.n_head
        resid = hs[0][0]
        head_out, biases, mlps, lens = [], [], [], []
        for l, block in enumerate(tr.h):
            lens.append(resid)
            a = out.attentions[l][0]                              # (H, T, T)
            qkv = block.attn.c_attn(block.ln_1(resid))
            v = _heads_split(qkv.split(qkv.shape[-1] // 3, dim=-1)[2], H)
            z = a @ v                                             # (H, T, dh)
            w_o = block.attn.c_proj.weight                        # (D, D): out = z @ W + b
            dh = z.shape[-1]
            per_head = torch.stack([z[h] @ w_o[h * dh:(h + 1) * dh] for h in range(H)])
            bias = block.attn.c_proj.bias
            mid = resid + per_head.sum(0) + bias
            mlp = block.mlp(block.ln_2(mid))
            resid = mid + mlp
            head_out.append(per_head[:, -1])
            biases.append(bias)
            mlps.append(mlp[-1])
        stack = torch.stack(lens[1:] + [resid]) if L > 1 else resid[None]
        lens_logits = model.lm_head(tr.ln_f(torch.cat([lens[0][None], stack])))
        x = resid[-1]
        ln = tr.ln_f
        scale = ln.weight / torch.sqrt(x.var(unbiased=False) + ln.eps)
        f = lambda t: t.float().numpy()  # noqa: E731
        return Lens(tokens, f(lens_logits), f(torch.stack(head_out)), f(torch.stack(biases)),
                    f(torch.stack(mlps)), f(hs[0][0, -1]), f(x), f(scale), f(ln.bias),
                    f(model.lm_head.weight), n_total - n_kept)


def describe_heads(dla: np.ndarray, token: str, k: int = 2) -> str:
    """A sentence about the heads that push hardest toward and against ``token``."""
    flat = [(float(dla[l, h]), l, h) for l in range(dla.shape[0]) for h in range(dla.shape[1])]
    pos = sorted((x for x in flat if x[0] > 0), reverse=True)[:k]
    neg = sorted(x for x in flat if x[0] < 0)[:k]
    parts = []
    if pos:
        parts.append(f"toward “{token}” most: " + ", ".join(f"layer {l} head {h} ({v:+.2f})"
                                                          for v, l, h in pos))
    if neg:
        parts.append(f"against it most: " + ", ".join(f"layer {l} head {h} ({v:+.2f})"
                                                     for v, l, h in neg))
    return "Heads that push " + "; ".join(parts) + "." if parts else "No head changes this logit."


def describe_embedding_row(lens: Lens, last: int = 16) -> str:
    """How often the embeddings-only guess is just the token read (GPT-2 ties its input and
    output embeddings, so before any layer runs the best guess tends to repeat the input)."""
    ids = np.asarray(lens.tokens.ids)[-last:]
    same = int((lens.top(1)[0, -last:, 0] == ids).sum())
    return (f"After the embeddings alone the guess is the token just read at {same} of "
            f"{len(ids)} positions" + (": the input and output embeddings are the same matrix, "
                                       "and the layers must move it away." if same * 2 > len(ids)
                                       else "."))


def first_layer_on_top(lens: Lens, pos: int = -1) -> int | None:
    """The first layer (0 = embeddings) from which the final top guess stays on top."""
    top = lens.top(1)[:, pos, 0]
    final = top[-1]
    for l in range(len(top)):
        if (top[l:] == final).all():
            return l
    return None
