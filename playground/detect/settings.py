"""Detection and segmentation's setup in the address bar (lesson links): which models (the
app's own digit detector or torchvision's COCO / VOC models), the scene, the thresholds."""
from __future__ import annotations

from .. import query as Q

SOURCES = ("own", "coco")
SEG_MODELS = ("lraspp", "deeplabv3")


def flag(s: str) -> bool:
    if str(s).lower() not in ("true", "false", "1", "0"):
        raise ValueError("use true or false")
    return str(s).lower() in ("true", "1")


def _step(lo: float, hi: float, step: float):
    return lambda s: round(round(Q.number(lo, hi)(s) / step) * step, 2)


# "source" has no default: a link always says which models it means (a page opened without it
# uses the COCO models when their weights are here or can be downloaded, else the own detector)
DEFAULTS = {"source": None, "scene": 0, "own_seed": 0, "own_thr": 0.5, "nms": 0.5, "truth": True,
            "removed": False, "seg_opacity": 0.6, "threshold": 0.5, "seg_model": "lraspp"}
PARSERS = {"source": Q.choice(SOURCES), "scene": Q.integer(0, 9999), "own_seed": Q.integer(0, 9999),
           "own_thr": _step(0.05, 0.95, 0.05), "nms": _step(0.1, 0.9, 0.05), "truth": flag,
           "removed": flag, "seg_opacity": _step(0.0, 1.0, 0.05),
           "threshold": _step(0.05, 0.95, 0.05), "seg_model": Q.choice(SEG_MODELS)}


def from_query(q) -> tuple[dict, list[str]]:
    return Q.parse(q, PARSERS)


def to_query(values: dict) -> dict:
    q = Q.write({k: v for k, v in values.items() if k in DEFAULTS}, DEFAULTS)
    for k in ("truth", "removed"):
        if k in q:
            q[k] = "true" if values[k] else "false"
    if values.get("source") is None:
        q.pop("source", None)
    return q
