"""The playground's Python ⇄ browser contract: what the page hands the browser, what comes back.

The browser (``web/*.js``, a Streamlit components-v2 component mounted by
``playground/ui/mlp_live.py``) trains and draws; Python stays the source of truth for the
setup. The contract, version 1:

Python → browser (the component's ``data``; :func:`spec`)::

    {"v": 1, "run_id": str,               # a new id = start over from theta0
     "kind": "binary" | "multiclass" | "regression", "n_classes": int,
     "features": [{"key": "x1", "label": "X₁"}, ...],
     "train": {"n": int, "X": [n·F floats], "T": [n·K floats], "xy": [n·2], "y": [n]},
     "test":  {same},                      # X: exact feature rows, xy/y: points to draw
     "nets": [{"name": "A", "sizes": [...], "acts": [codes], "act_labels": [...],
               "loss": 0 | 1, "theta0": [...], "opt": code, "lr", "batch", "reg": code,
               "reg_rate", "hyper": [5], "diverged_text": "... {epoch} ..."}],
     "resume": null | {"epoch", "nets": [{"theta", "m", "v", "step", "status", "message",
                                          "history": [[epoch, train, test], ...]}]},
     "view": {"show_test", "discretize", "grad_links", "speed", "stop_at",
              "max_seconds", "report_seconds"},
     "locks": {"features": bool, "network": bool, "view": bool, "training": bool}}

    A new ``run_id`` (structure, data, seed or Reset-from-Python changed) makes the browser
    start from ``theta0``; the same ``run_id`` with other hyper-parameters updates the live
    run in place (a new optimizer restarts its moments, as ``Run.set_hyper``). ``resume`` is
    used only when the component is mounted afresh (page switch, reload).

browser → Python (component state ``report``; :func:`apply_report`)::

    {"run_id", "seq": int, "reason": "tick" | "play" | "pause" | "step" | "reset" | "edit"
               | "diverged" | "done" | "timeout",
     "playing": bool, "epoch": int, "full": bool,   # full: whole history, else the new tail
     "nets": [{"theta", "m", "v", "step", "status", "message", "history": [[e, tr, te], ...],
               "flow": {"grad": [L], "ratio": [L]}}]}

    sent on Play, Pause, Step, Reset, a weight edit, divergence, stop-at, auto-pause, and
    every ``report_seconds`` while playing. Python checks everything (sizes, finiteness,
    ranges) before it touches a run: a report it cannot use is ignored with a reason.

Browser events that change the setup (a feature clicked, a layer or neuron added) arrive as
the trigger ``setting`` = {"key": ..., "value": ...} and go through the settings table like
any widget value (:func:`setting_change`).
"""
from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np

from . import features as F
from . import settings as S
from .activations import ACTIVATIONS
from .gradflow import HISTORY_MAX as FLOW_MAX
from .network import LOSSES, OPTIMIZERS, REGULARIZERS
from .trainer import HISTORY_MAX, Run

VERSION = 1
WEB = Path(__file__).with_name("web")
# the component's JavaScript, in load order: each file defines one global used by the next
JS_FILES = ("engine.js", "live.js", "draw.js", "diagram.js", "trainers.js", "app.js")
WORKER_FILES = ("engine.js", "live.js", "worker.js")   # the Web Worker's own script
REPORT_SECONDS = 2.0     # while playing, the browser reports at most this often
MAX_PLAY_SECONDS = 600   # a forgotten tab pauses itself after 10 minutes
REASONS = {"tick", "play", "pause", "step", "reset", "edit", "diverged", "done", "timeout"}


def _read(names) -> str:
    return "\n".join((WEB / name).read_text(encoding="utf-8") for name in names)


def js_bundle() -> str:
    """The component's ES module: the engine and the page's scripts, concatenated, with the
    training worker's source as a string (it starts from a Blob: nothing to fetch)."""
    return f"const MLP_WORKER_SOURCE = {json.dumps(_read(WORKER_FILES))};\n" + _read(JS_FILES)


def css() -> str:
    return (WEB / "playground.css").read_text(encoding="utf-8")


