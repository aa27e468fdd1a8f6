"""The app's own digit detector: scenes, IoU / NMS / AP by hand, decoding, training, sentences."""
import numpy as np
import pytest
import torch
from torchvision import ops

from playground.detect import boxes as B, explain as E, figures as F, model as M, scenes as S
from playground.detect import settings as DS
from playground.detect import train as T
from playground.threads import few_threads


# ---- scenes ---------------------------------------------------------------------------------
def test_scenes_are_seeded_and_their_boxes_and_masks_agree():
    counts = set()
    for seed in range(40):
        s = S.make_scene(seed)
        assert s.image.shape == s.mask.shape == (S.SIDE, S.SIDE) and 0 <= s.image.min() <= s.image.max() <= 1
        assert 1 <= len(s.labels) <= S.MAX_DIGITS and len(s.boxes) == len(s.labels)
        counts.add(len(s.labels))
        assert (s.boxes[:, :2] >= 0).all() and (s.boxes[:, 2:] <= S.SIDE).all()
        assert (s.boxes[:, 2:] > s.boxes[:, :2]).all()
        assert B.iou(s.boxes, s.boxes)[~np.eye(len(s.boxes), dtype=bool)].max(initial=0) == 0
        covered = np.zeros_like(s.mask, bool)
        for (x0, y0, x1, y1), label in zip(s.boxes.astype(int), s.labels):
            inside = s.mask[y0:y1, x0:x1] == label + 1
            # the box is the tight box of that digit's mask pixels
            assert inside.any(axis=1)[[0, -1]].all() and inside.any(axis=0)[[0, -1]].all()
            covered[y0:y1, x0:x1] |= inside
        assert ((s.mask > 0) == covered).all()              # no mask pixel outside its box
        assert ((s.image > S.INK) == (s.mask > 0)).all()
    assert counts == {1, 2, 3, 4}
    a, b = S.make_scene(7), S.make_scene(7)
    assert np.array_equal(a.image, b.image) and np.array_equal(a.boxes, b.boxes)
    assert not np.array_equal(a.image, S.make_scene(8).image)
    assert len(S.make_scene(3, n_digits=2).labels) == 2
    assert len(S.pool("train")[1]) + len(S.pool("test")[1]) == 1797
    with pytest.raises(ValueError):
        S.make_scene(0, n_digits=9)


def test_compose_by_hand_and_a_drawing():
    sprite = np.zeros((6, 6), np.float32)
    sprite[1:5, 2:4] = 1.0
    s = S.compose([(sprite, 7, 10, 20)])
    assert s.boxes.tolist() == [[22, 11, 24, 15]] and s.labels.tolist() == [7]
    assert int((s.mask == 8).sum()) == 8
    rgba = np.zeros((320, 320, 4), np.uint8)
    rgba[100:200, 150:170, :3] = 255
    img = S.from_drawing(rgba)
    assert img.shape == (64, 64) and img.max() == pytest.approx(1) and img[0, 0] == 0
    assert S.from_drawing(np.zeros((320, 320, 4), np.uint8)).max() == 0       # an empty canvas
    for bad in (np.zeros((5, 5)), np.zeros(7), np.zeros((4, 4, 4))):
        with pytest.raises(ValueError):
            S.from_drawing(bad)


# ---- IoU, NMS, AP ----------------------------------------------------------------------------
def test_iou_by_hand_and_against_torchvision():
    a = [[0, 0, 2, 2]]
    assert B.iou(a, [[1, 1, 3, 3]])[0, 0] == pytest.approx(1 / 7)
    assert B.iou(a, a)[0, 0] == 1 and B.iou(a, [[5, 5, 6, 6]])[0, 0] == 0
    assert B.iou(a, [[1, 1, 1, 1]])[0, 0] == 0 and B.iou(a, [[0, 0, 2, 1]])[0, 0] == 0.5
    rng = np.random.default_rng(0)
    xy = rng.uniform(0, 50, (30, 2))
    boxes = np.concatenate([xy, xy + rng.uniform(1, 20, (30, 2))], 1)
    np.testing.assert_allclose(B.iou(boxes, boxes[::-1]),
                               ops.box_iou(torch.tensor(boxes), torch.tensor(boxes[::-1].copy())).numpy(),
                               atol=1e-9)


