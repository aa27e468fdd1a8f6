"""Lessons: small TOML files in ``lessons/``, checked against a schema with clear errors.

A lesson::

    title = "Activations and saturation"        # required, ≤ 80 characters
    goal = "See why ReLU trains deep networks faster than tanh"   # required, ≤ 300
    concept = "activations"                     # one of CONCEPTS
    minutes = 15                                # optional, 1-120

    [[steps]]                                   # 1-12 steps
    page = "playground"                         # a page's URL path (see pages.py)
    instruction = "Press Play and watch ..."    # required, ≤ 600 characters
    settings = { dataset = "spiral" }           # the page's URL settings (checked by the page)
    hide = ["data", "nav"]                      # controls not shown (+ "nav": no navigation)
    lock = ["network"]                          # controls shown but not changeable

    [steps.question]                            # optional: predict, then reveal
    kind = "choice"                             # "choice" or "number"
    text = "Which reaches a lower test loss?"
    options = ["ReLU", "tanh"]                  # choice: 2-6 options
    experiment = "mlp_race"                     # what measures the answer (experiments.py)
    params = { settings = {...}, variants = [{ label = "ReLU", settings = {...} }, ...] }
    # number: unit = "%", min = 0, max = 100, tolerance = 0.1 (relative)
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .experiments import EXPERIMENTS
from .pages import check_settings, hide_choices, specs

LESSON_DIR = Path(__file__).resolve().parents[2] / "lessons"
CONCEPTS = {
    "neuron": "What a neuron does", "activations": "Activations and saturation",
    "backprop": "Backpropagation by hand", "vanishing": "Vanishing gradients",
    "depth": "Features versus depth", "cnn": "Convolution and CNNs", "rnn": "Memory in RNNs",
    "attention": "Attention", "robustness": "Robustness", "data": "Data efficiency",
    "cost": "What models cost", "reward": "Learning from reward", "detection": "Object detection",
}
LESSON_KEYS = {"title", "goal", "concept", "minutes", "steps"}
STEP_KEYS = {"page", "instruction", "settings", "hide", "lock", "question"}
QUESTION_KEYS = {"kind", "text", "options", "experiment", "params", "unit", "min", "max", "tolerance"}


class LessonError(ValueError):
    """What is wrong with a lesson file, and where (``file: steps[2].question.options: …``)."""


@dataclass(frozen=True)
class Question:
    kind: str
    text: str
    experiment: str
    params: dict
    options: tuple = ()
    unit: str = ""
    lo: float = -1e9
    hi: float = 1e9
    tolerance: float = 0.1


@dataclass(frozen=True)
class Step:
    page: str
    instruction: str
    settings: dict = field(default_factory=dict)
    hide: tuple = ()
    lock: tuple = ()
    question: Question | None = None


@dataclass(frozen=True)
class Lesson:
    id: str
    title: str
    goal: str
    concept: str
    steps: tuple
    minutes: int = 0


def _text(d: dict, key: str, where: str, max_len: int, required: bool = True) -> str:
    v = d.get(key)
    if v is None:
        if required:
            raise LessonError(f"{where}: missing {key!r}")
        return ""
    if not isinstance(v, str) or not v.strip():
        raise LessonError(f"{where}.{key}: must be a non-empty text")
    if len(v) > max_len:
        raise LessonError(f"{where}.{key}: too long ({len(v)} characters, at most {max_len})")
    return v.strip()


def _unknown(d: dict, allowed: set, where: str):
    extra = sorted(set(d) - allowed)
    if extra:
        raise LessonError(f"{where}: unknown field {extra[0]!r} (allowed: {', '.join(sorted(allowed))})")


def _number(d: dict, key: str, where: str, default: float) -> float:
    v = d.get(key, default)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise LessonError(f"{where}.{key}: must be a number")
    return float(v)


def _table(d, allowed: set, where: str) -> dict:
    if not isinstance(d, dict):
        raise LessonError(f"{where}: must be a table")
    _unknown(d, allowed, where)
    return d


def _question(q, where: str) -> Question:
    _table(q, QUESTION_KEYS, where)
    kind = q.get("kind")
    if kind not in ("choice", "number"):
        raise LessonError(f"{where}.kind: must be \"choice\" or \"number\" (got {kind!r})")
    text = _text(q, "text", where, 300)
    exp_name = q.get("experiment")
    if exp_name not in EXPERIMENTS:
        raise LessonError(f"{where}.experiment: unknown {exp_name!r} (known: {', '.join(EXPERIMENTS)})")
    exp = EXPERIMENTS[exp_name]
    if exp.kind != kind:
        raise LessonError(f"{where}: the experiment {exp_name!r} answers a {exp.kind} question, "
                          f"not a {kind} one")
    params = q.get("params", {})
    if not isinstance(params, dict):
        raise LessonError(f"{where}.params: must be a table")
    options = ()
    if kind == "choice":
        options = q.get("options")
        if (not isinstance(options, list) or not 2 <= len(options) <= 6
                or not all(isinstance(o, str) and o.strip() for o in options)):
            raise LessonError(f"{where}.options: a choice needs 2 to 6 texts")
        if len(set(options)) != len(options):
            raise LessonError(f"{where}.options: the options must differ")
        if exp.races:
            labels = [v.get("label") for v in params.get("variants", []) if isinstance(v, dict)]
            if labels != list(options):
                raise LessonError(f"{where}.params.variants: their labels {labels} must be the "
                                  f"options {list(options)}, in the same order")
        elif len(options) != 2:
            raise LessonError(f"{where}.options: {exp_name!r} answers with exactly 2 options")
        options = tuple(options)
    lo, hi = _number(q, "min", where, -1e9), _number(q, "max", where, 1e9)
    if lo >= hi:
        raise LessonError(f"{where}: min must be below max")
    tol = _number(q, "tolerance", where, 0.1)
    unit = _text(q, "unit", where, 20, required=False)
    return Question(kind, text, exp_name, params, options, unit, lo, hi, tol)


def _names(step: dict, key: str, page: str, where: str) -> tuple:
    v = step.get(key, [])
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise LessonError(f"{where}.{key}: must be a list of texts")
    allowed = hide_choices(page)
    bad = [x for x in v if x not in allowed]
    if bad:
        raise LessonError(f"{where}.{key}: {bad[0]!r} is not a control of {page} "
                          f"(choose from {', '.join(allowed)})")
    return tuple(v)


def _step(s, where: str) -> Step:
    _table(s, STEP_KEYS, where)
    page = s.get("page")
    if page not in specs():
        raise LessonError(f"{where}.page: unknown page {page!r} (known: {', '.join(specs())})")
    settings = s.get("settings", {})
    if not isinstance(settings, dict):
        raise LessonError(f"{where}.settings: must be a table of the page's URL settings")
    problems = check_settings(page, settings)
    if problems:
        raise LessonError(f"{where}.settings: {problems[0]}")
    q = _question(s["question"], f"{where}.question") if "question" in s else None
    if s.get("lock") and specs()[page].groups:
        raise LessonError(f"{where}.lock: {page} hides whole groups of controls; it cannot lock "
                          "them (use hide)")
    return Step(page, _text(s, "instruction", where, 600), dict(settings),
                _names(s, "hide", page, where), _names(s, "lock", page, where), q)


def parse_lesson(data: dict, lesson_id: str) -> Lesson:
    where = lesson_id
    _table(data, LESSON_KEYS, where)
    concept = data.get("concept")
    if concept not in CONCEPTS:
        raise LessonError(f"{where}.concept: unknown {concept!r} (known: {', '.join(CONCEPTS)})")
    steps = data.get("steps")
    if not isinstance(steps, list) or not 1 <= len(steps) <= 12:
        raise LessonError(f"{where}.steps: a lesson needs 1 to 12 [[steps]]")
    minutes = int(_number(data, "minutes", where, 0))
    if not 0 <= minutes <= 120:
        raise LessonError(f"{where}.minutes: between 1 and 120")
    return Lesson(lesson_id, _text(data, "title", where, 80), _text(data, "goal", where, 300), concept,
                  tuple(_step(s, f"{where}.steps[{i + 1}]") for i, s in enumerate(steps)), minutes)


def load_text(text: str, lesson_id: str) -> Lesson:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LessonError(f"{lesson_id}: not valid TOML ({exc})") from None
    return parse_lesson(data, lesson_id)


def load_file(path: Path) -> Lesson:
    return load_text(Path(path).read_text(encoding="utf-8"), Path(path).stem)


def load_all(folder: Path = LESSON_DIR) -> tuple[list[Lesson], list[str]]:
    """Every lesson in the folder, in file-name order, and an error message for each bad one."""
    lessons, errors = [], []
    for path in sorted(Path(folder).glob("*.toml")):
        try:
            lessons.append(load_file(path))
        except LessonError as exc:
            errors.append(str(exc))
    return lessons, errors
