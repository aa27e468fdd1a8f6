"""Teach a model yourself: split, training, sentences derived from the numbers (and their
opposites), both backbones, and an export that reproduces the app's predictions."""
import io
import json
import runpy
import sys
import zipfile

import numpy as np
import pytest
import torch
from safetensors import safe_open

from playground.cnn import digits as D, train as T
from playground.teach import backbones as BB, examples as EX, export as X, learner as L
from playground.vision import classify as K
from tests.vision_weights import float32_tests, load  # noqa: F401 (autouse fixture)


@pytest.fixture(scope="module")
def digits_backbone():
    run = T.train_for(T.CNNRun(D.load_digits8(seed=0), seed=0), steps=300)
    run.model.eval().requires_grad_(False)
    return BB.DigitsCNNBackbone(run.model)


def dataset(backbone, classes):
    pics = [(i, L.shrink(p).image) for i, (_, ps) in enumerate(classes) for p in ps]
    feats = backbone.embed([p for _, p in pics])
    return feats, [i for i, _ in pics], [n for n, _ in classes]


def test_split_is_seeded_per_class_and_small_classes_train_on_everything():
    labels = [0] * 8 + [1] * 3 + [2] * 4
    tr, te = L.split(labels, seed=0)
    assert sorted(np.concatenate([tr, te]).tolist()) == list(range(15))
    lab = np.array(labels)
    assert (lab[te] == 0).sum() == 2 and (lab[te] == 1).sum() == 0 and (lab[te] == 2).sum() == 1
    assert np.array_equal(L.split(labels, seed=0)[1], te)
    assert not np.array_equal(L.split(labels, seed=1)[1], te)


def test_shrink_keeps_pictures_small():
    big = EX.photo_examples(per_class=1)[0][1][0].resize((900, 600))
    s = L.shrink(big)
    assert max(s.image.size) == L.STORE_SIDE and len(s.jpeg) < 60_000
    assert L.shrink(big).digest == s.digest


def test_digits_example_learns_with_the_offline_backbone(digits_backbone):
    feats, labels, names = dataset(digits_backbone, EX.digit_examples(per_class=12, seed=0))
    assert feats.shape == (36, digits_backbone.dim) and names == ["0", "1", "7"]
    run = L.TeachRun(feats, labels, names, seed=0, lr=0.003)
    assert run.has_test and len(run.test_idx) == 9
    run.step(50)
    assert run.epochs == 50 and run.history[-1][0] == 50
    assert run.history[-1][1] < run.history[0][1]              # training loss fell
    assert run.test_acc >= 0.85                                 # 0/1/7 are easy for digit features
    cm, which = run.confusion()
    assert which == "held-out" and cm.sum() == 9
    again = L.TeachRun(feats, labels, names, seed=0, lr=0.003)
    again.step(50)
    assert again.history == run.history                         # same seed, same run


def test_sentences_follow_the_numbers():
    names = ["cat", "dog"]
    good = L.describe(np.array([[3, 0], [0, 3]]), names, "held-out")
    assert good[0] == "On the 6 held-out pictures it never trained on, it got 6 of 6 right (100%)."
    assert good[1] == "It mixed up no classes on these pictures." and len(good) == 2
    bad = L.describe(np.array([[1, 2], [0, 3]]), names, "held-out")
    assert "got 4 of 6 right (67%)" in bad[0]
    assert bad[1] == "Most common mistake: “cat” taken for “dog” (2 times)."
    assert bad[2].startswith("Weakest class: “cat” (1 of 3 right)")
    flipped = L.describe(np.array([[3, 0], [1, 2]]), names, "training")
    assert "pictures it has seen: 5 of 6" in flipped[0]
    assert "“dog” taken for “cat” (1 time)." in flipped[1]
    assert L.verdict(np.array([0.9, 0.1]), names) == "It says “cat” (90%)."
    assert L.verdict(np.array([0.45, 0.55]), names).startswith("Unsure: “dog” (55%) or “cat”")


def test_nan_pauses_with_a_message():
    feats = torch.randn(8, 4)
    run = L.TeachRun(feats, [0, 1] * 4, ["a", "b"], lr=0.01)
    run.x[0, 0] = float("nan")
    run.step(3)
    assert run.status == "diverged" and "learning rate" in run.message
    assert run.step(1) == 0


def _run_export(tmp_path, data: bytes, argv_images, **load_kw):
    zipfile.ZipFile(io.BytesIO(data)).extractall(tmp_path)
    ns = runpy.run_path(str(tmp_path / "model.py"), run_name="exported")
    model = ns["load"](tmp_path / "weights.safetensors", **load_kw)
    return ns, model, [ns["predict"](model, im) for im in argv_images]


def test_digits_export_reproduces_the_apps_predictions(digits_backbone, tmp_path):
    feats, labels, names = dataset(digits_backbone, EX.digit_examples(per_class=6, seed=1))
    run = L.TeachRun(feats, labels, names, seed=0)
    run.step(20)
    new = [p for _, ps in EX.digit_examples(per_class=2, seed=7) for p in ps]
    app = run.probs(digits_backbone.embed(new))
    data = X.export_zip(run, digits_backbone)
    ns, _, got = _run_export(tmp_path, data, new)
    assert ns["CLASSES"] == names
    assert np.allclose([[g[n] for n in names] for g in got], app, atol=1e-5)
    with safe_open(str(tmp_path / "weights.safetensors"), "pt") as f:
        assert json.loads(f.metadata()["classes"]) == names and f.metadata()["backbone"] == "digits_cnn"


def test_mobilenet_backbone_and_export(tmp_path):
    loaded = load("mobilenet_v3_large")
    bb = BB.MobileNetBackbone(loaded)
    classes = EX.photo_examples(per_class=4, seed=0)
    feats, labels, names = dataset(bb, classes)
    assert feats.shape == (12, 960)
    with torch.inference_mode():                                  # = the model's own pooled features
        x = bb.prepare(classes[0][1][0])[None]
        m = loaded.model
        ref = torch.flatten(m.avgpool(m.features(K.Classifier(loaded).normalize(x))), 1)
        assert torch.allclose(bb.forward(x), ref)
    run = L.TeachRun(feats, labels, names, seed=0, lr=0.003)
    run.step(30)
    assert run.train_acc == 1.0
    names_evil = ['a"""; import os; """', "b\\n", "c"]               # names are only data
    run.names = names_evil
    new = [classes[1][1][0], classes[2][1][1]]
    app = run.probs(bb.embed(new))
    sd = {k: v.clone() for k, v in loaded.model.state_dict().items()}
    ns, model, got = _run_export(tmp_path, X.export_zip(run, bb), new, backbone_state_dict=sd)
    assert ns["CLASSES"] == names_evil and "os" not in ns
    assert np.allclose([[g[n] for n in names_evil] for g in got], app, atol=1e-4)
    assert "mobilenet_v3_large(weights=None if backbone_state_dict" in (tmp_path / "model.py").read_text()
    sys.modules.pop("exported", None)
