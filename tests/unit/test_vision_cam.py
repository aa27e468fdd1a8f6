"""CAM methods at any layer and feature visualisation: hand-computed values on a fixed tiny
model, chains equal to the real models, and the optimised image really excites its channel."""
import numpy as np
import pytest
import torch

from playground.cnn import digits as D, train as T
from playground.vision import cam as C, classify as K, featviz as V
from tests.vision_weights import float32_tests, load  # noqa: F401 (autouse fixture)

# A = the "layer" output: 2 channels of 2×2 (the input itself); the class-0 score is
# Σ_k c_k Σ_ij A_kij² / 2, so ∂score/∂A_kij = c_k A_kij with c = (1, -1).
A0 = [[1.0, 2.0], [0.0, 3.0]]
A1 = [[1.0, 0.0], [1.0, 1.0]]


def toy_chain():
    c = torch.tensor([1.0, -1.0])

    def head(a):
        s = (c[None, :] * a.pow(2).sum(dim=(2, 3)) / 2).sum(1)
        return torch.stack([s, -s], 1)
    return C.Chain([("layer", lambda x: x)], head)


def toy_input():
    return torch.tensor([[A0, A1]])


def test_gradcam_on_a_fixed_tiny_model_matches_hand_computed_values():
    # weights: mean gradient = mean(A0) = 6/4 = 1.5 and mean(-A1) = -3/4 = -0.75
    # map: 1.5·A0 − 0.75·A1 = [[0.75, 3], [−0.75, 3.75]]
    raw = C.raw_cam(toy_chain(), toy_input(), "layer", 0, "gradcam")[0, 0]
    assert torch.allclose(raw, torch.tensor([[0.75, 3.0], [-0.75, 3.75]]))


def test_gradcampp_on_a_fixed_tiny_model_matches_hand_computed_values():
    # α_ij = g_ij² / (2 g_ij² + (Σ_ab A_ab) g_ij³)   (Chattopadhay et al. 2018, eq. 19)
    # channel 0: ΣA0 = 1 + 2 + 0 + 3 = 6; g = A0 = (1, 2, 0, 3); g² = (1, 4, 0, 9); g³ = (1, 8, 0, 27)
    #   denominators 2 + 6 = 8, 8 + 48 = 56, 0 (→ α = 0), 18 + 162 = 180
    #   α = (1/8, 4/56, 0, 9/180); w0 = Σ α·ReLU(g) = 1/8 + 8/56 + 27/180
    # channel 1: g = −A1 ≤ 0, so ReLU(g) = 0 and w1 = 0
    w0 = 1 / 8 + 8 / 56 + 27 / 180
    assert w0 == pytest.approx(0.4178571, abs=1e-6)
    raw = C.raw_cam(toy_chain(), toy_input(), "layer", 0, "gradcampp")[0, 0]
    assert torch.allclose(raw, w0 * torch.tensor(A0), atol=1e-6)
    # the final map: ReLU, upsampled, scaled to [0, 1] → the largest cell (3·w0) becomes 1
    heat, info = C.cam(toy_chain(), toy_input(), 0, "gradcampp")
    assert heat.shape == (2, 2) and heat.max() == pytest.approx(1.0)
    assert heat[0, 0] == pytest.approx(1 / 3, abs=1e-6) and heat[1, 0] == 0


def test_gradcampp_weights_differ_from_gradcam_where_gradients_are_mixed():
    a = torch.tensor([[[[1.0, 1.0], [1.0, 1.0]]]])
    g = torch.tensor([[[[2.0, -2.0], [0.0, 0.0]]]])
    assert float(C.gradcam_weights(a, g)) == 0.0             # mean gradient cancels out
    # ΣA = 4; at the positive cell α = 4 / (2·4 + 4·8) = 0.1 → w = 0.1 · 2 = 0.2
    assert float(C.gradcampp_weights(a, g)) == pytest.approx(0.2)


