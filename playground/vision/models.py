"""Which pretrained torchvision models we offer, and how their weights get here and load.

Weights come through torchvision's weights API (``weights.url``, ``weights.meta``,
``weights.get_state_dict``) into torch.hub's checkpoint directory (``$TORCH_HOME/hub/checkpoints``),
exactly where ``torchvision.models.<name>(weights=...)`` looks. Everything that is loaded goes
through ``torch.load(..., weights_only=True)`` (or safetensors): no pickled code ever runs.

Offline is detected fast: a weights file that is already in the checkpoint directory needs no
network; otherwise a ≤2 s TCP probe of download.pytorch.org decides before any download starts.
A loaded model is read-only: ``model.eval()``, parameters with ``requires_grad=False``, never hooked or
modified afterwards, so several sessions can run it at the same time.
"""
from __future__ import annotations

import hashlib
import io
import itertools
import os
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse
from urllib.request import Request, urlopen

import torch
from torchvision import models as tvm
from torchvision.models import detection as tvd
from torchvision.models import segmentation as tvs

from .. import netcheck
from ..netcheck import PROBE_TIMEOUT

DOWNLOAD_HOST = "download.pytorch.org"
OFFLINE_ENV = "PLAYGROUND_OFFLINE"     # "1": never try to download (classroom without internet)
HASH_REGEX = re.compile(r"-([a-f0-9]*)\.")   # torch.hub's file-name hash convention
LOCAL_SUFFIXES = (".pth", ".pt", ".bin", ".safetensors")


class WeightsError(RuntimeError):
    """Weights that are missing, unreachable or do not fit; the text is for the student."""


@dataclass(frozen=True)
class ModelSpec:
    key: str
    label: str
    task: str                      # "classify" | "detect" | "segment"
    family: str                    # how explanations reach inside: mobilenet, resnet, convnext, vit
    builder: Callable
    weights: object                # a torchvision WeightsEnum member
    arch: dict = field(default_factory=dict)   # builder(weights=None, **arch) = same architecture
    meta_init: bool = True         # build on the meta device (no random init, half the peak RAM)
    blurb: str = ""

    @property
    def url(self) -> str:
        return self.weights.url

    @property
    def file_name(self) -> str:
        return os.path.basename(urlparse(self.url).path)

    @property
    def size_mb(self) -> float:
        return float(self.weights.meta.get("_file_size", 0.0))

    @property
    def categories(self) -> list[str]:
        return list(self.weights.meta["categories"])

    @property
    def transforms(self):
        return self.weights.transforms()


def _spec(key, label, task, family, builder, weights, blurb, **kw):
    return ModelSpec(key, label, task, family, builder, weights, blurb=blurb, **kw)


REGISTRY: dict[str, ModelSpec] = {s.key: s for s in [
    _spec("mobilenet_v3_large", "MobileNetV3-Large", "classify", "mobilenet",
          tvm.mobilenet_v3_large, tvm.MobileNet_V3_Large_Weights.DEFAULT,
          "Small and fast, made for phones",
          arch={"num_classes": 1000}),
    _spec("resnet18", "ResNet-18", "classify", "resnet", tvm.resnet18, tvm.ResNet18_Weights.DEFAULT,
          "The smallest residual network, 18 layers deep",
          arch={"num_classes": 1000}),
    _spec("resnet50", "ResNet-50", "classify", "resnet", tvm.resnet50, tvm.ResNet50_Weights.DEFAULT,
          "The classic residual network", arch={"num_classes": 1000}),
    _spec("convnext_tiny", "ConvNeXt-Tiny", "classify", "convnext", tvm.convnext_tiny,
          tvm.ConvNeXt_Tiny_Weights.DEFAULT, "A modern CNN with transformer-style design choices",
          arch={"num_classes": 1000}),
    _spec("vit_b_16", "ViT-B/16 (vision transformer)", "classify", "vit", tvm.vit_b_16,
          tvm.ViT_B_16_Weights.DEFAULT, "A transformer on 16×16 patches; big, loaded on demand",
          arch={"num_classes": 1000, "image_size": 224}),
    _spec("ssdlite320", "SSDlite320 MobileNetV3", "detect", "ssd",
          tvd.ssdlite320_mobilenet_v3_large, tvd.SSDLite320_MobileNet_V3_Large_Weights.DEFAULT,
          "A fast single-shot detector for the 91 COCO categories",
          arch={"num_classes": 91, "weights_backbone": None}, meta_init=False),
    _spec("lraspp", "LR-ASPP MobileNetV3", "segment", "lraspp",
          tvs.lraspp_mobilenet_v3_large, tvs.LRASPP_MobileNet_V3_Large_Weights.DEFAULT,
          "Light semantic segmentation, 21 Pascal VOC classes",
          arch={"num_classes": 21, "weights_backbone": None}, meta_init=False),
    _spec("deeplabv3", "DeepLabV3 MobileNetV3", "segment", "deeplab",
          tvs.deeplabv3_mobilenet_v3_large, tvs.DeepLabV3_MobileNet_V3_Large_Weights.DEFAULT,
          "More accurate (and slower) segmentation, 21 Pascal VOC classes",
          arch={"num_classes": 21, "weights_backbone": None, "aux_loss": True}, meta_init=False),
]}


