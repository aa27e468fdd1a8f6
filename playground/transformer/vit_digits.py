"""A small Vision Transformer the app trains on the bundled 8×8 digits (seeded, seconds, offline).

The image is cut into 2×2-pixel patches (a 4×4 grid of 16 patches, as ViT-B/16 cuts a 224×224
photo into 14×14 patches of 16×16 pixels); each patch is flattened and mapped to a vector; a
learned position embedding says where it came from; a class token collects the answer. Two
encoder layers of four heads return their attention, so the page can show where the class
token looks, head by head and rolled out.
"""
from __future__ import annotations

import time
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..cnn.digits import load_digits8
from ..cnn.own import OwnCNN
from ..threads import few_threads
from ..vision.explain import rollout_matrix
from .tiny import Block

PATCH = 2
STEPS = 400


class DigitViT(nn.Module):
    def __init__(self, size: int = 8, d: int = 32, heads: int = 4, layers: int = 2,
                 n_classes: int = 10):
        super().__init__()
        self.grid = size // PATCH
        self.patch = nn.Linear(PATCH * PATCH, d)
        self.cls = nn.Parameter(torch.zeros(1, 1, d))
        self.pos = nn.Parameter(torch.randn(1 + self.grid ** 2, d) * 0.1)
        self.blocks = nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.head = nn.Linear(d, n_classes)

    def patches(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 1, H, W) → (N, patches, PATCH²), row by row."""
        return F.unfold(x, PATCH, stride=PATCH).transpose(1, 2)

    def forward(self, x: torch.Tensor):
        """Logits (N, 10) and attention (layers, N, heads, 1 + patches, 1 + patches)."""
        h = self.patch(self.patches(x))
        h = torch.cat([self.cls.expand(len(x), -1, -1), h], 1) + self.pos
        maps = []
        for b in self.blocks:
            h, w = b(h)
            maps.append(w)
        return self.head(h[:, 0]), torch.stack(maps)


OwnViT = OwnCNN      # the same record: model, data, test accuracy, steps, seconds, seed, kind


def train_digit_vit(seed: int = 0, steps: int = STEPS, batch: int = 64, lr: float = 3e-3) -> OwnViT:
    t0 = time.perf_counter()
    data = load_digits8(seed)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = DigitViT(data.size)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed + 1)
    with few_threads(), torch.enable_grad():
        model.train()
        for _ in range(steps):
            idx = torch.randint(0, len(data.y_train), (batch,), generator=gen)
            loss = F.cross_entropy(model(data.x_train[idx])[0], data.y_train[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    with few_threads(), torch.inference_mode():
        acc = float((model(data.x_test)[0].argmax(1) == data.y_test).float().mean())
    n = sum(p.numel() for p in model.parameters())
    return OwnViT(model, data, acc, steps, time.perf_counter() - t0, seed,
                  f"{len(model.blocks)}-layer ViT of {n / 1e3:.0f} k parameters")


def look(model: DigitViT, x: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """(class probabilities (10,), attention (layers, heads, T, T)) for one digit."""
    with few_threads(), torch.inference_mode():
        logits, attn = model(x[:1])
    return logits.softmax(1)[0].numpy(), attn[:, 0].numpy()


def cls_map(attn: np.ndarray, layer: int, head: int | None = None) -> np.ndarray:
    """Where the class token looks in one layer: a (grid, grid) map of the patches."""
    a = attn[layer, :, 0, 1:]
    a = a.mean(0) if head is None else a[head]
    g = int(round(np.sqrt(a.size)))
    return a.reshape(g, g)


def rollout_map(attn: np.ndarray) -> np.ndarray:
    """Attention rollout through all layers, the class token's row over the patches."""
    r = rollout_matrix([torch.from_numpy(a) for a in attn]).numpy()[0, 1:]
    g = int(round(np.sqrt(r.size)))
    return r.reshape(g, g)


def position_similarity(model: DigitViT) -> np.ndarray:
    """(patches, grid, grid): cosine similarity of each patch's position embedding with every
    patch's — learned, nearby patches end up with similar embeddings."""
    p = F.normalize(model.pos[1:].detach(), dim=1)
    g = model.grid
    return (p @ p.T).reshape(g * g, g, g).numpy()


def draw_patches(img, patch: int = 16, highlight: int | None = None):
    """The picture with its patch grid drawn on (and one patch outlined): what a ViT's tokens are."""
    from PIL import ImageDraw

    out = img.convert("RGB").copy()
    d = ImageDraw.Draw(out)
    w, h = out.size
    for x in range(0, w + 1, patch):
        d.line([(min(x, w - 1), 0), (min(x, w - 1), h)], fill=(255, 255, 255), width=1)
    for y in range(0, h + 1, patch):
        d.line([(0, min(y, h - 1)), (w, min(y, h - 1))], fill=(255, 255, 255), width=1)
    if highlight is not None:
        r, c = divmod(highlight, w // patch)
        d.rectangle([c * patch, r * patch, (c + 1) * patch - 1, (r + 1) * patch - 1],
                    outline=(245, 147, 34), width=3)
    return out
