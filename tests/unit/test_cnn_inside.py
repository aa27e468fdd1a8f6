"""Inside a pretrained CNN: ResNet-18 and MobileNetV3 loaded by the app's real torchvision
loading code from random-init weights in a temp $TORCH_HOME; the stage walk equals the model's
forward pass, leaves the shared model untouched and is safe from several threads at once."""
import threading

import numpy as np
import pytest
import torch

from playground.cnn import figures as G, inside as I
from playground.vision import models as M
from tests.vision_weights import float32_tests, load  # noqa: F401  (autouse fixture)

KEYS = ("resnet18", "mobilenet_v3_large")


def test_resnet18_is_in_the_registry_with_torchvision_weights():
    spec = M.REGISTRY["resnet18"]
    assert spec.task == "classify" and spec.family == "resnet"
    assert spec.file_name.startswith("resnet18-") and spec.file_name.endswith(".pth")
    assert 40 < spec.size_mb < 50 and len(spec.categories) == 1000


@pytest.mark.parametrize("key", KEYS)
def test_stage_walk_is_the_forward_pass(key):
    loaded = load(key)
    assert loaded.source == "torchvision"
    x = torch.rand(2, 3, 224, 224, generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        ref = loaded.model(x)
    out = I.run_to(loaded.model, loaded.spec.family, x)
    torch.testing.assert_close(out, ref)


def test_layer_table_shapes_resnet18():
    loaded = load("resnet18")
    rows = I.layer_table(loaded.model, "resnet", torch.zeros(1, 3, 224, 224))
    by = {r["layer"]: r for r in rows}
    assert (by["input"]["channels"], by["input"]["size"]) == (3, "224×224")
    assert (by["conv1"]["channels"], by["conv1"]["size"]) == (64, "112×112")
    assert by["maxpool"]["size"] == "56×56" and by["layer2.0"]["size"] == "28×28"
    assert (by["layer4.1"]["channels"], by["layer4.1"]["size"]) == (512, "7×7")
    assert [r["layer"] for r in rows if r["type"] == "BasicBlock"] == [
        f"layer{i}.{j}" for i in range(1, 5) for j in range(2)]
    assert by["fc"]["channels"] == 1000
    assert sum(r["parameters"] for r in rows) == sum(p.numel() for p in loaded.model.parameters())
    fig = G.shape_chart(rows)
    assert fig["data"][0]["y"][0] == 64 and fig["data"][1]["y"][-3] == 7


def test_feature_maps_pick_the_most_active_channels_and_touch_nothing():
    loaded = load("mobilenet_v3_large")
    m = loaded.model
    before = {k: v.clone() for k, v in m.state_dict().items()}
    x = torch.rand(1, 3, 224, 224, generator=torch.Generator().manual_seed(1))
    layers = I.spatial_stages(m, "mobilenet")
    assert layers[0] == "features.0" and "classifier" not in layers
    maps, idx, mean = I.feature_maps(m, "mobilenet", x, "features.4", top=6)
    full = I.run_to(m, "mobilenet", x, "features.4")[0]
    assert maps.shape == (6,) + tuple(full.shape[1:]) and len(mean) == full.shape[0]
    np.testing.assert_allclose(mean[idx], np.sort(mean)[::-1][:6], rtol=1e-6)
    np.testing.assert_allclose(maps[0], full[idx[0]].numpy())
    assert not m._forward_hooks and all(not mod._forward_hooks for mod in m.modules())
    assert all(torch.equal(v, m.state_dict()[k]) for k, v in before.items())
    assert not m.training
    with pytest.raises(KeyError):
        I.run_to(m, "mobilenet", x, "nope")
    with pytest.raises(ValueError):
        I.feature_maps(m, "mobilenet", x, "classifier")


def test_first_filters_are_a_copy():
    m = load("resnet18").model
    w = I.first_filters(m)
    assert w.shape == (64, 3, 7, 7)
    w[:] = 0
    assert float(m.conv1.weight.abs().sum()) > 0
    grid = G.rgb_filters(I.first_filters(m), cols=16, cell=28)
    assert grid.dtype == np.uint8 and grid.shape[2] == 3 and grid.std() > 0


def test_two_users_at_once_get_their_own_answers():
    m = load("resnet18").model
    xs = [torch.rand(1, 3, 160, 160, generator=torch.Generator().manual_seed(s)) for s in range(4)]
    serial = [I.feature_maps(m, "resnet", x, "layer2.1", top=4)[0] for x in xs]
    results = [None] * len(xs)

    def work(i):
        for _ in range(3):
            results[i] = I.feature_maps(m, "resnet", xs[i], "layer2.1", top=4)[0]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(xs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for a, b in zip(results, serial):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert not any(torch.equal(torch.from_numpy(serial[0]), torch.from_numpy(s)) for s in serial[1:])


def test_shape_chart_right_axis_has_its_own_round_ticks():
    from playground.cnn import figures as CF
    rows = [{"layer": "conv1", "channels": 64, "size": "112×112"},
            {"layer": "fc", "channels": 1000, "size": "1×1"}]
    y2 = CF.shape_chart(rows)["layout"]["yaxis2"]
    assert y2["tickmode"] == "auto" and y2["overlaying"] == "y"   # not synced to the left: 22.9, 45.8
