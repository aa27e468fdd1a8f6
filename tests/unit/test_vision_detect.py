"""Detection and segmentation post-processing on fixed tensors, plus the real models (random
weights, real loading code) end to end."""
import numpy as np
import plotly.graph_objects as go
import pytest
import torch
from PIL import Image

from playground import images as I
from playground.vision import detect as D
from playground.vision import figures as VF
from playground.vision import models as M
from tests.vision_weights import float32_tests, load  # noqa: F401 (autouse fixture)

CATS = ["__background__", "person", "N/A", "dog"]


def fixed_output():
    return {"boxes": torch.tensor([[10., 10., 50., 40.], [0., 0., 5., 5.], [20., 5., 60., 70.],
                                   [1., 2., 3., 4.]]),
            "labels": torch.tensor([1, 3, 2, 9]),
            "scores": torch.tensor([0.40, 0.95, 0.70, 0.10])}


def test_filter_detections_thresholds_sorts_and_names():
    dets = D.filter_detections(fixed_output(), CATS, threshold=0.35)
    assert [d.score for d in dets] == pytest.approx([0.95, 0.70, 0.40])
    assert [d.name for d in dets] == ["dog", "class 2", "person"]     # "N/A" gets its number
    assert dets[0].box == (0.0, 0.0, 5.0, 5.0) and dets[0].label == 3
    assert len(D.filter_detections(fixed_output(), CATS, 0.05)) == 4
    assert D.filter_detections(fixed_output(), CATS, 0.05, max_n=2)[1].score == pytest.approx(0.7)
    assert D.filter_detections(fixed_output(), CATS, 0.99) == []
    empty = {"boxes": torch.zeros(0, 4), "labels": torch.zeros(0, dtype=torch.long),
             "scores": torch.zeros(0)}
    assert D.filter_detections(empty, CATS, 0.5) == []
    assert D.category_name(CATS, 9) == "class 9" and D.category_name(CATS, 0) == "background"


def test_draw_detections_paints_boxes_without_touching_the_input():
    img = Image.new("RGB", (100, 80), (255, 255, 255))
    dets = D.filter_detections(fixed_output(), CATS, 0.35)
    out = D.draw_detections(img, dets, width=2)
    assert out.size == img.size and np.asarray(img).min() == 255
    px = np.asarray(out)
    person = tuple(int(v) for v in bytes.fromhex(D.BOX_COLORS[1][1:]))
    assert tuple(px[25, 10]) == person                   # left edge of the person box
    assert tuple(px[60, 80]) == (255, 255, 255)          # outside every box


def test_voc_palette_known_colours():
    pal = D.voc_palette(21)
    assert pal.shape == (21, 3) and pal.dtype == np.uint8
    assert pal[0].tolist() == [0, 0, 0] and pal[1].tolist() == [128, 0, 0]
    assert pal[2].tolist() == [0, 128, 0] and pal[15].tolist() == [192, 128, 128]   # person
    assert len({tuple(c) for c in pal}) == 21


def test_class_map_and_shares_on_fixed_logits():
    logits = torch.zeros(1, 3, 2, 4)
    logits[0, 1, :, :2] = 5.0                 # left half class 1
    logits[0, 2, 1, 2:] = 5.0                 # bottom-right quarter class 2
    cm = D.class_map(logits, (4, 2))
    assert cm.tolist() == [[1, 1, 0, 0], [1, 1, 2, 2]]
    big = D.class_map(logits[0], (8, 4))      # (C, h, w) input, upsampled to (W, H) = (8, 4)
    assert big.shape == (4, 8) and big[0, 0] == 1 and big[3, 7] == 2
    shares = D.class_shares(cm, ["__background__", "cat", "dog"])
    assert shares == [(1, "cat", 0.5), (0, "background", 0.25), (2, "dog", 0.25)]
    assert D.class_shares(cm, ["bg", "cat", "dog"], min_share=0.3) == [(1, "cat", 0.5)]


def test_mask_overlay_leaves_background_alone():
    img = Image.new("RGB", (4, 2), (10, 20, 30))
    cm = np.array([[0, 1, 1, 0], [0, 0, 15, 15]])
    out = np.asarray(D.mask_overlay(img, cm, opacity=1.0))
    assert out[0, 0].tolist() == [10, 20, 30] and out[0, 1].tolist() == [128, 0, 0]
    assert out[1, 3].tolist() == [192, 128, 128]
    half = np.asarray(D.mask_overlay(img, cm, opacity=0.5))
    assert half[0, 1].tolist() == [69, 10, 15]
    with pytest.raises(ValueError):
        D.mask_overlay(img, np.zeros((3, 3), int))


def test_real_detector_end_to_end():
    loaded = load("ssdlite320")
    img = I.load_sample("Astronaut").image
    out = D.run_detector(loaded, img)
    n = len(out["scores"])
    assert out["boxes"].shape == (n, 4) and out["labels"].shape == (n,)
    assert torch.all(out["scores"][:-1] >= out["scores"][1:])
    assert int(out["labels"].max()) < 91
    assert float(out["boxes"][:, 2].max()) <= img.size[0] + 1
    dets = D.filter_detections(out, loaded.spec.categories, 0.0, max_n=5)
    assert len(dets) == min(5, n)
    assert D.draw_detections(img, dets).size == img.size


def test_real_segmenter_end_to_end():
    loaded = load("lraspp")
    img = I.load_sample("Coffee").image
    x = D.segmentation_input(loaded, img)
    assert x.shape[0] == 1 and min(x.shape[-2:]) == 520
    cm = D.class_map(D.run_segmenter(loaded, img), img.size)
    assert cm.shape == (img.size[1], img.size[0]) and 0 <= cm.min() and cm.max() < 21
    shares = D.class_shares(cm, loaded.spec.categories)
    assert sum(s for _, _, s in shares) == pytest.approx(1.0)
    assert D.mask_overlay(img, cm).size == img.size


def test_figures_are_valid_plotly():
    go.Figure(VF.topk_bar([(1, "cat", 0.5), (2, "dog", 0.2)], highlight=2))
    curve = VF.confidence_curve([95, 50, 10], [0.9, 0.5, 0.1], "JPEG quality", "cat",
                                [True, True, False], current=50)
    go.Figure(curve)
    assert curve["layout"]["xaxis"]["autorange"] == "reversed"     # severity grows rightwards
    assert curve["data"][0]["marker"]["color"][-1] == VF.RED
    go.Figure(VF.class_share_bar([(1, "cat", 0.6), (0, "background", 0.4)], D.voc_palette(3)))
