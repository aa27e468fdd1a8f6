"""The image-classification page on the app's own digits CNN (offline, trained here).

The page's ImageNet tools (CAM methods, attacks, corruption sweeps) take "a classifier of
pixels in [0, 1]"; :class:`DigitsClassifier` makes the trained 8×8 digits CNN of
:mod:`playground.cnn.own` one (grey in, ten digits out). Pictures become the 8×8 grey digit the
model reads with :func:`playground.cnn.digits.to_input`. The sentences the page shows are built
here from the numbers they describe, and :func:`robustness` measures the CNN's test accuracy
under random and FGSM changes of the same size (the robustness lesson's experiment).
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from ..cnn import digits as D

EPS = (0.02, 0.05, 0.1, 0.15, 0.2, 0.3)     # the largest change per pixel (pixels are 0…1)


class DigitsClassifier:
    """The own digits CNN as a function of pixels in [0, 1]: grey (N, 1, 8, 8) or RGB
    (N, 3, 8, 8) in, logits for the digits 0-9 out. The shared model is only read."""

    family = "small_cnn"

    def __init__(self, own):
        self.own, self.model = own, own.model
        self.categories = list(own.data.classes)

    @staticmethod
    def grey(x: torch.Tensor) -> torch.Tensor:
        return x.mean(dim=1, keepdim=True) if x.shape[1] == 3 else x

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(self.grey(x))

    def probs(self, x: torch.Tensor) -> torch.Tensor:
        with torch.inference_mode():
            return torch.softmax(self(x), dim=1)


def picture(x: torch.Tensor) -> Image.Image:
    """(1, 1, H, W) or (1, H, W) in [0, 1] → the small grey picture as RGB (for corruptions)."""
    a = x.detach().reshape(-1, *x.shape[-2:])[0].clamp(0, 1).numpy()
    return Image.fromarray(np.round(a * 255).astype(np.uint8)).convert("RGB")


def tensor(img: Image.Image) -> torch.Tensor:
    """A small picture → (1, 1, H, W) grey in [0, 1] (inverse of :func:`picture`)."""
    a = np.asarray(img.convert("L"), dtype=np.float32) / 255.0
    return torch.from_numpy(a)[None, None]


def from_picture(img: Image.Image, size: int = 8, invert: bool | None = None) \
        -> tuple[torch.Tensor | None, list[str], str | None]:
    """A photo, upload or drawing → (the 8×8 digit, what was done, a problem or None).

    An empty picture (one flat colour, all black, nothing drawn) is a problem: there is no
    digit for the model to read."""
    g = np.asarray(img.convert("L"), dtype=np.float32)
    if g.size == 0 or float(g.max() - g.min()) < 8:
        return None, [], ("This picture is one flat colour: there is no digit in it for the model "
                          "to read. Draw, upload or photograph one digit.")
    x, notes = D.to_input(img, size, invert)
    if float(x.max()) <= 0 or any(n.startswith("No ink") for n in notes):
        return None, notes, ("No digit found in this picture (no ink after the conversion). Draw, "
                             "upload or photograph one digit, light on dark or dark on light.")
    return x, notes, None


# ---- sentences from the numbers -------------------------------------------------------------
def pct(p: float) -> str:
    return f"{p:.0%}"


def answer_sentence(pred: int, p: float, true: int | None) -> str:
    said = f"The CNN reads **{pred}** ({pct(p)} sure)"
    if true is None:
        return said + "."
    return said + (f"; this test digit is a {true}: right." if pred == true
                   else f"; this test digit is a {true}: a mistake.")


def heat_sentence(heat: np.ndarray, cls: int) -> str:
    """Where the map is, from its values: the hottest pixel and how concentrated it is."""
    h = np.clip(np.nan_to_num(np.asarray(heat, dtype=np.float64)), 0, None)
    total = float(h.sum())
    if total <= 0:
        return (f"The map is zero everywhere: here nothing raises the score of {cls} (try another "
                "layer or method).")
    r, c = np.unravel_index(int(h.argmax()), h.shape)
    share = np.sort(h.ravel())[::-1].cumsum() / total
    k = int(np.searchsorted(share, 0.5) + 1)
    return (f"The hottest pixel is in row {r + 1}, column {c + 1} of {h.shape[0]}×{h.shape[1]}; "
            f"{k} of the {h.size} pixels hold half of the map's total.")


def attack_sentence(cls: int, new: int, p_before: float, p_after: float, eps: float,
                    target: int | None = None) -> str:
    """What the attack did, from the probabilities before and after."""
    moved = f"P({cls}) went from {pct(p_before)} to {pct(p_after)}"
    if target is not None:
        if new == target:
            return f"With every pixel changed by at most {eps:g}, the CNN now says {target}, as the attack asked ({moved})."
        return (f"With every pixel changed by at most {eps:g}, the CNN does not say {target}: its "
                f"answer is {new} ({moved}). A larger ε or more steps may get there.")
    if new != cls:
        return (f"With every pixel changed by at most {eps:g}, the answer flips from {cls} to "
                f"{new} ({moved}).")
    return (f"With every pixel changed by at most {eps:g}, the answer stays {cls} ({moved}). "
            "Try a larger ε or the iterative attack.")


def sweep_sentence(levels, probs, still_top1, unit: str, name: str) -> str:
    """How the confidence in ``name`` changed along a corruption ladder (harmless first)."""
    first = next((i for i, ok in enumerate(still_top1) if not ok), None)
    span = f"P({name}) goes from {pct(probs[0])} at {unit} = {levels[0]:g} to {pct(probs[-1])} at {levels[-1]:g}"
    if first is None:
        return f"{span}; it stays the top answer at every level."
    if first == 0:
        return f"{span}; it is not the top answer even without this corruption."
    return f"{span}; the answer first changes at {unit} = {levels[first]:g}."


# ---- robustness over the whole test set -----------------------------------------------------
def fgsm_batch(model, x: torch.Tensor, y: torch.Tensor, eps: float) -> torch.Tensor:
    """Every digit pushed by ε along the sign of its own loss gradient (untargeted FGSM)."""
    with torch.inference_mode(False), torch.enable_grad():
        xi = x.detach().clone().requires_grad_(True)
        loss = F.cross_entropy(model(xi), y, reduction="sum")
        (g,) = torch.autograd.grad(loss, xi)
    return (x + eps * g.sign()).clamp(0, 1)


def accuracy(model, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.inference_mode():
        return float((model(x).argmax(1) == y).float().mean())


def robustness(own, eps: float, seed: int = 0) -> dict:
    """Test accuracy of the digits CNN: clean, with random ±ε on every pixel (seeded), and with
    FGSM of the same size ε. Returns fractions and the number of test digits."""
    x, y = own.data.x_test, own.data.y_test.long()
    gen = torch.Generator().manual_seed(seed)
    signs = torch.randint(0, 2, x.shape, generator=gen).float() * 2 - 1
    noisy = (x + eps * signs).clamp(0, 1)
    return {"clean": accuracy(own.model, x, y), "random": accuracy(own.model, noisy, y),
            "fgsm": accuracy(own.model, fgsm_batch(own.model, x, y, eps), y), "n": len(y),
            "eps": eps}


def robustness_sentence(r: dict) -> str:
    worse = "the FGSM direction" if r["fgsm"] < r["random"] else \
        "random noise" if r["random"] < r["fgsm"] else "neither (a tie)"
    return (f"Over all {r['n']} test digits, with every pixel changed by at most {r['eps']:g}: "
            f"{r['clean']:.1%} right unchanged, {r['random']:.1%} with random ±{r['eps']:g} noise, "
            f"{r['fgsm']:.1%} with FGSM. The same size of change hurts most along {worse}.")
