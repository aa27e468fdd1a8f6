"""Export a taught model: ``model.py`` (plain PyTorch: the backbone, the same preprocessing,
the head) and ``weights.safetensors`` (the head; the digits CNN's weights too; class names in
the metadata), in one zip."""
from __future__ import annotations

import inspect
import io
import json
import textwrap
import zipfile

from safetensors.torch import save as save_safetensors

from ..cnn import digits as D
from ..cnn import train as T
from .backbones import DigitsCNNBackbone, MobileNetBackbone


def tensors(run, backbone) -> dict:
    sd = {f"head.{k}": v.detach().contiguous().clone() for k, v in run.head.state_dict().items()}
    if isinstance(backbone, DigitsCNNBackbone):
        sd.update({f"backbone.{k}": v.detach().contiguous().clone()
                   for k, v in backbone.model.state_dict().items()})
    return sd


def weights_bytes(run, backbone) -> bytes:
    meta = {"format": "pt", "classes": json.dumps(run.names), "backbone": backbone.key}
    return save_safetensors(tensors(run, backbone), metadata=meta)


_HEAD = '''
class Head(nn.Module):
    def __init__(self, dim, n_classes, hidden):
        super().__init__()
        self.register_buffer("mean", torch.zeros(dim))
        self.register_buffer("std", torch.ones(dim))
        self.hidden = nn.Linear(dim, hidden)
        self.out = nn.Linear(hidden, n_classes)

    def forward(self, f):
        return self.out(F.relu(self.hidden((f - self.mean) / self.std)))
'''

_MAIN = '''

def predict(model, img):
    """Class probabilities for one PIL image, as {class: probability}."""
    with torch.inference_mode():
        p = torch.softmax(model(preprocess(img)[None]), dim=1)[0]
    return dict(zip(CLASSES, p.tolist()))


if __name__ == "__main__":
    import sys

    model = load()
    for path in sys.argv[1:]:
        probs = predict(model, Image.open(path))
        best = max(probs, key=probs.get)
        print(f"{path}: {best} ({probs[best]:.1%})")
'''


def _mobilenet_code(run, bb: MobileNetBackbone) -> str:
    mean, std = [round(float(v), 6) for v in bb.mean.flatten()], [round(float(v), 6) for v in bb.std.flatten()]
    return f'''
MEAN = torch.tensor({mean}).view(3, 1, 1)
STD = torch.tensor({std}).view(3, 1, 1)


def preprocess(img):
    """Resize the shorter side to {bb.resize} px, centre-crop {bb.crop}×{bb.crop}, normalise."""
    img = img.convert("RGB")
    w, h = img.size
    side = min(w, h) * {bb.crop} / {bb.resize}
    left, top = (w - side) / 2, (h - side) / 2
    img = img.resize(({bb.crop}, {bb.crop}), Image.Resampling.BILINEAR,
                     box=(left, top, left + side, top + side))
    x = torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0).permute(2, 0, 1)
    return (x - MEAN) / STD


class Taught(nn.Module):
    def __init__(self, backbone, head):
        super().__init__()
        self.backbone, self.head = backbone, head

    def forward(self, x):
        m = self.backbone
        return self.head(torch.flatten(m.avgpool(m.features(x)), 1))


def load(path=Path(__file__).with_name("weights.safetensors"), backbone_state_dict=None):
    """The backbone: torchvision's pretrained MobileNetV3-Large (downloaded once by
    torchvision), or the state_dict you pass; the head from weights.safetensors."""
    from torchvision.models import mobilenet_v3_large

    backbone = mobilenet_v3_large(weights=None if backbone_state_dict is not None else "DEFAULT")
    if backbone_state_dict is not None:
        backbone.load_state_dict(backbone_state_dict)
    sd = load_file(str(path))
    head = Head({bb.dim}, len(CLASSES), {run.head.hidden.out_features})
    head.load_state_dict({{k[5:]: v for k, v in sd.items() if k.startswith("head.")}})
    return Taught(backbone, head).eval()
'''


def _digits_code(run, bb: DigitsCNNBackbone) -> str:
    m = bb.model
    cnn = inspect.getsource(T.SmallCNN)
    to_input = inspect.getsource(D.to_input)
    return f'''
STAGES = {T.STAGES!r}

{cnn}

{to_input}

def preprocess(img):
    """The picture read like a digit: grayscale, cropped to the ink, {bb.size}×{bb.size}."""
    return to_input(img, {bb.size})[0][0]


class Taught(nn.Module):
    def __init__(self, backbone, head):
        super().__init__()
        self.backbone, self.head = backbone, head

    def forward(self, x):
        _, maps = self.backbone(x, keep=True)
        return self.head(maps["pool2"].flatten(1))


def load(path=Path(__file__).with_name("weights.safetensors")):
    sd = load_file(str(path))
    backbone = SmallCNN({m.size}, {m.c1}, {m.c2}, {m.k}, {m.fc.out_features})
    backbone.load_state_dict({{k[9:]: v for k, v in sd.items() if k.startswith("backbone.")}})
    head = Head({bb.dim}, len(CLASSES), {run.head.hidden.out_features})
    head.load_state_dict({{k[5:]: v for k, v in sd.items() if k.startswith("head.")}})
    return Taught(backbone, head).eval()
'''


def torch_code(run, backbone) -> str:
    body = (_mobilenet_code(run, backbone) if isinstance(backbone, MobileNetBackbone)
            else _digits_code(run, backbone))
    head = f'''"""A classifier taught in the Deep Learning Playground ("Teach a model yourself").

Backbone: {backbone.label}; a small head (one hidden layer) trained on its features.
Classes: see CLASSES below ({len(run.names)} classes). Trained {run.epochs} epochs.
Usage:  python model.py picture.jpg ...   (weights.safetensors next to this file)
"""
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image, ImageOps  # noqa: F401
from safetensors.torch import load_file

CLASSES = {json.dumps(run.names, ensure_ascii=False)}
'''
    return head + textwrap.dedent(_HEAD) + body + _MAIN


def export_zip(run, backbone) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("model.py", torch_code(run, backbone))
        z.writestr("weights.safetensors", weights_bytes(run, backbone))
    return buf.getvalue()
