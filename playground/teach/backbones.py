"""Frozen feature extractors for the teachable classifier. Each takes a model object (shared,
read-only: only its forward pass is used) and turns PIL pictures into feature vectors.

- :class:`MobileNetBackbone`: torchvision's MobileNetV3-Large trained on ImageNet; the 960
  averaged channels of its last convolutional block (what its own classifier reads).
- :class:`DigitsCNNBackbone`: the app's small digits CNN (8×8 or 28×28 grayscale); the picture
  is read like a digit (grayscale, cropped to the "ink", scaled down), and the features are
  the last max-pool's maps. It was trained on handwritten digits only, so on photos it is much
  weaker: the page says so.
"""
from __future__ import annotations

import torch
from PIL import Image

from ..cnn import digits as D
from ..threads import few_threads
from ..vision import classify as K


class MobileNetBackbone:
    key = "mobilenet"
    label = "MobileNetV3 features (pretrained on ImageNet)"
    note = ("Features of MobileNetV3-Large, trained on 1.3 million ImageNet photos: they already "
            "describe shapes, textures and objects, so a few pictures per class are enough.")
    strong = True

    def __init__(self, loaded):
        self.loaded, self.spec, self.model = loaded, loaded.spec, loaded.model
        t = self.spec.transforms
        self.mean = torch.tensor(t.mean, dtype=torch.float32).view(1, 3, 1, 1)
        self.std = torch.tensor(t.std, dtype=torch.float32).view(1, 3, 1, 1)
        self.crop, self.resize = int(t.crop_size[0]), int(t.resize_size[0])
        self.dim = int(self.model.classifier[0].in_features)

    def prepare(self, img: Image.Image) -> torch.Tensor:
        return K.to_tensor(K.model_view(self.spec, img))[0]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        m = self.model
        return torch.flatten(m.avgpool(m.features((x - self.mean) / self.std)), 1)

    def embed(self, images, batch: int = 16, progress=None) -> torch.Tensor:
        out = []
        with torch.inference_mode():
            for i in range(0, len(images), batch):
                out.append(self.forward(torch.stack([self.prepare(im) for im in images[i:i + batch]])))
                if progress:
                    progress(min(i + batch, len(images)), len(images))
        return torch.cat(out) if out else torch.zeros(0, self.dim)


class DigitsCNNBackbone:
    key = "digits_cnn"
    label = "The app's digits CNN (offline; much weaker on photos)"
    note = ("Features of the app's own small CNN, trained in seconds on 8×8 handwritten digits: "
            "it knows strokes of dark and light and nothing about colour, faces or objects. It "
            "works without internet, but on photos it is much weaker than MobileNetV3; it does "
            "well on digits and simple black-on-white shapes.")
    strong = False

    def __init__(self, model):
        self.model = model
        self.size = int(model.size)
        self.dim = int(model.fc.in_features)

    def prepare(self, img: Image.Image) -> torch.Tensor:
        x, _ = D.to_input(img, self.size)
        return x[0]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _, maps = self.model(x, keep=True)
        return maps["pool2"].flatten(1)

    def embed(self, images, batch: int = 64, progress=None) -> torch.Tensor:
        out = []
        with few_threads(), torch.inference_mode():
            for i in range(0, len(images), batch):
                out.append(self.forward(torch.stack([self.prepare(im) for im in images[i:i + batch]])))
                if progress:
                    progress(min(i + batch, len(images)), len(images))
        return torch.cat(out) if out else torch.zeros(0, self.dim)
