"""The recurrent-networks page's settings: defaults, bounds, and their URL form.

Every value from the address bar is checked and clamped here, so a shared link can never ask
for a sequence length or a model size that would exhaust memory. Only settings that differ
from the defaults are written to the URL; the text of the character task never is.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from .. import query as Q
from . import data as D
from .models import KINDS, MAX_HIDDEN, MAX_LAYERS
from .train import OPTIMIZERS

TASKS = {"sines": "Forecast a noisy sum of sines", "memory": "Remember a symbol N steps back",
         "chars": "Next character of a text"}
HIDDEN_SIZES = (2, 4, 8, 16, 32, 64)
LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
NOISES = (0.0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5)
BATCHES = (8, 16, 32, 64)
FORGET_BIASES = (0.0, 1.0, 2.0, 3.0, 5.0)
SPEEDS = (1, 2, 5, 10, 20, 50, 100)  # training steps per animation frame
assert max(HIDDEN_SIZES) <= MAX_HIDDEN


@dataclass(frozen=True)
class Setting:
    key: str
    default: Any
    kind: str            # choice | int | float_choice | bool
    options: tuple = ()
    lo: int = 0
    hi: int = 0
    resets: bool = True  # a change builds a new run (new data or a new model)


SETTINGS: tuple[Setting, ...] = (
    Setting("task", "sines", "choice", tuple(TASKS)),
    Setting("f1", 3, "int", lo=1, hi=25),
    Setting("f2", 7, "int", lo=0, hi=25),
    Setting("noise", 0.05, "float_choice", NOISES),
    Setting("horizon", 5, "int", lo=1, hi=D.MAX_HORIZON),
    Setting("seq_len", 60, "int", lo=10, hi=D.MAX_SEQ_LEN),
    Setting("delay", 20, "int", lo=1, hi=D.MAX_DELAY),
    Setting("char_len", 32, "int", lo=5, hi=D.MAX_CHAR_LEN),
    Setting("model", "lstm", "choice", tuple(KINDS)),
    Setting("hidden", 16, "float_choice", HIDDEN_SIZES),
    Setting("layers", 1, "int", lo=1, hi=MAX_LAYERS),
    Setting("forget_bias", 3.0, "float_choice", FORGET_BIASES),
    Setting("seed", 0, "int", lo=0, hi=9999),
    Setting("lr", 0.003, "float_choice", LEARNING_RATES, resets=False),
    Setting("optimizer", "adam", "choice", tuple(OPTIMIZERS), resets=False),
    Setting("clip", True, "bool", resets=False),
    Setting("batch", 32, "float_choice", BATCHES, resets=False),
    Setting("speed", 20, "float_choice", SPEEDS, resets=False),
)
BY_KEY = {s.key: s for s in SETTINGS}
TASK_KEYS = {"sines": ("f1", "f2", "noise", "horizon", "seq_len"), "memory": ("delay",),
             "chars": ("char_len",)}


def defaults() -> dict:
    return {s.key: s.default for s in SETTINGS}


def clean(key: str, value) -> Any:
    """A valid value for ``key`` (clamped / nearest option); raises ValueError if hopeless."""
    s = BY_KEY[key]
    if s.kind == "choice":
        if value not in s.options:
            raise ValueError(f"{key}: {Q.quote(value)} is not one of {', '.join(map(str, s.options))}")
        return value
    if s.kind == "bool":
        if isinstance(value, str):
            if value.lower() in ("1", "true", "yes", "on"):
                return True
            if value.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(f"{key}: {Q.quote(value)} is not true/false")
        return bool(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")               # float()'s own message would repeat the value as is
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"{key}: {Q.quote(value)} is not a number")
    if s.kind == "int":
        return int(min(max(round(number), s.lo), s.hi))
    best = min(s.options, key=lambda o: abs(o - number))  # float_choice: nearest option
    return best


def normalize(values: Mapping) -> dict:
    """Defaults, overridden by every valid value given (invalid ones are ignored)."""
    out = defaults()
    for k, v in values.items():
        if k in BY_KEY:
            try:
                out[k] = clean(k, v)
            except (TypeError, ValueError):
                pass
    return out


def from_query(query: Mapping[str, str]) -> tuple[dict, list[str]]:
    """Settings from URL parameters (strings) and warnings about values that were changed."""
    values, warnings = {}, []
    for k, raw in query.items():
        if k not in BY_KEY:
            continue
        try:
            v = clean(k, raw)
        except (TypeError, ValueError, OverflowError) as exc:   # "1e309": int(inf)
            warnings.append(f"Ignored the address-bar setting {exc}.")
            continue
        if BY_KEY[k].kind in ("int", "float_choice") and float(v) != float(raw):
            warnings.append(f"Address-bar setting {k}={Q.quote(raw)} is out of range; using {v}.")
        values[k] = v
    return values, warnings


def to_query(values: Mapping) -> dict:
    """The non-default settings as URL parameters (strings)."""
    q = {}
    for s in SETTINGS:
        v = values.get(s.key, s.default)
        if v != s.default:
            if s.kind == "bool":
                q[s.key] = "true" if v else "false"
            else:
                q[s.key] = f"{v:g}" if isinstance(v, float) else str(v)
    return q


def run_key(values: Mapping, text: str = "") -> tuple:
    """What identifies a run: a change here means new data or a new model."""
    task = values["task"]
    keys = ("task", "model", "hidden", "layers", "seed") + TASK_KEYS[task] + (
        ("forget_bias",) if values["model"] == "lstm" else ())
    return tuple((k, values[k]) for k in keys) + ((("text", text),) if task == "chars" else ())
