"""Where a classroom bundle lives (``$PLAYGROUND_BUNDLE``) and where the loaders find its parts.

Layout of a bundle directory (written by ``python -m playground.bundle DIR``)::

    DIR/manifest.json                   what is inside: path, source URL, bytes, sha256
    DIR/torchvision/<weights file>      e.g. mobilenet_v3_large-5c1a4163.pth (torch.hub's name)
    DIR/hf/<owner>--<name>/             a Hugging Face model folder (config, safetensors, tokenizer)
    DIR/data/MNIST/raw/...              MNIST / Fashion-MNIST where torchvision.datasets looks

Pure and import-light: the vision, language and data loaders ask these functions at call time.
"""
from __future__ import annotations

import os
from pathlib import Path

BUNDLE_ENV = "PLAYGROUND_BUNDLE"
COMMAND = "python -m playground.bundle DIR"


def root() -> Path | None:
    """The configured bundle directory, or None."""
    text = os.environ.get(BUNDLE_ENV, "").strip()
    return Path(text).expanduser() if text else None


def torchvision_dir(base: Path | None = None) -> Path | None:
    base = base or root()
    return base / "torchvision" if base else None


def hf_dir(base: Path | None = None) -> Path | None:
    base = base or root()
    return base / "hf" if base else None


def data_dir(base: Path | None = None) -> Path | None:
    base = base or root()
    return base / "data" if base else None


def torchvision_file(file_name: str) -> Path | None:
    """The weights file in the configured bundle, if it is there."""
    d = torchvision_dir()
    p = d / file_name if d else None
    return p if p is not None and p.is_file() else None


def hint() -> str:
    """One sentence for the pages' weights messages."""
    return (f"A teacher can prepare every model and data set at once where there is internet: "
            f"`{COMMAND}`, then copy DIR to this server and start the app with "
            f"`{BUNDLE_ENV}=DIR`.")
