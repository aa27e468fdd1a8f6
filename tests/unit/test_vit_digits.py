"""The app's own small ViT on digits: patches, attention shapes, rollout, training."""
import numpy as np
import torch
from PIL import Image

from playground.threads import few_threads
from playground.transformer import vit_digits as V


def test_patches_are_row_by_row_2x2_blocks():
    x = torch.arange(64, dtype=torch.float32).reshape(1, 1, 8, 8)
    p = V.DigitViT().patches(x)
    assert p.shape == (1, 16, 4)
    assert p[0, 0].tolist() == [0, 1, 8, 9] and p[0, 1].tolist() == [2, 3, 10, 11]
    assert p[0, 4].tolist() == [16, 17, 24, 25]


def test_trained_vit_reads_digits_and_returns_its_attention():
    with few_threads():
        vit = V.train_digit_vit(seed=0, steps=150)
    assert vit.test_acc > 0.6                                   # a guess scores 10 %
    probs, attn = V.look(vit.model, vit.data.x_test[:1])
    assert probs.shape == (10,) and abs(probs.sum() - 1) < 1e-5
    assert attn.shape == (2, 4, 17, 17)
    np.testing.assert_allclose(attn.sum(-1), 1, atol=1e-5)
    assert V.cls_map(attn, 1).shape == (4, 4)
    np.testing.assert_allclose(V.cls_map(attn, 1, 2).ravel(), attn[1, 2, 0, 1:])
    r = V.rollout_map(attn)
    assert r.shape == (4, 4) and 0 < r.sum() < 1                # the class token keeps a share
    sim = V.position_similarity(vit.model)
    assert sim.shape == (16, 4, 4) and np.allclose([sim[i].ravel()[i] for i in range(16)], 1)


def test_patch_grid_drawing():
    img = V.draw_patches(Image.new("RGB", (64, 64)), 16, highlight=5)
    a = np.asarray(img)
    assert (a[:16, 16] == 255).all() and (a[16, :16] == 255).all()   # grid lines
    assert tuple(a[16 + 1, 16 + 1]) == (245, 147, 34)              # patch 5 = row 1, column 1
