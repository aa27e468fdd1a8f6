"""The exported PyTorch code reproduces the app's predictions (TF Playground #39)."""
import importlib.util
import io
import sys
import zipfile

import numpy as np
import pytest
import torch

from playground.mlp import export
from playground.mlp import features as F
from playground.mlp import settings as S
from playground.mlp.trainer import Run

CASES = [
    dict(dataset="spiral", layers=[6, 4], acts=["relu", "gelu"], features=["x1", "x2", "sinx1", "x1x2"]),
    dict(dataset="spiral3", layers=[5], acts=["leaky_relu"], features=["x1", "x2", "x1sq", "x2sq", "sinx2"]),
    dict(dataset="reg_gauss", layers=[4, 3, 2], acts=["elu", "silu", "softplus"]),
    dict(dataset="gauss", layers=[], acts=[], loss="cross_entropy"),
    dict(dataset="xor", layers=[3], acts=["sigmoid"], features=["x1x2"]),
]


@pytest.mark.parametrize("case", CASES)
def test_exported_model_reproduces_predictions(case, tmp_path):
    cfg = S.normalize({**S.defaults(), **case})
    run = Run(cfg)
    run.step(5)
    with zipfile.ZipFile(io.BytesIO(export.export_zip(run))) as z:
        z.extractall(tmp_path)
    spec = importlib.util.spec_from_file_location("exported_model", tmp_path / "model.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["exported_model"] = mod
    spec.loader.exec_module(mod)
    model = mod.load(tmp_path / "weights.safetensors")
    pts = np.random.default_rng(0).uniform(-6, 6, (200, 2))
    with torch.no_grad():
        out = model(torch.tensor(pts)).numpy()
    np.testing.assert_allclose(out, run.net.predict(F.transform(pts, run.features)), atol=1e-10)