def test_nms_by_hand_and_against_torchvision():
    boxes = [[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0, 0, 10, 5]]
    scores = [0.9, 0.8, 0.7, 0.6]          # IoU(A, B) = 81 / 119 = 0.68; IoU(A, D) = 0.5
    keep, gone = B.nms(boxes, scores, 0.5)
    assert keep == [0, 2]
    assert [(g.index, g.by) for g in gone] == [(1, 0), (3, 0)]
    assert gone[0].iou == pytest.approx(81 / 119) and gone[1].iou == pytest.approx(0.5)
    keep, gone = B.nms(boxes, scores, 0.7)  # the opposite case: nothing overlaps that much
    assert keep == [0, 1, 2, 3] and gone == []
    rng = np.random.default_rng(1)
    xy = rng.uniform(0, 40, (60, 2))
    rb = np.concatenate([xy, xy + rng.uniform(5, 25, (60, 2))], 1)
    rs = rng.uniform(0, 1, 60)
    for t in (0.3, 0.5, 0.7):
        assert B.nms(rb, rs, t)[0] == ops.nms(torch.tensor(rb), torch.tensor(rs), t).tolist()


def test_average_precision_by_hand():
    truths = [(np.array([[0, 0, 10, 10], [20, 20, 30, 30]]), np.array([0, 0]))]
    preds = [([[0, 0, 10, 10], [40, 40, 50, 50], [21, 21, 30, 30]], [0, 0, 0], [0.9, 0.8, 0.7])]
    m, per = B.mean_ap(preds, truths)
    assert per == {0: pytest.approx(0.5 * 1 + 0.5 * 2 / 3)} and m == per[0]
    perfect = [([[0, 0, 10, 10], [20, 20, 30, 30]], [0, 0], [0.9, 0.8])]
    assert B.mean_ap(perfect, truths)[0] == 1
    wrong_class = [([[0, 0, 10, 10], [20, 20, 30, 30]], [1, 1], [0.9, 0.8])]
    assert B.mean_ap(wrong_class, truths)[0] == 0


# ---- encoding and decoding -------------------------------------------------------------------
def _outputs_from_targets(scene):
    t = M.targets(scene)
    heat = np.clip(t["heat"], 1e-4, 1 - 1e-4)
    cls = np.full((M.N_CLASSES, M.GRID, M.GRID), -20.0, np.float32)
    for r, c in zip(*np.nonzero(t["cls"] >= 0)):
        cls[t["cls"][r, c], r, c] = 20.0
    return {"obj": torch.tensor(np.log(heat / (1 - heat)))[None], "box": torch.tensor(t["box"])[None],
            "cls": torch.tensor(cls)[None]}


def test_targets_decode_back_to_the_true_boxes():
    for seed in range(10):
        s = S.make_scene(seed)
        dec = M.decode(_outputs_from_targets(s), 0.5, 0.5)
        got = sorted((d.label, tuple(np.round(d.box, 3))) for d in dec.detections)
        want = sorted((int(lbl), tuple(np.round(b, 3))) for b, lbl in zip(s.boxes, s.labels))
        assert got == want
        assert all(d.score == pytest.approx(1, abs=1e-3) for d in dec.detections)


def test_decode_a_hand_made_grid():
    out = {"obj": torch.full((1, M.GRID, M.GRID), -10.0), "box": torch.zeros(1, 4, M.GRID, M.GRID),
           "cls": torch.zeros(1, M.N_CLASSES, M.GRID, M.GRID)}
    out["obj"][0, 3, 5] = out["obj"][0, 3, 6] = 10.0
    out["cls"][0, 7, 3, 5] = out["cls"][0, 7, 3, 6] = 30.0
    out["box"][0, :, 3, 5] = torch.tensor([0.25, -0.5, np.log(2), np.log(3)])
    out["box"][0, :, 3, 6] = torch.tensor([-0.75, -0.5, np.log(2), np.log(3)])  # the same box
    dec = M.decode(out, 0.5, 0.5)
    assert [c.cell for c in dec.candidates] == [(3, 5), (3, 6)]
    assert dec.detections[0].box == pytest.approx((19, 6, 27, 18)) and dec.detections[0].label == 7
    assert len(dec.kept) == 1 and dec.removed[0].iou == pytest.approx(1)
    text = E.nms_sentence(dec, 0.5, 0.5)
    assert "removed 1 box because it overlapped" in text and "IoU 1.00" in text and "leaving 1 detection." in text
    out["box"][0, 0, 3, 6] = 1.25                         # shifted by 8 px: IoU 0 with the first
    dec = M.decode(out, 0.5, 0.5)
    assert len(dec.kept) == 2 and "NMS removed none" in E.nms_sentence(dec, 0.5, 0.5)
    assert "No cell scored" in E.nms_sentence(M.decode(out, 0.9999999, 0.5), 0.9999999, 0.5)


