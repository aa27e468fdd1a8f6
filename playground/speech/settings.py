"""The speech page's setup in the address bar (lesson links): the audio source and the language."""
from __future__ import annotations

from .. import query as Q
from .asr import LANGUAGES

SOURCES = ("sample", "record", "upload")
DEFAULTS = {"source": "sample", "language": "auto"}
PARSERS = {"source": Q.choice(SOURCES), "language": Q.choice(LANGUAGES)}


def from_query(q) -> tuple[dict, list[str]]:
    return Q.parse(q, PARSERS)


def to_query(values: dict) -> dict:
    return Q.write({k: values.get(k, v) for k, v in DEFAULTS.items()}, DEFAULTS)
