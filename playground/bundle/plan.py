"""What a classroom bundle holds: one :class:`Item` per file, from the app's own registries.

- torchvision weights: every model in :data:`playground.vision.models.REGISTRY`, from
  ``weights.url`` (torch.hub's file name carries a sha256 prefix);
- Hugging Face folders: every model in :data:`playground.language.models.REGISTRY`, the files
  the app reads (:data:`playground.language.hub.WANTED`), listed by the hub's API with their
  sizes and sha256 (LFS) or git blob ids;
- MNIST and Fashion-MNIST: the four files of each, from torchvision's mirror list, with the
  md5 sums torchvision publishes; unpacked where ``torchvision.datasets`` looks.

Every source URL can be pointed elsewhere (a mirror, or a fake server in the tests).
"""
from __future__ import annotations

import gzip
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote
from urllib.request import Request, urlopen

from .fetch import USER_AGENT, Check, FetchError

TORCHVISION_BASE = "https://download.pytorch.org"
HF_DEFAULT = "https://huggingface.co"


@dataclass(frozen=True)
class Item:
    kind: str               # "torchvision" | "hf" | "data"
    key: str                # the registry key (model or data set)
    label: str
    url: str
    path: str               # relative to the bundle directory
    check: Check
    size: int | None        # bytes: exact when the source says, else the registry's estimate
    unpack: str = ""        # "gunzip": also write the file without .gz next to it

    def unpacked(self, root: Path) -> Path | None:
        return (root / self.path).with_suffix("") if self.unpack == "gunzip" else None


def torchvision_items(base_url: str | None = None) -> list[Item]:
    from ..vision import models as vm

    out = []
    for spec in vm.REGISTRY.values():
        url = spec.url
        if base_url:
            url = base_url.rstrip("/") + url[len(TORCHVISION_BASE):] \
                if url.startswith(TORCHVISION_BASE) else url
        m = vm.HASH_REGEX.search(spec.file_name)
        out.append(Item("torchvision", spec.key, spec.label, url, f"torchvision/{spec.file_name}",
                        Check(sha256_prefix=m.group(1) if m else None),
                        int(spec.size_mb * 2 ** 20) or None))
    return out


def hf_endpoint() -> str:
    return (os.environ.get("HF_ENDPOINT") or HF_DEFAULT).rstrip("/")


def hf_files(hub_id: str, endpoint: str | None = None, timeout: float = 30.0) -> tuple[str, list]:
    """(revision sha, [sibling dicts]) from the hub's model API (``?blobs=true``)."""
    endpoint = (endpoint or hf_endpoint()).rstrip("/")
    headers = {"User-Agent": USER_AGENT}
    token = os.environ.get("HF_TOKEN", "").strip()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    url = f"{endpoint}/api/models/{hub_id}?blobs=true"
    try:
        with urlopen(Request(url, headers=headers), timeout=timeout) as r:
            info = json.loads(r.read().decode("utf-8"))
    except Exception as exc:            # network, HTTP, JSON
        raise FetchError(f"{hub_id}: the hub's file list could not be read "
                         f"({type(exc).__name__}: {str(exc)[:120]}).") from None
    return str(info.get("sha") or "main"), list(info.get("siblings") or [])


def hf_items(endpoint: str | None = None, keys=None) -> tuple[list[Item], list[str]]:
    """Items of every Hugging Face model (or ``keys``), and errors of models whose file list
    could not be read."""
    from ..language import hub as lh, models as lm

    endpoint = (endpoint or hf_endpoint()).rstrip("/")
    items, errors = [], []
    for spec in lm.REGISTRY.values():
        if keys is not None and spec.key not in keys:
            continue
        try:
            rev, siblings = hf_files(spec.hub_id, endpoint)
        except FetchError as exc:
            errors.append(str(exc))
            continue
        folder = spec.hub_id.replace("/", "--")
        for s in siblings:
            name = s.get("rfilename", "")
            if name not in lh.WANTED:
                continue
            lfs = s.get("lfs") or {}
            size = s.get("size") if s.get("size") is not None else lfs.get("size")
            check = (Check(sha256=lfs["sha256"], size=size) if lfs.get("sha256") else
                     Check(git_sha1=s.get("blobId"), size=size))
            url = f"{endpoint}/{spec.hub_id}/resolve/{quote(rev, safe='')}/{quote(name)}"
            items.append(Item("hf", spec.key, spec.label, url, f"hf/{folder}/{name}", check,
                              int(size) if size is not None else None))
    return items, errors


def data_items(base_url: str | None = None) -> list[Item]:
    """MNIST / Fashion-MNIST: ``base_url`` replaces the mirror (files at ``<base>/<Class>/``)."""
    from ..cnn import digits as dg

    out = []
    for src in dg.SOURCES.values():
        if src.cls is None:
            continue
        name_dir = src.cls.__name__
        per_file = int(src.size_mb * 1e6 / len(src.cls.resources))
        for name, md5 in src.cls.resources:
            url = (f"{base_url.rstrip('/')}/{name_dir}/{name}" if base_url
                   else src.cls.mirrors[0] + name)
            out.append(Item("data", src.key, src.label.split(",")[0], url,
                            f"data/{name_dir}/raw/{name}", Check(md5=md5), per_file,
                            unpack="gunzip"))
    return out


def estimated_sizes() -> dict[str, int]:
    """Bytes per part of the full bundle from the registries alone (no network): torchvision
    ``_file_size``, the Hugging Face weights sizes, the data sets' download sizes."""
    from ..cnn import digits as dg
    from ..language import models as lm
    from ..vision import models as vm

    return {
        "torchvision": int(sum(s.size_mb for s in vm.REGISTRY.values()) * 2 ** 20),
        "hf": int(sum(m.size_mb for m in lm.REGISTRY.values()) * 1e6),
        "data": int(sum(s.size_mb for s in dg.SOURCES.values()) * 1e6),
    }


def unpack(item: Item, root: Path) -> Path | None:
    """Write the unpacked copy of a verified .gz item (atomically); its path."""
    out = item.unpacked(root)
    if out is None:
        return None
    src = root / item.path
    tmp = out.with_name(out.name + ".partial")
    with gzip.open(src, "rb") as fin, open(tmp, "wb") as fout:
        shutil.copyfileobj(fin, fout)
    os.replace(tmp, out)
    return out