def run_id(cfg: dict, csv_token: str, generation: int) -> str:
    """Changes exactly when the browser must start over (a setting marked ``resets``)."""
    parts = [f"{k}={S.fmt(S.BY_KEY[k], cfg[k])}" for k in sorted(S.reset_keys())]
    parts += [f"compare={cfg['compare']}", f"csv={csv_token}", f"gen={generation}"]
    return hashlib.sha1("&".join(parts).encode()).hexdigest()[:16]


def _floats(a) -> list[float]:
    return [float(x) for x in np.asarray(a, dtype=float).ravel()]


def _split(run: Run, which: str) -> dict:
    data, X, T = (run.train, run.Xtr, run.Ttr) if which == "train" else (run.test, run.Xte, run.Tte)
    return {"n": len(data), "X": _floats(X), "T": _floats(T),
            "xy": [round(float(v), 4) for v in data.X.ravel()], "y": _floats(data.y)}


def _net(name: str, run: Run) -> dict:
    c, net = run.cfg, run.net
    return {"name": name, "sizes": list(net.sizes), "acts": net._acts.tolist(),
            "act_labels": [ACTIVATIONS[a].label for a in net.activations],
            "loss": LOSSES[net.loss], "theta0": _floats(run.theta0), "opt": OPTIMIZERS[c["optimizer"]],
            "lr": float(c["lr"]), "batch": int(c["batch"]), "reg": REGULARIZERS[c["reg"]],
            "reg_rate": float(c["reg_rate"]), "hyper": _floats(run.opt.hyper),
            "diverged_text": run.divergence_message("{epoch}")}


def _resume(runs: dict) -> dict | None:
    first = next(iter(runs.values()))
    if first.epoch == 0 and all(r.epoch == 0 for r in runs.values()):
        return None
    return {"epoch": first.epoch, "nets": [
        {"theta": _floats(r.net.theta), "m": _floats(r.opt.m), "v": _floats(r.opt.v),
         "step": int(r.opt.step), "status": r.status, "message": r.message,
         "history": [[int(e), _finite(a), _finite(b)] for e, a, b in r.history]}
        for r in runs.values()]}


def _finite(x: float):
    return float(x) if math.isfinite(x) else None


def spec(runs: dict, cfg: dict, rid: str, hidden: set, resume: bool = True) -> dict:
    """The component's data for the runs of this page (A, and B when comparing)."""
    a = runs["A"]
    return {
        "v": VERSION, "run_id": rid, "kind": a.kind, "n_classes": int(a.n_classes),
        "features": [{"key": k, "label": F.label(k)} for k in a.features],
        "train": _split(a, "train"), "test": _split(a, "test"),
        "nets": [_net(name, r) for name, r in runs.items()],
        "resume": _resume(runs) if resume else None,
        "view": {"show_test": bool(cfg["show_test"]), "discretize": bool(cfg["discretize"]),
                 "grad_links": bool(cfg["grad_links"]), "speed": int(cfg["speed"]),
                 "stop_at": int(cfg["stop_at"]), "max_seconds": MAX_PLAY_SECONDS,
                 "report_seconds": REPORT_SECONDS, "history_max": HISTORY_MAX},
        "locks": {"features": "features" in hidden, "network": "network" in hidden,
                  "view": "view" in hidden, "training": "training" in hidden},
    }


# ---- browser → Python ---------------------------------------------------------------------

class ReportError(ValueError):
    """A report the page cannot use (stale, malformed or impossible)."""


def _vector(values, n: int, what: str, finite: bool = True) -> np.ndarray:
    if not isinstance(values, list) or len(values) != n:
        raise ReportError(f"{what} has the wrong length")
    try:
        v = np.array([np.nan if x is None else float(x) for x in values], dtype=float)
    except (TypeError, ValueError):
        raise ReportError(f"{what} holds something that is not a number") from None
    if finite and not np.isfinite(v).all():
        raise ReportError(f"{what} is not finite")
    return v


def _history(rows, epoch: int) -> list[tuple[int, float, float]]:
    if not isinstance(rows, list) or len(rows) > 4 * HISTORY_MAX:
        raise ReportError("history is malformed")
    out = []
    for row in rows:
        if not (isinstance(row, list) and len(row) == 3):
            raise ReportError("history is malformed")
        e = int(row[0])
        if not 0 <= e <= epoch:
            raise ReportError("history runs past the epoch")
        out.append((e, *(float("nan") if x is None else float(x) for x in row[1:])))
    return out