def test_found_sentence_and_rows_follow_the_numbers():
    s = S.make_scene(5, n_digits=2)
    out = _outputs_from_targets(s)
    dec = M.decode(out, 0.5, 0.5)
    truth = (s.boxes, s.labels)
    assert E.found_sentence(dec, truth) == ("Found 2 of 2 digits (right digit, IoU ≥ 0.5 with the "
                                            "true box) and drew no wrong box.")
    assert [r["verdict"] for r in E.rows(dec, truth)] == ["right", "right"]
    # the opposite: the first digit's cells now say another digit
    first = dec.detections[0]
    r, c = first.cell
    out["cls"][0, :, r, c] = -20.0
    out["cls"][0, (first.label + 1) % 10, r, c] = 20.0
    dec = M.decode(out, 0.5, 0.5)
    text = E.found_sentence(dec, truth)
    assert text.startswith("Found 1 of 2 digits") and f"missed: {first.label}" in text
    assert "1 box wrong" in text
    assert "wrong digit" in [r["verdict"] for r in E.rows(dec, truth)]
    assert E.found_sentence(M.decode(out, 0.5, 0.5), (np.zeros((0, 4)), [])).endswith("false alarms.")


# ---- training ------------------------------------------------------------------------------
def test_a_short_seeded_training_learns_and_repeats():
    with few_threads():
        a = T.train_detector(0, steps=8, eval_scenes=4)
        b = T.train_detector(0, steps=8, eval_scenes=4)
        assert all(torch.equal(p, q) for p, q in zip(a.model.parameters(), b.model.parameters()))
        det = T.train_detector(0, steps=100, eval_scenes=40)
    assert det.curve[-1][1] < det.curve[0][1] / 2            # the loss falls
    q = det.quality
    assert q.map50 > 0.6 and q.recall > 0.3 and q.precision > 0.7 and q.n_scenes == 40
    assert f"mAP@0.5 {q.map50:.1%}" in det.summary and f"finds {q.recall:.0%} of the digits" in det.summary
    assert "weak" not in det.summary
    t, p, r = q.at(0.5)
    assert t == 0.5 and (p, r) == (q.precision, q.recall) and len(q.curve) == 19
    recalls = [c[2] for c in q.curve]
    assert recalls == sorted(recalls, reverse=True)           # a higher threshold never finds more
    assert E.threshold_sentence(q, 0.5).endswith(f"right {p:.0%} of the time (precision) and find "
                                                 f"{r:.0%} of the digits (recall).")
    fig = F.threshold_chart(q.curve, 0.3)
    assert fig["data"][1]["y"] == recalls and fig["layout"]["shapes"][0]["x0"] == 0.3
    # the opposite: a model that shows no box and ranks badly says so
    det.quality = T.Quality(0.02, None, 0.0, 0.01, 0.05, 40, 100, [(0.5, None, 0.0)])
    assert "shows no box at all" in det.summary and "weak after only 100 mini-batches" in det.summary
    assert "no box reaches a score of 50%" in E.threshold_sentence(det.quality, 0.5)
    assert not det.model.training and not any(p.requires_grad for p in det.model.parameters())


def test_settings_round_trip_and_bad_values():
    values, warnings = DS.from_query({"source": "own", "scene": "42", "own_thr": "0.33",
                                      "nms": "7", "truth": "false", "seg_model": "nope"})
    assert values == {"source": "own", "scene": 42, "own_thr": 0.35, "nms": 0.9, "truth": False}
    assert len(warnings) == 1 and "seg_model" in warnings[0]
    q = DS.to_query({**DS.DEFAULTS, **values})
    assert q == {"source": "own", "scene": "42", "own_thr": "0.35", "nms": "0.9", "truth": "false"}
    assert DS.from_query(q)[0] == values
    assert DS.to_query(DS.DEFAULTS) == {}


def test_the_detector_is_in_the_cost_catalog_with_its_conv_macs():
    from playground import catalog as K

    assert K.OWN_DETECTOR in {e.key for e in K.entries()}
    model, fn, desc = K.build(K.OWN_DETECTOR)
    by_hand = []
    hooks = [m.register_forward_hook(lambda m, i, o: by_hand.append(
        o.numel() * m.in_channels // m.groups * m.kernel_size[0] * m.kernel_size[1]))
        for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    fn()
    for h in hooks:
        h.remove()
    cost = K.measure_entry(K.OWN_DETECTOR, repeats=1)
    assert cost.params == M.n_params(model) and "64×64 digit scene" in desc
    assert sum(by_hand) <= cost.macs <= sum(by_hand) * 1.05      # convolutions are nearly all of it