def test_scorecam_weighs_channels_by_the_masked_score():
    # Channel 0 marks the left half, channel 1 the right half; the class score is the sum of
    # the left half of the input, so the left mask keeps the score and should dominate.
    def head(a):
        return a[:, :, :, :2].sum(dim=(1, 2, 3))[:, None].repeat(1, 2)
    left = torch.tensor([[1.0, 1.0, 0, 0]] * 4)
    chain = C.Chain([("layer", lambda x: torch.stack([x[:, 0] * left, x[:, 0] * (1 - left)], 1))],
                    head)
    x = torch.ones(1, 1, 4, 4)
    heat, info = C.scorecam(chain, x, "layer", 0)
    assert info["channels"] == 2 and info["of"] == 2
    assert heat[:, :2].min() == pytest.approx(1.0) and heat[:, 2:].max() < 0.1


@pytest.mark.parametrize("key", ["mobilenet_v3_large", "resnet18", "convnext_tiny"])
def test_chain_is_the_model_and_every_method_gives_a_map(key):
    clf = K.Classifier(load(key))
    chain = C.chain_of(clf)
    x = torch.rand(1, 3, 224, 224, generator=torch.Generator().manual_seed(1))
    with torch.inference_mode():
        assert torch.allclose(chain(x), clf(x), atol=1e-4)
    cls = int(clf.probs(x).argmax())
    shapes = C.layer_shapes(chain, x)
    mid = chain.layers[len(chain.layers) // 2]
    for method in C.CAM_METHODS:
        heat, info = C.cam(chain, x, cls, method, layer=mid, max_channels=16)
        assert heat.shape == (224, 224) and 0 <= heat.min() and heat.max() <= 1
        assert info["layer"] == mid
    assert len(shapes[chain.layers[-1]]) == 3


@pytest.fixture(scope="module")
def digits_cnn():
    return T.train_for(T.CNNRun(D.load_digits8(seed=0), seed=0), steps=150).model


def test_small_cnn_chain_and_cam(digits_cnn):
    chain = C.chain_for(digits_cnn, "small_cnn")
    x = D.load_digits8(seed=0).x_test[:1]
    with torch.inference_mode():
        assert torch.allclose(chain(x), digits_cnn(x), atol=1e-5)
    heat, _ = C.cam(chain, x, int(digits_cnn(x).argmax()), "gradcampp", layer="relu1")
    assert heat.shape == (8, 8) and heat.max() == pytest.approx(1.0)


def test_feature_visualization_increases_the_channels_activation(digits_cnn):
    chain = C.chain_for(digits_cnn, "small_cnn")
    fv = V.visualize(chain, "relu2", 3, size=8, channels=1, steps=40, jitter=1, seed=0)
    assert fv.activation > fv.start_activation + 0.5
    assert fv.image.shape == (8, 8, 1) and 0 <= fv.image.min() and fv.image.max() <= 1
    other = V.visualize(chain, "relu2", 5, size=8, channels=1, steps=40, jitter=1, seed=0)
    assert not np.allclose(fv.image, other.image)          # each channel its own pattern
    with torch.inference_mode():                            # and it excites its own channel more
        x = torch.from_numpy(fv.image).permute(2, 0, 1)[None]
        assert float(V.channel_activation(chain, x, "relu2", 3)) == pytest.approx(fv.activation)


def test_feature_visualization_on_a_pretrained_cnn_and_the_model_is_untouched():
    clf = K.Classifier(load("mobilenet_v3_large"))
    before = {k: v.clone() for k, v in clf.model.state_dict().items()}
    chain = C.chain_of(clf)
    fv = V.visualize(chain, "features.6", 7, size=48, steps=12, seed=1)
    assert fv.activation > fv.start_activation
    assert all(torch.equal(v, clf.model.state_dict()[k]) for k, v in before.items())
    assert V.to_uint8(fv.image).shape == (48, 48, 3)


def test_budget_stops_early():
    chain = toy_chain()
    fv = V.visualize(chain, "layer", 0, size=4, channels=2, steps=10_000, budget_s=0.05,
                     blur_every=0, jitter=0)
    assert fv.stopped_early and fv.steps < 10_000
