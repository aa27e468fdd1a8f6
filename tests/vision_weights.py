"""Random-init weights written where torchvision looks for cached files (tests only).

The real loading code then runs offline: ``$TORCH_HOME/hub/checkpoints/<weights.url basename>``
holds ``model(weights=None).state_dict()`` (BatchNorm statistics calibrated on random images and
the classifier head widened, so outputs are neither constant nor degenerate). Never real weights.
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import threading
from pathlib import Path

import pytest
import torch

from playground.vision import models as M

_LOCK = threading.Lock()
_SHARED: dict[str, Path] = {}
APP_MODELS = ("mobilenet_v3_large", "ssdlite320", "lraspp")


class float32_default:
    """Context manager: torch's default dtype float32 inside (another test module may have
    switched the whole session to float64)."""

    def __enter__(self):
        self.old = torch.get_default_dtype()
        torch.set_default_dtype(torch.float32)

    def __exit__(self, *exc):
        torch.set_default_dtype(self.old)


def random_state_dict(spec: M.ModelSpec, seed: int = 0) -> dict:
    with float32_default():
        return _random_state_dict(spec, seed)


def _random_state_dict(spec: M.ModelSpec, seed: int) -> dict:
    torch.manual_seed(seed)
    model = spec.builder(weights=None, **spec.arch)
    bns = [m for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
    if bns:
        for m in bns:
            m.reset_running_stats()
            m.momentum = None                       # cumulative average over the batches
        model.train()
        size = 320 if spec.task == "detect" else 224
        g = torch.Generator().manual_seed(seed)
        with torch.no_grad():
            for _ in range(2):
                x = (torch.rand(4, 3, size, size, generator=g) - 0.45) / 0.225
                if spec.task == "detect":
                    model.head(list(model.backbone(x).values()))
                else:
                    model(x)
        for m in bns:
            m.momentum = 0.1
    linears = [m for m in model.modules() if isinstance(m, torch.nn.Linear)]
    if spec.task == "classify" and linears:
        head = linears[-1]
        with torch.no_grad():
            head.weight.normal_(0.0, 3.0 / head.in_features ** 0.5, generator=torch.Generator()
                                .manual_seed(seed))
    if spec.task == "detect":                       # a few confident boxes, not 300 at 1 %
        with torch.no_grad():
            for i, mod in enumerate(model.head.classification_head.module_list):
                conv = mod[1]
                conv.weight.normal_(0.0, 3.0 / conv.weight[0].numel() ** 0.5,
                                    generator=torch.Generator().manual_seed(seed + i))
    model.eval()
    return model.state_dict()


def write_random_weights(torch_home: Path, keys, seed: int = 0) -> dict:
    """Write the checkpoint file of every model in ``keys`` under ``torch_home``; paths."""
    out = {}
    for key in keys:
        spec = M.REGISTRY[key]
        path = Path(torch_home) / "hub" / "checkpoints" / spec.file_name
        if not path.is_file():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            torch.save(random_state_dict(spec, seed), tmp)
            tmp.replace(path)
        out[key] = path
    return out


def shared_torch_home(keys=APP_MODELS, name: str = "app") -> Path:
    """A temp TORCH_HOME per test process and ``name`` with random weights for ``keys``.

    The "app" home (page and browser tests) holds only :data:`APP_MODELS`, so the other models
    show their offline message there; :func:`load` adds models to its own "models" home."""
    with _LOCK:
        if name not in _SHARED:
            d = Path(tempfile.mkdtemp(prefix=f"dlp-torch-home-{name}-"))
            atexit.register(shutil.rmtree, d, ignore_errors=True)
            _SHARED[name] = d
        write_random_weights(_SHARED[name], keys)
        return _SHARED[name]


_LOADED: dict = {}


def load(key: str) -> M.Loaded:
    """The model ``key`` loaded by the app's real loading code from the shared temp TORCH_HOME
    (random weights); one copy per test process, like the app's per-server cache."""
    with _LOCK:
        hit = _LOADED.get(key)
    if hit is not None:
        return hit
    home = shared_torch_home((key,), name="models")
    with torch_home(home):
        loaded = M.load_torchvision(M.REGISTRY[key])
    with _LOCK:
        return _LOADED.setdefault(key, loaded)


class torch_home:
    """Context manager: point $TORCH_HOME somewhere (restored afterwards)."""

    def __init__(self, path):
        self.path = str(path)

    def __enter__(self):
        self.old = os.environ.get("TORCH_HOME")
        os.environ["TORCH_HOME"] = self.path
        return self

    def __exit__(self, *exc):
        if self.old is None:
            os.environ.pop("TORCH_HOME", None)
        else:
            os.environ["TORCH_HOME"] = self.old


@pytest.fixture(autouse=True)
def float32_tests():
    """Autouse where imported: the test's own tensors are float32 too."""
    with float32_default():
        yield
