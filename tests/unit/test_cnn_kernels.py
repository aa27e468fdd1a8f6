"""The convolution lab's arithmetic against torch.nn.functional.conv2d and plain loops."""
import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from playground.cnn import kernels as K


def loop_conv(x2d, k, stride, padding, dilation):
    """Cross-correlation written out with Python loops (the textbook definition)."""
    p = np.pad(x2d, padding)
    n = k.shape[0]
    oh = (p.shape[0] - dilation * (n - 1) - 1) // stride + 1
    ow = (p.shape[1] - dilation * (n - 1) - 1) // stride + 1
    out = np.zeros((oh, ow))
    for i in range(oh):
        for j in range(ow):
            for a in range(n):
                for b in range(n):
                    out[i, j] += p[i * stride + a * dilation, j * stride + b * dilation] * k[a, b]
    return out


COMBOS = [(s, p, d) for s, p, d in itertools.product((1, 2, 3), (0, 1, 2), (1, 2))]


@pytest.mark.parametrize("stride,padding,dilation", COMBOS)
def test_convolve_matches_conv2d_and_loops(stride, padding, dilation):
    rng = np.random.default_rng(stride * 100 + padding * 10 + dilation)
    x = rng.random((3, 11, 9)).astype(np.float32)
    k = rng.normal(size=(3, 3))
    y = K.convolve(x, k, stride, padding, dilation)
    for c in range(3):        # each channel alone through conv2d (not grouped) and through loops
        ref = F.conv2d(torch.from_numpy(x[c])[None, None], torch.tensor(k, dtype=torch.float32)[None, None],
                       stride=stride, padding=padding, dilation=dilation)[0, 0].numpy()
        np.testing.assert_allclose(y[c], ref, atol=1e-5)
        np.testing.assert_allclose(y[c], loop_conv(x[c], k, stride, padding, dilation), atol=1e-5)
    assert y.shape[1:] == (K.output_size(11, 3, stride, padding, dilation),
                           K.output_size(9, 3, stride, padding, dilation))


@pytest.mark.parametrize("stride,padding,dilation", COMBOS)
def test_sliding_window_steps_sum_to_conv2d(stride, padding, dilation):
    rng = np.random.default_rng(7)
    patch, k = rng.random((7, 8)), rng.normal(size=(3, 3))
    walk = K.sliding_window(patch, k, stride, padding, dilation)
    ref = F.conv2d(torch.tensor(patch)[None, None], torch.tensor(k)[None, None], stride=stride,
                   padding=padding, dilation=dilation)[0, 0].numpy()
    np.testing.assert_allclose(walk.output(), ref, atol=1e-10)
    assert len(walk.steps) == ref.size
    s = walk.steps[-1]
    np.testing.assert_allclose(s.products, s.window * k)
    taps = np.arange(3) * dilation
    np.testing.assert_array_equal(s.window, walk.padded[np.ix_(s.top + taps, s.left + taps)])
    assert K.mac_text(s, k).endswith(f"= {s.total:.3f}")


def test_output_size_formula_matches_torch_for_many_settings():
    for n, k, s, p, d in itertools.product((5, 8, 13), (3, 5), (1, 2, 4), (0, 1, 3), (1, 2, 3)):
        expected = K.output_size(n, k, s, p, d)
        if expected <= 0:
            with pytest.raises(RuntimeError):
                F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=s, padding=p,
                         dilation=d)
            assert K.check_settings((n, n), k, s, p, d).startswith("No output")
            continue
        got = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=s, padding=p,
                       dilation=d).shape[-1]
        assert got == expected
        assert K.formula(n, k, s, p, d).endswith(f"= {expected}")
        assert K.check_settings((n, n), k, s, p, d) is None


def test_formula_shows_the_real_numbers():
    text = K.formula(28, 5, 2, 1, 2)
    assert "(28 + 2·1 − 2·(5 − 1) − 1) / 2" in text and text.endswith("= 11")


