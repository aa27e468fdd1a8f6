"""Grad-CAM, saliency and attention rollout: shapes, ranges, correctness on known inputs, and
that the shared model is never modified (so concurrent sessions are safe)."""
import threading

import numpy as np
import pytest
import torch
from PIL import Image
from torchvision.models import VisionTransformer

from playground import images as I
from playground.vision import attacks as A
from playground.vision import explain as E
from playground.vision import classify as K
from playground.vision import models as M
from tests.vision_weights import float32_tests, load  # noqa: F401 (autouse fixture)


@pytest.fixture(scope="module")
def clf():
    return K.Classifier(load("mobilenet_v3_large"))


@pytest.fixture(scope="module")
def cat(clf):
    return K.to_tensor(K.model_view(clf.spec, I.load_sample("Cat").image))


def fingerprint(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


@pytest.mark.parametrize("key", ["mobilenet_v3_large", "resnet50", "convnext_tiny"])
def test_cnn_split_is_the_model_and_gradcam_shape_and_range(key):
    c = K.Classifier(load(key))
    x = torch.rand(1, 3, 224, 224, generator=torch.Generator().manual_seed(1))
    features, head = E.split(c)
    with torch.inference_mode():
        assert torch.allclose(head(features(c.normalize(x))), c(x), atol=1e-5)
    cls = int(c.probs(x).argmax())
    cam = E.gradcam(c, x, cls)
    assert cam.shape == (224, 224) and cam.dtype == np.float32
    assert cam.min() >= 0 and cam.max() == pytest.approx(1.0)
    assert cam.std() > 0.01                          # a map, not a constant


def test_gradcam_depends_on_the_class(clf, cat):
    a, b = E.gradcam(clf, cat, 0), E.gradcam(clf, cat, 500)
    assert not np.allclose(a, b)


def test_saliency_finds_the_pixels_that_matter():
    class Toy:                                       # logit 1 = sum of the top-left 8×8 red pixels
        def normalize(self, x):
            return x

        def __call__(self, x):
            return torch.stack([x.sum(dim=(1, 2, 3)) * 0, x[:, 0, :8, :8].sum(dim=(1, 2))], 1)

    s = E.saliency(Toy(), torch.rand(1, 3, 32, 32), 1)
    assert s.shape == (32, 32) and s.min() >= 0 and s.max() <= 1
    assert (s[:8, :8] == 1).all() and (s[8:, :] == 0).all() and (s[:, 8:] == 0).all()


def test_saliency_on_a_real_network(clf, cat):
    s = E.saliency(clf, cat, 3)
    assert s.shape == (224, 224) and 0 <= s.min() and s.max() == pytest.approx(1.0)


def test_attention_rollout_on_fixed_tensors():
    T = 1 + 4                                        # class token + a 2×2 grid of patches
    eye = torch.eye(T)[None].repeat(3, 1, 1)         # 3 heads attending only to themselves
    assert np.allclose(E.attention_rollout([eye, eye]), 0)
    to_patch = torch.zeros(3, T, T)
    to_patch[:, :, 3] = 1.0                          # everyone attends to patch 3 (row 1, col 0)
    grid = E.attention_rollout([to_patch[None]] * 2)
    assert grid.shape == (2, 2) and grid[1, 0] == pytest.approx(1.0)
    assert grid.max() == grid[1, 0] and grid.min() >= 0
    with pytest.raises(ValueError):
        E.attention_rollout([torch.ones(1, 1, 4, 4) / 4])     # 3 patches: not a square grid
    mixed = torch.softmax(torch.randn(2, 3, T, T, generator=torch.Generator().manual_seed(0)), -1)
    kept = E.attention_rollout([mixed], discard_ratio=0.5)
    assert kept.shape == (2, 2) and 0 <= kept.min() and kept.max() <= 1


def tiny_vit_classifier():
    """A small torchvision VisionTransformer behind the ViT-B/16 spec (same code paths)."""
    torch.manual_seed(0)
    vit = VisionTransformer(image_size=32, patch_size=8, num_layers=3, num_heads=2,
                            hidden_dim=16, mlp_dim=32, num_classes=1000).eval()
    with torch.no_grad():
        vit.heads.head.weight.normal_(0, 0.5)
    vit.requires_grad_(False)
    return K.Classifier(M.Loaded(M.REGISTRY["vit_b_16"], vit, "test"))


def test_vit_forward_with_attention_is_the_model_forward():
    c = tiny_vit_classifier()
    x = torch.rand(2, 3, 32, 32)
    logits, attns = E.vit_forward_with_attention(c, x)
    with torch.inference_mode():
        assert torch.allclose(logits, c(x), atol=1e-5)
    assert len(attns) == 3 and attns[0].shape == (2, 2, 17, 17)
    assert torch.allclose(attns[0].sum(-1), torch.ones(2, 2, 17), atol=1e-5)
    heat = E.rollout_map(c, x)
    assert heat.shape == (32, 32) and heat.min() >= 0 and heat.max() == pytest.approx(1.0)
    assert E.methods_for("vit") == ["rollout", "saliency"]
    assert E.explain(c, x, 1, "saliency").shape == (32, 32)


def test_full_size_vit_rollout():
    c = K.Classifier(load("vit_b_16"))
    x = torch.rand(1, 3, 224, 224)
    heat = E.explain(c, x, 0, "rollout")
    assert heat.shape == (224, 224) and heat.max() == pytest.approx(1.0)
    with pytest.raises(ValueError):
        E.gradcam(c, x, 0)


def test_overlay_and_colours():
    img = Image.new("RGB", (20, 10), (100, 100, 100))
    heat = np.zeros((10, 20), np.float32)
    heat[:, 10:] = 1
    out = np.asarray(E.overlay(img, heat, opacity=1.0)).astype(int)
    assert out.shape == (10, 20, 3)
    assert out[5, 15, 0] > out[5, 15, 2]             # hot: red dominates
    assert out[5, 2, 2] > out[5, 2, 0]               # cold: blue tint
    assert np.asarray(E.overlay(img, heat, opacity=0.0)).tolist() == np.asarray(img).tolist()
    small = E.overlay(img, np.ones((5, 5), np.float32), 0.5)    # heat resized to the image
    assert small.size == (20, 10)
    col = E.colorize(np.linspace(0, 1, 7)[None])
    assert col.dtype == np.uint8 and col.shape == (1, 7, 3)


def test_explanations_and_attacks_leave_the_shared_model_untouched(clf, cat):
    before = fingerprint(clf.model)
    E.gradcam(clf, cat, 1)
    E.saliency(clf, cat, 1)
    A.pgd(clf, cat, 1, 4 / 255, steps=2)
    for m in clf.model.modules():
        assert not m._forward_hooks and not m._forward_pre_hooks and not m._backward_hooks
    assert all(p.grad is None and not p.requires_grad for p in clf.model.parameters())
    assert not clf.model.training
    after = fingerprint(clf.model)
    assert all(torch.equal(before[k], after[k]) for k in before)


def test_concurrent_sessions_get_the_sequential_results(clf):
    imgs = [K.to_tensor(K.model_view(clf.spec, I.load_sample(n).image)) for n in ("Cat", "Coffee")]

    def work(x):
        p = clf.probs(x)[0]
        c = int(p.argmax())
        return p, E.gradcam(clf, x, c), E.saliency(clf, x, c), A.fgsm(clf, x, c, 2 / 255).x_adv

    sequential = [work(x) for x in imgs]
    results = [None, None]
    barrier = threading.Barrier(2)

    def run(i):
        barrier.wait()
        for _ in range(2):
            results[i] = work(imgs[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for seq, par in zip(sequential, results):
        assert torch.allclose(seq[0], par[0], atol=1e-6)
        assert np.allclose(seq[1], par[1], atol=1e-5) and np.allclose(seq[2], par[2], atol=1e-5)
        assert torch.equal(seq[3], par[3])
