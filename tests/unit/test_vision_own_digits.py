"""The image-classification page on the app's own digits CNN (pure parts): pictures → the 8×8
digit, the classifier adapter, the URL settings, and sentences that follow their numbers."""
import numpy as np
import pytest
import torch
from PIL import Image

from playground.cnn.own import train_digits_cnn
from playground.vision import attacks as A, cam as CAM, corrupt as C, own_digits as V
from playground.vision import settings as VS


@pytest.fixture(scope="module")
def net():
    torch.set_num_threads(1)
    return train_digits_cnn(0)


def test_the_adapter_reads_grey_and_rgb_alike(net):
    clf = V.DigitsClassifier(net)
    x = net.data.x_test[:3]
    p1, p3 = clf.probs(x), clf.probs(x.repeat(1, 3, 1, 1))
    assert p1.shape == (3, 10) and torch.allclose(p1, p3, atol=1e-6)
    assert torch.allclose(V.tensor(V.picture(x[:1])), x[:1], atol=1 / 255)
    sweep = C.confidence_sweep(clf, V.picture(x[:1]), "rotate", int(net.data.y_test[0]))
    assert len(sweep["probs"]) == 9 and sweep["still_top1"][0]


def test_cam_attack_and_saliency_run_on_the_digits_cnn(net):
    clf = V.DigitsClassifier(net)
    x, y = net.data.x_test[:1], int(net.data.y_test[0])
    chain = CAM.chain_for(net.model, "small_cnn")
    for method in CAM.CAM_METHODS:
        heat, _ = CAM.cam(chain, x, y, method, "relu2")
        assert heat.shape == (8, 8) and heat.max() == pytest.approx(1.0)
    res = A.pgd(clf, x, y, 0.3, steps=10)
    assert float(res.delta.abs().max()) <= 0.3 + 1e-6 and res.loss_after > res.loss_before


def test_pictures_become_digits_and_empty_ones_are_refused():
    a = np.full((80, 60), 255, np.uint8)
    a[15:65, 25:35] = 0                                    # a dark "1" on white paper
    x, notes, problem = V.from_picture(Image.fromarray(a))
    assert problem is None and x.shape == (1, 1, 8, 8) and float(x.max()) == 1.0
    assert any("inverted" in n for n in notes)
    for flat in (0, 128, 255):
        x, _, problem = V.from_picture(Image.new("RGB", (40, 40), (flat,) * 3))
        assert x is None and "flat colour" in problem
    speck = np.zeros((50, 50), np.uint8)
    speck[0, 0] = 40                                       # too faint to be ink
    x, _, problem = V.from_picture(Image.fromarray(speck), invert=False)
    assert x is None and "No digit found" in problem


def test_sentences_follow_the_numbers_both_ways():
    assert "flips from 3 to 8" in V.attack_sentence(3, 8, 0.9, 0.2, 0.1)
    assert "stays 3" in V.attack_sentence(3, 3, 0.9, 0.7, 0.1)
    assert "now says 5, as the attack asked" in V.attack_sentence(3, 5, 0.9, 0.1, 0.1, target=5)
    assert "does not say 5" in V.attack_sentence(3, 3, 0.9, 0.8, 0.1, target=5)
    assert "right" in V.answer_sentence(4, 0.9, 4) and "a mistake" in V.answer_sentence(4, 0.9, 7)
    lv = (0, 10, 20)
    assert "stays the top answer at every level" in V.sweep_sentence(lv, [0.9, 0.8, 0.7], [1, 1, 1], "u", "“3”")
    assert "first changes at u = 20" in V.sweep_sentence(lv, [0.9, 0.8, 0.2], [1, 1, 0], "u", "“3”")
    assert "not the top answer even without" in V.sweep_sentence(lv, [0.2, 0.1, 0.1], [0, 0, 0], "u", "“3”")
    r = {"clean": 0.9, "random": 0.8, "fgsm": 0.3, "n": 10, "eps": 0.1}
    assert V.robustness_sentence(r).endswith("along the FGSM direction.")
    assert V.robustness_sentence({**r, "random": 0.2}).endswith("along random noise.")
    assert V.robustness_sentence({**r, "random": 0.3}).endswith("neither (a tie).")
    heat = np.zeros((8, 8))
    heat[2, 5] = 1.0
    assert "row 3, column 6" in V.heat_sentence(heat, 3) and "1 of the 64 pixels" in V.heat_sentence(heat, 3)
    assert "64 of the 64" not in V.heat_sentence(np.ones((8, 8)), 3)
    assert "zero everywhere" in V.heat_sentence(np.zeros((8, 8)), 3)


def test_robustness_is_measured_and_seeded(net):
    r = V.robustness(net, 0.1)
    assert r["n"] == len(net.data.y_test) and r["fgsm"] < r["random"] <= r["clean"] + 0.01
    assert r == V.robustness(net, 0.1) and V.robustness(net, 0.02)["fgsm"] > r["fgsm"]


def test_url_settings_round_trip_and_bad_values_are_ignored():
    values = {"model": "digits", "input": "photo", "digit": 42, "tab": "fool", "deps": 0.2,
              "method": "scorecam", "layer": "conv2", "targeted": True, "corruption": "blur",
              "level": 7, "attack": "pgd", "steps": 12}
    q = VS.to_query(values)
    back, warnings = VS.from_query(q)
    assert warnings == [] and {k: back[k] for k in values} == values
    assert VS.to_query(VS.DEFAULTS) == {}
    back, warnings = VS.from_query({"model": "alexnet", "deps": "0.11", "layer": "a b",
                                    "targeted": "maybe", "digit": "9999"})
    assert back == {"deps": 0.1, "digit": 2000} and len(warnings) == 3