def apply_report(runs: dict, report, rid: str) -> bool:
    """Copy a browser report into the page's runs. Returns True when it was applied.

    Raises :class:`ReportError` (nothing changed) when the report is stale or malformed."""
    if not isinstance(report, dict) or report.get("run_id") != rid:
        raise ReportError("the report belongs to an earlier setup")
    if report.get("reason") not in REASONS:
        raise ReportError("unknown reason")
    nets = report.get("nets")
    if not isinstance(nets, list) or len(nets) != len(runs):
        raise ReportError("the report has the wrong number of networks")
    try:
        epoch = int(report.get("epoch"))
    except (TypeError, ValueError):
        raise ReportError("the epoch is not a number") from None
    if not 0 <= epoch <= 10_000_000:
        raise ReportError("the epoch is out of range")
    staged = []
    for run, r in zip(runs.values(), nets):
        if not isinstance(r, dict):
            raise ReportError("a network's report is malformed")
        n = run.net.n_params
        status = r.get("status")
        if status not in ("ready", "training", "diverged", "done"):
            raise ReportError("unknown status")
        # a diverged network may hold NaN or huge weights: that is the truth to show
        theta = _vector(r.get("theta"), n, "theta", finite=status != "diverged")
        m = _vector(r.get("m"), n, "m", finite=False)
        v = _vector(r.get("v"), n, "v", finite=False)
        step = int(r.get("step", 0))
        if step < 0:
            raise ReportError("negative optimizer step")
        hist = _history(r.get("history", []), epoch)
        flow = r.get("flow") or {}
        grad = _vector(flow.get("grad"), run.net.n_layers, "flow", finite=False) if flow else None
        ratio = _vector(flow.get("ratio"), run.net.n_layers, "flow", finite=False) if flow else None
        msg = str(r.get("message", ""))[:600]
        staged.append((run, theta, m, v, step, hist, grad, ratio, status, msg))
    full = bool(report.get("full"))
    for run, theta, m, v, step, hist, grad, ratio, status, msg in staged:
        run.net.theta[:] = theta          # in place: W(l) / b(l) views stay valid
        run.opt.m, run.opt.v, run.opt.step = m, v, step
        run.epoch = epoch
        if full or not run.history:
            run.history = hist or [(epoch, run.train_loss, run.test_loss)]
        else:
            last = run.history[-1][0]
            run.history += [h for h in hist if h[0] > last]
        if len(run.history) > HISTORY_MAX:
            run.history = run.history[:1] + run.history[-(HISTORY_MAX - 1):]
        run.status, run.message = status, msg
        if grad is not None:
            run.flow.add(epoch, grad, ratio, run.net)
            if len(run.flow.epochs) > FLOW_MAX:
                run.flow.thin()
    return True


def setting_change(event, cfg: dict, hidden: set) -> tuple[str, object] | None:
    """A setup change clicked in the diagram -> (setting key, new value), or None if refused.

    Feature toggles and layer / neuron counts go through the settings table's own parser, so
    the browser can never set what a URL could not."""
    if not isinstance(event, dict):
        return None
    key, value = event.get("key"), event.get("value")
    if key == "features" and "features" not in hidden and isinstance(value, list):
        try:
            v = S.parse(S.BY_KEY["features"], ",".join(str(x) for x in value))
        except ValueError:
            return None
        return ("features", v) if v else None
    if key in ("speed", "show_test", "discretize", "grad_links") \
            and S.BY_KEY[key].group not in hidden and isinstance(value, (bool, int, float)) \
            and (S.BY_KEY[key].kind != "bool") == (type(value) is not bool):
        try:
            return key, S.parse(S.BY_KEY[key], str(value).lower())
        except ValueError:
            return None
    if key == "layers" and "network" not in hidden and isinstance(value, list):
        try:
            v = S.parse(S.BY_KEY["layers"], ",".join(str(int(x)) for x in value) or "-")
        except (TypeError, ValueError):
            return None
        return "layers", v
    return None
