"""One validation layer for what visitors type and upload (pure; the Streamlit side is
:mod:`playground.ui.guard`).

* Text boxes: :func:`clean_text` — a string at most ``max_chars`` long with no NUL or other
  control characters (newlines and tabs kept), whatever arrives (``None``, bytes, 10,000
  characters, U+0000). ``ui.kept`` / ``ui.kept_or`` pass every text widget through it.
* Uploads: :func:`check_upload` — refuses an empty or oversized file before any parser sees
  it; ``ui.read_upload`` (the one way pages read uploads) calls it.
* Paths on the server: :mod:`playground.serverpaths` (only inside the operator's folders).

Messages never echo file contents or whole paths.
"""
from __future__ import annotations

import re

MAX_TEXT_CHARS = 10_000
MAX_UPLOAD_BYTES = 200 * 2**20
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


class InputError(ValueError):
    """An input that cannot be used; the text is meant for the visitor."""


def clean_text(value, max_chars: int | None = None) -> str:
    """``value`` as safe text: str (bytes decoded leniently, other types → ""), CR LF → LF,
    control characters removed, at most ``max_chars`` (default :data:`MAX_TEXT_CHARS`)."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if not isinstance(value, str):
        return ""
    limit = MAX_TEXT_CHARS if max_chars is None else max_chars
    text = value[: 4 * limit].replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    # lone surrogates cannot be encoded (tokenizers and the browser would choke on them)
    text = text.encode("utf-8", errors="replace").decode("utf-8")
    return text[:limit]


def check_upload(name, data, max_bytes: int = MAX_UPLOAD_BYTES) -> bytes:
    """The uploaded bytes if they may go to a parser, else :class:`InputError`."""
    label = clean_text(name or "", 80) or "the file"
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InputError(f"“{label}” could not be read.")
    if len(data) == 0:
        raise InputError(f"“{label}” is empty.")
    if len(data) > max_bytes:
        raise InputError(f"“{label}” is larger than {max_bytes / 2**20:.0f} MB, the limit here.")
    return bytes(data)
