"""Small pages' setups in the address bar: parse what a link says, write only what differs.

A page describes its settings as ``{key: parser}`` (a parser turns the URL string into a valid,
clamped value or raises ValueError with a short reason) plus a dict of defaults.
"""
from __future__ import annotations

from typing import Callable, Mapping

import numpy as np


def numbers(text: str, lo: float, hi: float) -> tuple:
    """Comma-separated finite numbers, each clamped to [lo, hi]."""
    vals = tuple(float(v) for v in str(text).split(",") if v.strip())
    if not vals or not all(np.isfinite(vals)):
        raise ValueError("needs finite numbers separated by commas")
    return tuple(float(np.clip(v, lo, hi)) for v in vals)


def integer(lo: int, hi: int) -> Callable[[str], int]:
    """A whole number clamped to [lo, hi] (a fraction is cut off; inf and NaN are refused)."""
    return lambda s: int(np.clip(int(numbers(s, -1e18, 1e18)[0]), lo, hi))


def number(lo: float, hi: float) -> Callable[[str], float]:
    return lambda s: numbers(s, lo, hi)[0]


def choice(options) -> Callable[[str], str]:
    options = tuple(options)

    def parse(s: str) -> str:
        if s not in options:
            raise ValueError(f"choose one of {', '.join(options)}")
        return s
    return parse


def parse(q: Mapping, parsers: Mapping[str, Callable]) -> tuple[dict, list[str]]:
    """Valid values from URL parameters, and a warning for each one that was ignored."""
    out, warnings = {}, []
    for key, fn in parsers.items():
        if key in q:
            try:
                out[key] = fn(q[key])
            except (ValueError, TypeError, ArithmeticError) as exc:   # 1e999 overflows
                warnings.append(ignored(key, q[key], str(exc)))
    return out, warnings


def ignored(key: str, value, reason: str) -> str:
    """The warning for a link's bad value: at most 40 characters of it, as inline code (a link
    cannot put a clickable link, an image or formatting into the page's message), and a reason
    that does not repeat it."""
    raw = str(value)
    if raw and raw in reason:                       # e.g. float()'s "could not convert …: '<value>'"
        reason = "not a valid value"
    return f"Ignored {key}={quote(raw)} from the link ({reason})."


def quote(value, limit: int = 40) -> str:
    """A value from a link for a message (Markdown): inline code of at most ``limit`` characters,
    so it cannot become a link, an image or formatting."""
    raw = str(value)
    shown = (raw if len(raw) <= limit else raw[:limit] + "…").replace("`", "'").replace("\n", " ")
    return f"`{shown}`"


def write(values: Mapping, defaults: Mapping) -> dict:
    """Only what differs from the defaults, as strings (tuples as comma lists, empty as "-")."""
    q = {}
    for key, default in defaults.items():
        v = values.get(key, default)
        if isinstance(default, tuple):
            v = tuple(v)
            if v != default:
                q[key] = ",".join(f"{x:g}" for x in v) or "-"
        elif v != default:
            q[key] = f"{v:g}" if isinstance(v, float) else str(v)
    return q


def text(max_chars: int) -> Callable[[str], str]:
    """Text from a link through the one validation layer (:func:`playground.inputs.clean_text`):
    control characters removed; longer than ``max_chars`` is refused (the page's default)."""
    from .inputs import clean_text

    def parse(s: str) -> str:
        t = clean_text(s, len(str(s)))
        if len(t) > max_chars:
            raise ValueError(f"longer than {max_chars:,} characters")
        return t
    return parse


def flag(s: str) -> bool:
    """true/false (also 1/0, yes/no, on/off)."""
    v = str(s).strip().lower()
    if v in ("1", "true", "yes", "on"):
        return True
    if v in ("0", "false", "no", "off"):
        return False
    raise ValueError("needs true or false")