def specs(task: str) -> list[ModelSpec]:
    return [s for s in REGISTRY.values() if s.task == task]


# ---- where the weights live ----------------------------------------------------------------
def checkpoint_dir() -> Path:
    """torch.hub's checkpoint directory (follows $TORCH_HOME at call time)."""
    return Path(torch.hub.get_dir()) / "checkpoints"


def checkpoint_path(spec: ModelSpec) -> Path:
    return checkpoint_dir() / spec.file_name


def weights_cached(spec: ModelSpec) -> bool:
    return checkpoint_path(spec).is_file()


# ---- is the internet there? ----------------------------------------------------------------
def offline_forced() -> bool:
    return os.environ.get(OFFLINE_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def can_download(host: str = DOWNLOAD_HOST, port: int = 443, timeout: float = PROBE_TIMEOUT,
                 max_age: float = 60.0) -> bool:
    """A TCP connect within ``timeout`` seconds (see :mod:`playground.netcheck`); remembered."""
    if offline_forced():
        return False
    return netcheck.reachable(netcheck.via_proxy(host, port), timeout, max_age)


# ---- downloading (with a progress callback) ------------------------------------------------
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_LOCK = threading.Lock()


def _lock_for(name: str) -> threading.Lock:
    with _LOCKS_LOCK:
        return _LOCKS.setdefault(name, threading.Lock())


def download_to(url: str, dst: Path, hash_prefix: str | None = None,
                progress: Callable[[int, int | None], None] | None = None,
                timeout: float = 30.0) -> Path:
    """Download ``url`` to ``dst`` via a temporary file, checking the sha256 prefix if given.

    ``progress(done_bytes, total_bytes_or_None)`` is called after every chunk. Concurrent calls
    for the same destination download once; a broken download never leaves a file at ``dst``.
    """
    dst = Path(dst)
    with _lock_for(str(dst)):
        if dst.is_file():
            return dst
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_name(f"{dst.name}.{uuid.uuid4().hex}.partial")
        sha = hashlib.sha256()
        try:
            with urlopen(Request(url, headers={"User-Agent": "torch.hub"}), timeout=timeout) as r, \
                    open(tmp, "wb") as f:
                total = int(r.headers.get("Content-Length") or 0) or None
                done = 0
                while chunk := r.read(1 << 16):
                    f.write(chunk)
                    sha.update(chunk)
                    done += len(chunk)
                    if progress:
                        progress(done, total)
            if hash_prefix and not sha.hexdigest().startswith(hash_prefix):
                raise WeightsError(f"The downloaded file {dst.name} is corrupt (its checksum does "
                                   "not match); please try again.")
            os.replace(tmp, dst)
        finally:
            tmp.unlink(missing_ok=True)
    return dst


def download_weights(spec: ModelSpec, progress=None) -> Path:
    m = HASH_REGEX.search(spec.file_name)
    return download_to(spec.url, checkpoint_path(spec), m.group(1) if m else None, progress)


# ---- loading -------------------------------------------------------------------------------
@dataclass
class Loaded:
    spec: ModelSpec
    model: torch.nn.Module
    source: str            # "torchvision" or "local:<sha256 prefix>"
    seconds: float = 0.0

    @property
    def ident(self) -> str:
        return f"{self.spec.key}:{self.source}"


def _float32(sd: dict) -> dict:
    out = {}
    for k, v in sd.items():
        if not isinstance(v, torch.Tensor):
            raise WeightsError(f"This file is not a plain state_dict (entry {k!r} is a "
                               f"{type(v).__name__}, not a tensor).")
        out[k.removeprefix("module.")] = v.float() if v.is_floating_point() else v
    return out


def build(spec: ModelSpec, state_dict: dict) -> torch.nn.Module:
    """The architecture of ``spec`` with ``state_dict`` loaded strictly; eval and frozen."""
    sd = _float32(state_dict)
    try:
        if spec.meta_init:
            with torch.device("meta"):
                model = spec.builder(weights=None, **spec.arch)
            model.load_state_dict(sd, strict=True, assign=True)
            if any(t.is_meta for t in itertools.chain(model.parameters(), model.buffers())):
                raise WeightsError("Some weights are missing from this file.")
        else:
            model = spec.builder(weights=None, **spec.arch)
            model.load_state_dict(sd, strict=True)
    except RuntimeError as exc:
        if isinstance(exc, WeightsError):
            raise
        first = str(exc).split("\n\t")[1:3] or [str(exc)[:200]]
        raise WeightsError(f"These weights do not fit {spec.label}: "
                           + "; ".join(s.strip()[:160] for s in first)) from None
    model.float()          # float32 even if a caller changed torch's default dtype
    model.eval()
    model.requires_grad_(False)
    return model


def load_torchvision(spec: ModelSpec) -> Loaded:
    """Load from the checkpoint directory through the weights API (weights_only=True)."""
    path = checkpoint_path(spec)
    if not path.is_file():
        raise WeightsError(f"{spec.label}: no weights file at {path}.")
    t0 = time.perf_counter()
    try:
        sd = spec.weights.get_state_dict(progress=False, check_hash=True, weights_only=True,
                                         map_location="cpu")
    except Exception as exc:   # corrupt file, pickle with code, zip errors...
        raise WeightsError(f"The weights file {path} could not be read ({type(exc).__name__}). "
                           "Delete it to download again, or replace it with a good copy.") from None
    model = build(spec, sd)
    return Loaded(spec, model, "torchvision", time.perf_counter() - t0)


def read_state_dict(data: bytes) -> dict:
    """A state_dict from torch.save (loaded with weights_only=True) or safetensors bytes."""
    if len(data) >= 10 and data[8:9] == b"{":          # safetensors: u64 header length + JSON
        try:
            from safetensors.torch import load as st_load
            return st_load(data)
        except Exception:
            pass
    try:
        obj = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as exc:
        raise WeightsError("This is not a PyTorch weights file that can be loaded safely "
                           f"(torch.load with weights_only=True failed: {type(exc).__name__}).") \
            from None
    if isinstance(obj, dict):
        for wrapper in ("state_dict", "model_state_dict", "model"):
            if isinstance(obj.get(wrapper), dict):
                obj = obj[wrapper]
                break
    if not isinstance(obj, dict) or not obj:
        raise WeightsError("The file does not contain a state_dict (a dict of tensors).")
    return obj


MAX_LOCAL_BYTES = 200 * 2**20      # the same limit as an upload of a weights file


def read_local_path(path: str) -> bytes:
    """Bytes of a weights file a visitor named on this server: only inside the operator's
    folders (:mod:`playground.serverpaths`; one message that reveals nothing otherwise), at
    most :data:`MAX_LOCAL_BYTES`."""
    from .. import serverpaths

    text = path.strip().strip('"').strip("'") if isinstance(path, str) else ""
    if os.path.splitext(text)[1].lower() not in LOCAL_SUFFIXES:
        raise WeightsError(f"Expected a {', '.join(LOCAL_SUFFIXES)} file.")
    try:
        return serverpaths.read_limited(serverpaths.resolve(text, "file"), MAX_LOCAL_BYTES)
    except ValueError as exc:          # PathRefused (one message) or the size limit
        raise WeightsError(str(exc)) from None


def load_local(spec: ModelSpec, data: bytes) -> Loaded:
    t0 = time.perf_counter()
    model = build(spec, read_state_dict(data))
    digest = hashlib.sha256(data).hexdigest()[:12]
    return Loaded(spec, model, f"local:{digest}", time.perf_counter() - t0)
