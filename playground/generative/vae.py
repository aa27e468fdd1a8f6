"""A variational autoencoder on handwritten digits (8×8 bundled, or MNIST 28×28 when on disk).

Encoder q(z|x) = N(μ(x), σ²(x)), decoder p(x|z) Bernoulli per pixel, prior p(z) = N(0, I).
Per image, the negative ELBO is  reconstruction + KL:
  reconstruction = −E_q[log p(x|z)]  (binary cross-entropy summed over pixels, one z sample)
  KL             = KL(q(z|x) ‖ p(z)) = ½ Σ (μ² + σ² − 1 − log σ²)
and the loss trained is reconstruction + β·KL (β = 1: the ELBO itself; β > 1 pushes codes
towards the prior, blurrier but a smoother latent space; β < 1 the reverse).
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..cnn.digits import DigitData
from ..threads import few_threads
from .live import FRAME_BUDGET_S, diverged_message, finite, mlp, params_finite, run_budgeted, thin

BETAS = (0.0, 0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
LATENTS = (2, 4, 8, 16)
LRS = (3e-4, 1e-3, 3e-3, 1e-2, 3e-2)
WIDTHS = (64, 128, 256)


@dataclass(frozen=True)
class Settings:
    latent: int = 2
    width: int = 128
    beta: float = 1.0
    lr: float = 3e-3
    batch: int = 64
    seed: int = 0


class VAE(nn.Module):
    def __init__(self, pixels: int, latent: int, width: int):
        super().__init__()
        self.enc = mlp(pixels, width, 2, 2 * latent)
        self.dec = mlp(latent, width, 2, pixels)
        self.latent = latent

    def encode(self, x):
        h = self.enc(x.flatten(1))
        mu, logvar = h.chunk(2, dim=1)
        return mu, logvar.clamp(-12, 8)

    def decode_logits(self, z):
        return self.dec(z)

    def decode(self, z):
        return torch.sigmoid(self.dec(z))


def elbo_terms(model: VAE, x: torch.Tensor, gen: torch.Generator | None = None) -> dict:
    """Per-image averages of the reconstruction term and the KL term (one reparameterised z)."""
    x = x.flatten(1)
    mu, logvar = model.encode(x)
    eps = torch.randn(mu.shape, generator=gen)
    z = mu + torch.exp(0.5 * logvar) * eps
    logits = model.decode_logits(z)
    rec = F.binary_cross_entropy_with_logits(logits, x, reduction="none").sum(1)
    kl = 0.5 * (mu ** 2 + logvar.exp() - 1 - logvar).sum(1)
    return {"recon": rec.mean(), "kl": kl.mean(), "mu": mu, "logvar": logvar, "z": z,
            "recon_each": rec, "kl_each": kl}


class VAERun:
    def __init__(self, data: DigitData, s: Settings):
        self.data, self.s = data, s
        torch.manual_seed(s.seed)
        self.pixels = int(data.x_train[0].numel())
        self.model = VAE(self.pixels, s.latent, s.width)
        self.opt = torch.optim.Adam(self.model.parameters(), lr=s.lr)
        self.gen = torch.Generator().manual_seed(s.seed)
        self.x_train = data.x_train.flatten(1)
        self.x_test = data.x_test.flatten(1)[:1000]
        self.y_test = data.y_test[:1000]
        self.steps, self.pos = 0, 0
        self.order = torch.randperm(len(self.x_train), generator=self.gen)
        self.history: list[tuple] = []     # (step, recon, KL, β) on test images
        self.status, self.message = "ok", ""
        self.evaluate()

    def set_beta(self, beta: float):
        self.s = replace(self.s, beta=float(beta))

    def set_lr(self, lr: float):
        for g in self.opt.param_groups:
            g["lr"] = lr
        self.s = replace(self.s, lr=lr)

    def _one(self) -> bool:
        if self.pos + self.s.batch > len(self.order):
            self.order = torch.randperm(len(self.x_train), generator=self.gen)
            self.pos = 0
        x = self.x_train[self.order[self.pos:self.pos + self.s.batch]]
        self.pos += self.s.batch
        t = elbo_terms(self.model, x, self.gen)
        loss = t["recon"] + self.s.beta * t["kl"]
        v = float(loss.detach())
        if not finite(v):
            self.status = "diverged"
            self.message = diverged_message("loss", v, "The encoder's variances overflowed.")
            return False
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        self.opt.step()
        self.steps += 1
        if not params_finite(self.model):
            self.status = "diverged"
            self.message = diverged_message("weights", float("nan"), "One update was too large.")
            return False
        return True

    def step(self, n: int = 1, max_seconds: float | None = FRAME_BUDGET_S) -> int:
        if self.status != "ok":
            return 0
        done = run_budgeted(self._one, n, max_seconds)
        if done:
            self.evaluate()
        return done

    def evaluate(self):
        """Both ELBO terms on (up to 1000) test images, a fixed noise sample: a smooth curve."""
        with few_threads(), torch.inference_mode():
            t = elbo_terms(self.model, self.x_test, torch.Generator().manual_seed(1))
        self.recon, self.kl = float(t["recon"]), float(t["kl"])
        if finite(self.recon, self.kl):
            self.history.append((self.steps, self.recon, self.kl, self.s.beta))
            self.history = thin(self.history)

    @property
    def loss(self) -> float:
        return self.recon + self.s.beta * self.kl

    @property
    def side(self) -> int:
        return int(self.data.x_train.shape[-1])

    # ---- what the page shows ------------------------------------------------------------------
    def reconstruct(self, idx) -> tuple[np.ndarray, np.ndarray]:
        """(originals, reconstructions from μ) of test images ``idx``, each (k, side, side)."""
        x = self.x_test[list(idx)]
        with torch.inference_mode():
            mu, _ = self.model.encode(x)
            r = self.model.decode(mu)
        return self._img(x), self._img(r)

    def latent_means(self) -> tuple[np.ndarray, np.ndarray]:
        """μ of every test image (first two latent dimensions) and its class."""
        with torch.inference_mode():
            mu, _ = self.model.encode(self.x_test)
        return mu[:, :2].numpy(), self.y_test.numpy()

    def decode_grid(self, n: int = 10, span: float = 2.5) -> np.ndarray:
        """Images decoded from an n×n grid of z₁, z₂ in [−span, span] (other dims 0); row 0 on top."""
        v = torch.linspace(-span, span, n)
        z = torch.zeros(n * n, self.s.latent)
        z[:, 0] = v.repeat(n)
        z[:, 1] = v.flip(0).repeat_interleave(n)
        with torch.inference_mode():
            return self._img(self.model.decode(z))

    def interpolate(self, i: int, j: int, n: int = 8) -> np.ndarray:
        """Decoded images along the straight line between test images i and j's μ."""
        with torch.inference_mode():
            mu, _ = self.model.encode(self.x_test[[i, j]])
            w = torch.linspace(0, 1, n)[:, None]
            return self._img(self.model.decode((1 - w) * mu[0] + w * mu[1]))

    def sample(self, n: int, seed: int) -> np.ndarray:
        """n images decoded from z ~ N(0, I)."""
        z = torch.randn(n, self.s.latent, generator=torch.Generator().manual_seed(seed))
        with torch.inference_mode():
            return self._img(self.model.decode(z))

    def first_of_class(self, digit: int) -> int:
        hits = (self.y_test == digit).nonzero()
        return int(hits[0]) if len(hits) else 0

    def _img(self, x: torch.Tensor) -> np.ndarray:
        return x.reshape(-1, self.side, self.side).numpy()


def describe(run: VAERun) -> str:
    """One sentence about the balance of the two terms, from the numbers themselves."""
    if len(run.history) < 2:
        return ""
    first, last = run.history[0], run.history[-1]
    per_dim = last[2] / run.s.latent
    s = (f"Reconstruction {last[1]:.1f} (was {first[1]:.1f}), KL {last[2]:.2f} nats "
         f"({per_dim:.2f} per latent dimension), β = {run.s.beta:g}. ")
    if per_dim < 0.05 and run.steps < 300:
        s += ("The KL term is still near zero: early in training the encoder has not started to "
              "put information into the codes yet.")
    elif per_dim < 0.05:
        s += ("The KL term is almost zero: the codes carry next to no information about the image "
              "(posterior collapse), so every reconstruction looks alike. Lower β.")
    elif run.s.beta <= 0.25:
        s += ("With a small β the encoder may spread codes far from the prior, so samples from "
              "N(0, I) can land where no training image was encoded.")
    else:
        s += "Both terms are active: the codes carry information and stay close to the prior."
    return s
