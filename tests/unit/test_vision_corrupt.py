"""Everyday corruptions: harmless at the first level, growing along the ladder; the sweep."""
import numpy as np
import pytest
import torch
from PIL import Image

from playground import images as I
from playground.vision import corrupt as C
from playground.vision import classify as K
from playground.vision import models as M
from tests.vision_weights import float32_tests, load  # noqa: F401 (autouse fixture)


@pytest.fixture(scope="module")
def img():
    return K.model_view(M.REGISTRY["mobilenet_v3_large"], I.load_sample("Cat").image)


def diff(a: Image.Image, b: Image.Image) -> float:
    return float(np.abs(np.asarray(a, float) - np.asarray(b, float)).mean())


@pytest.mark.parametrize("kind", list(C.CORRUPTIONS))
def test_ladder_starts_harmless_and_keeps_size_and_mode(kind, img):
    steps = C.ladder(img, kind)
    assert len(steps) == len(C.CORRUPTIONS[kind].levels) >= 6
    for _, im in steps:
        assert im.size == img.size and im.mode == "RGB"
    assert diff(steps[0][1], img) < 3.5        # JPEG at quality 95 is nearly lossless
    assert diff(steps[-1][1], img) > 10        # the last level is severe


@pytest.mark.parametrize("kind", ["noise", "blur", "brightness", "brighter", "jpeg"])
def test_damage_grows_along_the_ladder(kind, img):
    d = [diff(im, img) for _, im in C.ladder(img, kind)]
    assert d[-1] > d[len(d) // 2] > d[0]
    assert sum(b >= a - 0.5 for a, b in zip(d, d[1:])) >= len(d) - 2   # (nearly) monotonic


def test_individual_corruptions():
    im = Image.new("RGB", (32, 32), (100, 150, 200))
    assert C.noise(im, 20, seed=3).tobytes() == C.noise(im, 20, seed=3).tobytes()
    assert C.noise(im, 20, seed=3).tobytes() != C.noise(im, 20, seed=4).tobytes()
    assert np.asarray(C.brightness(im, 0.0)).max() == 0
    assert np.asarray(C.brightness(im, 10.0)).min() == 255
    a = np.zeros((32, 32, 3), np.uint8)
    a[:, :16] = 255
    half = Image.fromarray(a)
    turned = np.asarray(C.rotate(half, 180))
    assert turned[:, 20:].mean() > 250 and turned[:, :12].mean() < 5
    assert np.asarray(C.blur(half, 3))[:, 16].mean() < 250     # the edge got soft
    assert diff(C.jpeg(half, 1), half) > diff(C.jpeg(half, 95), half)


def test_confidence_sweep_with_a_known_classifier(img):
    class Brightness:                           # P(class 1) = mean brightness
        def probs(self, x):
            m = x.mean(dim=(1, 2, 3))
            return torch.stack([1 - m, m], dim=1)

    sw = C.confidence_sweep(Brightness(), img, "brightness", 1)
    assert sw["levels"] == list(C.CORRUPTIONS["brightness"].levels)
    assert sw["probs"] == sorted(sw["probs"], reverse=True)       # darker → less confident
    assert len(sw["images"]) == len(sw["still_top1"]) == len(sw["top1"]) == len(sw["levels"])
    assert sw["still_top1"][-1] is False and sw["top1"][-1] == 0


def test_confidence_sweep_on_a_real_model(img):
    clf = K.Classifier(load("mobilenet_v3_large"))
    clean = clf.probs(K.to_tensor(img))[0]
    c = int(clean.argmax())
    sw = C.confidence_sweep(clf, img, "blur", c)
    assert sw["probs"][0] == pytest.approx(float(clean[c]), abs=1e-5)   # level 0 = no blur
    assert sw["still_top1"][0] is True
    assert all(0 <= p <= 1 for p in sw["probs"])