def test_no_output_and_out_of_range_settings_are_messages():
    msg = K.check_settings((4, 30), 5, 1, 0, 2)          # spans 9 pixels > 4
    assert "height" in msg and "9" in msg
    with pytest.raises(ValueError, match="No output"):
        K.convolve(np.zeros((1, 4, 30)), np.ones((5, 5)), 1, 0, 2)
    with pytest.raises(ValueError, match="No output"):
        K.sliding_window(np.zeros((3, 3)), np.ones((5, 5)))
    assert "Stride" in K.check_settings((10, 10), 3, 0, 0, 1)
    assert "Stride" in K.check_settings((10, 10), 3, 1, 0, 99)


def test_presets_do_what_they_say():
    rng = np.random.default_rng(0)
    x = rng.random((1, 12, 12)).astype(np.float32)
    ramp = np.tile(np.arange(12, dtype=np.float32), (12, 1))[None]        # brighter to the right
    for n in K.SIZES:
        np.testing.assert_allclose(K.convolve(x, K.preset("identity", n), padding=n // 2), x, atol=1e-6)
        for name in K.PRESETS:
            k = K.preset(name, n)
            assert k.shape == (n, n) and np.isfinite(k).all()
        for name in ("box_blur", "gaussian_blur", "sharpen"):      # keep a flat image flat
            np.testing.assert_allclose(K.convolve(np.full((1, 9, 9), 0.5), K.preset(name, n)), 0.5,
                                       atol=1e-6)
        for name in ("sobel_x", "sobel_y", "laplacian", "edge"):  # no response to flat areas
            assert abs(K.preset(name, n).sum()) < 1e-9
        gx = K.convolve(ramp, K.preset("sobel_x", n))
        gy = K.convolve(ramp, K.preset("sobel_y", n))
        assert (gx > 0).all() and np.allclose(gx, gx.flat[0]) and np.allclose(gy, 0)
        assert np.allclose(K.convolve(ramp, K.preset("laplacian", n)), 0, atol=1e-5)
    assert K.convolve(x, K.preset("box_blur", 3)).std() < x.std()
    with pytest.raises(ValueError):
        K.preset("sobel_x", 4)


def test_hand_edited_kernels_are_cleaned_with_notes():
    k, notes = K.clean_kernel([[1, None, "x"], [float("nan"), 1e9, -1e12], [2, "", 3]], 3)
    assert k.tolist() == [[1, 0, 0], [0, 100, -100], [2, 0, 3]]
    text = " ".join(notes)
    assert "3 empty cells counted as 0" in text and "1 non-numeric cell counted as 0" in text
    assert "2 values beyond ±100" in text
    k, notes = K.clean_kernel([[1, 2]], 3)                # too small a grid: zeros fill it
    assert k.shape == (3, 3) and k[0, :2].tolist() == [1, 2] and k[1:].sum() == 0
    k, notes = K.clean_kernel(np.ones((3, 3)), 3)
    assert notes == [] and k.sum() == 9
    k, _ = K.clean_kernel([[float("inf")] * 3] * 3, 3)
    assert np.isfinite(k).all() and (k == 100).all()


def test_relu_and_maxpool_match_torch():
    a = np.random.default_rng(3).normal(size=(2, 7, 6))
    np.testing.assert_array_equal(K.relu(a), np.maximum(a, 0))
    ref = F.max_pool2d(torch.tensor(a)[None], 2)[0].numpy()
    np.testing.assert_array_equal(K.maxpool2(a), ref)
    assert K.maxpool2(np.ones((1, 1))).size == 0


def test_to_array_gray_and_rgb():
    img = np.zeros((4, 5, 3), np.uint8)
    img[..., 0] = 255
    rgb, gray = K.to_array(img, False), K.to_array(img, True)
    assert rgb.shape == (3, 4, 5) and rgb[0].max() == 1 and rgb[1].max() == 0
    assert gray.shape == (1, 4, 5) and np.allclose(gray, 0.299)
