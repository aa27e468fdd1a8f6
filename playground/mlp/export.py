"""Export a trained playground network as runnable PyTorch code plus safetensors weights."""
from __future__ import annotations

import io
import zipfile

import numpy as np
from safetensors.numpy import save as save_safetensors

from . import features as F
from .activations import ACTIVATIONS

_ARGS = {"LeakyReLU": "0.01", "GELU": 'approximate="tanh"'}


def state_dict(net) -> dict[str, np.ndarray]:
    """torch.nn.Linear layout: weight is (out, in)."""
    sd = {}
    for l in range(1, net.n_layers + 1):
        sd[f"layers.{2 * (l - 1)}.weight"] = np.ascontiguousarray(net.W(l).T)
        sd[f"layers.{2 * (l - 1)}.bias"] = np.ascontiguousarray(net.b(l))
    return sd


def weights_bytes(net) -> bytes:
    return save_safetensors(state_dict(net), metadata={"format": "pt"})


def torch_code(run) -> str:
    net = run.net
    mods = []
    for l in range(1, net.n_layers + 1):
        mods.append(f"nn.Linear({net.sizes[l - 1]}, {net.sizes[l]})")
        if l == net.n_layers and net.loss == "cross_entropy":
            mods.append("nn.Softmax(dim=1)")
        else:
            name = ACTIVATIONS[net.activations[l - 1]].torch_name
            mods.append(f"nn.{name}({_ARGS.get(name, '')})")
    feats = ",\n        ".join(f"{F.FEATURES[k][2]},  # {F.label(k)}" for k in run.features)
    body = ",\n            ".join(mods)
    output = ("class probabilities" if net.loss == "cross_entropy"
              else "a value in [-1, 1]: > 0 means the blue class" if run.kind == "binary"
              else "the regression output")
    return f'''"""A network trained in the Deep Learning Playground, as plain PyTorch.

Usage:  python model.py            (expects weights.safetensors next to this file)
Input:  points (x1, x2) as an (n, 2) float64 tensor.   Output: {output}.
Settings: dataset {run.cfg.get("dataset")}, layers {list(net.sizes)}, epoch {run.epoch}.
"""
from pathlib import Path

import torch
from safetensors.torch import load_file
from torch import nn


def features(points):
    x1, x2 = points[:, 0], points[:, 1]
    return torch.stack([
        {feats}
    ], dim=1)


class PlaygroundNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            {body},
        )

    def forward(self, points):
        return self.layers(features(points))


def load(path=Path(__file__).with_name("weights.safetensors")):
    model = PlaygroundNet().double()
    model.load_state_dict(load_file(str(path)))
    return model.eval()


if __name__ == "__main__":
    model = load()
    with torch.no_grad():
        print(model(torch.tensor([[1.0, 2.0], [-3.0, 0.5]], dtype=torch.float64)))
'''


def export_zip(run) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("model.py", torch_code(run))
        z.writestr("weights.safetensors", weights_bytes(run.net))
        z.writestr("README.txt", "pip install torch safetensors\npython model.py\n")
    return buf.getvalue()
