"""Where a Hugging Face model's files come from, and whether the hub can be reached at all.

In order: a folder the user names, a folder the teacher prepared (``$PLAYGROUND_HF_DIR``, one or
more directories holding ``<name>`` or ``<owner>--<name>`` model folders), the local Hugging Face
cache, and only then a download. Before any download a ≤ 2 s TCP connect to the hub decides
whether it is reachable (``HF_HUB_OFFLINE=1`` or ``PLAYGROUND_OFFLINE=1`` skip even that), because
transformers itself retries for about 30 s before failing.

Only safe files are ever loaded: a folder must contain ``config.json`` and safetensors weights
(no pickled ``pytorch_model.bin``: nothing in a model folder can run code).
"""
from __future__ import annotations

import inspect
import json
import logging
import os
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

from .. import netcheck, serverpaths
from ..netcheck import PROBE_MAX_AGE, PROBE_TIMEOUT

OFFLINE_ENVS = ("PLAYGROUND_OFFLINE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
MODELS_DIR_ENV = "PLAYGROUND_HF_DIR"
MAX_CONFIG_BYTES = 1_000_000   # a real config.json is a few kB
MAX_SIDE_FILE_MB = 64           # tokenizer.json, vocabularies: a few MB in real models
MAX_FOLDER_MB = 1500          # a bigger model would not fit next to the others in 2.7 GB
WEIGHTS = ("model.safetensors", "model.safetensors.index.json")
TOKENIZER = ("tokenizer.json", "vocab.txt", "vocab.json", "spiece.model", "sentencepiece.bpe.model")
WANTED = ("config.json", "generation_config.json", "model.safetensors", "tokenizer.json",
          "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json", "vocab.txt",
          "vocab.json", "merges.txt", "spiece.model", "normalizer.json", "preprocessor_config.json")


class ModelError(RuntimeError):
    """A model that is missing, unreachable or unusable; the text is meant for the student."""


# ---- is the hub reachable? -----------------------------------------------------------------


def hub_address() -> tuple[str, int]:
    """(host, port) of the hub, following ``HF_ENDPOINT`` (a mirror) and an HTTPS proxy."""
    u = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    return netcheck.via_proxy(u.hostname or "huggingface.co", u.port or (80 if u.scheme == "http" else 443))


def offline_reason(timeout: float = PROBE_TIMEOUT) -> str | None:
    """None when a download can be tried, else why not (in words); at most ``timeout`` s,
    and the answer is remembered for a minute per server."""
    for env in OFFLINE_ENVS:
        if os.environ.get(env, "").strip().lower() in ("1", "true", "yes", "on"):
            return f"downloads are switched off on this server ({env}=1)"
    target = hub_address()
    if netcheck.reachable(target, timeout, PROBE_MAX_AGE):
        return None
    return f"this server cannot reach {target[0]} (no connection within {timeout:g} s)"


# ---- local folders -------------------------------------------------------------------------
def check_folder(path: str | os.PathLike) -> Path:
    """A usable model folder or a ModelError saying what is wrong with it (naming the folder by
    its last part only). For folders the app finds itself; a path a visitor typed goes through
    :func:`user_folder`."""
    text = str(path).strip().strip('"').strip("'")
    if not text:
        raise ModelError("Enter the path of a model folder on this server.")
    p = Path(text).expanduser()
    try:
        if not p.is_dir():
            raise ModelError(f"There is no folder “{p.name}” on this server.")
        return _check_contents(p)
    except OSError as exc:     # a name too long, no permission, ...
        raise ModelError(f"The folder “{p.name[:60]}” cannot be read ({type(exc).__name__}).") from None


def user_folder(text) -> Path:
    """A model folder a visitor typed: inside the operator's folders only
    (:mod:`playground.serverpaths`), then checked like any other; one message that reveals
    nothing for anything outside them."""
    try:
        real = serverpaths.resolve(text, "dir")
    except serverpaths.PathRefused as exc:
        raise ModelError(str(exc)) from None
    return check_folder(real)


def _check_contents(p: Path) -> Path:
    name = f"“{p.name}”"
    if not (p / "config.json").is_file():
        raise ModelError(f"{name} has no config.json: choose the folder that save_pretrained() "
                         "wrote (or a downloaded Hugging Face model folder).")
    if not any((p / w).is_file() for w in WEIGHTS):
        extra = (" It has pytorch_model.bin, a pickle file that could run code when loaded; "
                 "convert it to safetensors first." if (p / "pytorch_model.bin").exists() else "")
        raise ModelError(f"{name} has no model.safetensors weights.{extra}")
    size = sum(f.stat().st_size for f in p.glob("*.safetensors")) / 1e6
    if size > MAX_FOLDER_MB:
        raise ModelError(f"The weights in {name} are {size:.0f} MB; this app accepts up to "
                         f"{MAX_FOLDER_MB} MB so that every model fits in the server's memory.")
    if not any((p / t).is_file() for t in TOKENIZER):
        raise ModelError(f"{name} has no tokenizer files (tokenizer.json, vocab.txt, vocab.json or "
                         "spiece.model).")
    for f in WANTED:               # tokenizer and config files: a few MB in real models
        if not f.endswith(".safetensors") and (p / f).is_file() and (p / f).stat().st_size > MAX_SIDE_FILE_MB * 1e6:
            raise ModelError(f"{f} in {name} is larger than {MAX_SIDE_FILE_MB} MB.")
    cfg = p / "config.json"
    if cfg.stat().st_size > MAX_CONFIG_BYTES:
        raise ModelError(f"The config.json in {name} is larger than {MAX_CONFIG_BYTES // 1000} kB.")
    try:
        ok = isinstance(json.loads(cfg.read_bytes()), dict)
    except (ValueError, UnicodeDecodeError):
        ok = False
    if not ok:
        raise ModelError(f"The config.json in {name} is not a JSON object.")
    return p.resolve()


def _names(hub_id: str) -> list[str]:
    return [hub_id.replace("/", "--"), hub_id.split("/")[-1]]


def teacher_folder(hub_id: str) -> Path | None:
    """The model's folder under ``$PLAYGROUND_HF_DIR`` if the teacher put one there."""
    for root in filter(None, os.environ.get(MODELS_DIR_ENV, "").split(os.pathsep)):
        for name in _names(hub_id):
            try:
                return check_folder(Path(root) / name)
            except ModelError:
                continue
    return None


def cached_folder(hub_id: str) -> Path | None:
    """The model's snapshot in the local Hugging Face cache, if complete (no network used)."""
    try:
        from huggingface_hub import snapshot_download

        path = snapshot_download(hub_id, local_files_only=True)
        return check_folder(path)
    except Exception:   # not cached, partial, or huggingface_hub's many error types
        return None


# ---- downloading -----------------------------------------------------------------------------
def _bar_class(report: Callable[[int], None]):
    """A tqdm class for huggingface_hub that forwards byte counts and prints nothing."""
    from tqdm.auto import tqdm

    class _Bar(tqdm):
        def __init__(self, *args, **kwargs):
            kwargs.pop("name", None)
            kwargs["disable"] = True
            super().__init__(*args, **kwargs)

        def update(self, n=1):
            report(int(n or 0))
            return super().update(n)

    return _Bar


def download(hub_id: str, progress: Callable[[int, int], None] | None = None) -> Path:
    """Download the files a model needs into the Hugging Face cache; its snapshot folder.

    ``progress(done_bytes, total_bytes)`` is called as bytes arrive (or at least per file).
    Raises ModelError with a short reason on any failure."""
    try:
        from huggingface_hub import HfApi, hf_hub_download

        info = HfApi().model_info(hub_id, files_metadata=True)
        files = [(s.rfilename, int(s.size or 0)) for s in (info.siblings or []) if s.rfilename in WANTED]
        if not any(name in WEIGHTS for name, _ in files):
            raise ModelError(f"{hub_id} has no safetensors weights on the hub.")
        total = sum(size for _, size in files) or 1
        done = [0, 0]                 # bytes of finished files, bytes of the current file

        def report(n):
            done[1] += n
            if progress:
                progress(min(done[0] + done[1], total), total)

        kwargs = {}
        if "tqdm_class" in inspect.signature(hf_hub_download).parameters:
            kwargs["tqdm_class"] = _bar_class(report)
        path = None
        for name, size in files:
            path = hf_hub_download(hub_id, name, **kwargs)
            done[0], done[1] = done[0] + size, 0
            if progress:
                progress(min(done[0], total), total)
        return check_folder(Path(path).parent)
    except ModelError:
        raise
    except Exception as exc:   # network, HTTP and disk errors of huggingface_hub
        logging.getLogger(__name__).warning("download of %s failed", hub_id, exc_info=True)
        raise ModelError(f"The download of {hub_id} failed ({type(exc).__name__}).") from None
