"""Paths on the server that a visitor may type: only inside folders the operator configured.

A public deployment must not let visitors probe its file system. A typed path is accepted only
when the operator switched server paths on (``PLAYGROUND_SERVER_PATHS=1``) and, after ``~``,
``..`` and every symbolic link are resolved, it lies inside one of the allowed folders:

* ``$PLAYGROUND_MODELS_DIR`` — the operator's models folder(s) (weights files, model folders);
* ``$PLAYGROUND_HF_DIR`` — the teacher's Hugging Face model folders;
* torch.hub's cache (``$TORCH_HOME/hub``, where torchvision keeps its weights).

(Several folders per variable are separated by ``os.pathsep``.) Anything else — missing, not
allowed, too long, NUL bytes, the wrong kind, unreadable — gets the one message
:data:`REFUSED`, which says nothing about what exists. Files are read with a size limit.
"""
from __future__ import annotations

import os
from pathlib import Path

ENABLE_ENV = "PLAYGROUND_SERVER_PATHS"
MODELS_ENV = "PLAYGROUND_MODELS_DIR"
HF_ENV = "PLAYGROUND_HF_DIR"
MAX_PATH_CHARS = 1024
REFUSED = ("This path cannot be used. Paths on this server work only for files and folders "
           "inside the model folders the server's operator has set up; otherwise upload the file.")


class PathRefused(ValueError):
    """A typed server path that cannot be used; the text (:data:`REFUSED`) reveals nothing."""

    def __init__(self, message: str = REFUSED):
        super().__init__(message)


def enabled(env=None) -> bool:
    """Did the operator switch on paths typed by visitors?"""
    env = os.environ if env is None else env
    return env.get(ENABLE_ENV, "").strip().lower() in ("1", "true", "yes", "on")


def _torch_hub_dir(env) -> str:
    if env.get("TORCH_HOME"):
        return os.path.join(env["TORCH_HOME"], "hub")
    cache = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "torch", "hub")


def allowed_roots(env=None) -> list[Path]:
    """The operator's folders, resolved (symbolic links followed), that exist."""
    env = os.environ if env is None else env
    raw = [p for var in (MODELS_ENV, HF_ENV) for p in env.get(var, "").split(os.pathsep)]
    raw.append(_torch_hub_dir(env))
    roots = []
    for p in filter(None, (r.strip() for r in raw)):
        try:
            real = Path(os.path.realpath(os.path.expanduser(p)))
            if real.is_dir() and real not in roots:
                roots.append(real)
        except (OSError, ValueError):
            continue
    return roots


def resolve(text, kind: str = "file", env=None) -> Path:
    """The real path of ``text`` if it may be used, else :class:`PathRefused` (one message).

    ``kind``: "file" or "dir". Quotes and spaces around a pasted path are ignored."""
    if not isinstance(text, str) or not enabled(env):
        raise PathRefused()
    text = text.strip().strip('"').strip("'").strip()
    if not text or len(text) > MAX_PATH_CHARS or "\x00" in text:
        raise PathRefused()
    try:
        real = Path(os.path.realpath(os.path.expanduser(text)))
        inside = any(real == root or real.is_relative_to(root) for root in allowed_roots(env))
        ok = inside and (real.is_file() if kind == "file" else real.is_dir())
    except (OSError, ValueError, RuntimeError):   # too long, loops, bad bytes
        ok = False
    if not ok:
        raise PathRefused()
    return real


def read_limited(path: Path, max_bytes: int) -> bytes:
    """The bytes of an allowed file, refused (``ValueError`` with a size message) above
    ``max_bytes``; never reads more than ``max_bytes + 1`` bytes."""
    try:
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError:
        raise PathRefused() from None
    if len(data) > max_bytes:
        raise ValueError(f"The file is larger than {max_bytes / 1e6:.0f} MB, the limit here.")
    return data
