"""The robustness lesson: its questions are answered by the digits CNN measured here, and the
answer (and its sentence) follows the numbers both ways."""
import pytest

from playground.lessons import experiments as X, experiments_vision as XV
from playground.lessons import schema as L


@pytest.fixture(scope="module")
def lesson():
    return {les.id: les for les in L.load_all()[0]}["11_robustness"]


def test_the_lesson_points_at_the_digits_model_and_asks_before_the_run(lesson):
    assert all(s.page == "vision_classify" for s in lesson.steps)
    asked = [s for s in lesson.steps if s.question]
    assert len(asked) >= 2 and all(s.settings.get("model") == "digits" for s in asked)
    assert {s.question.experiment for s in asked} == {"attack_race", "fgsm_accuracy"}


def test_fgsm_hurts_more_than_random_noise_of_the_same_size(lesson):
    q = next(s.question for s in lesson.steps if s.question and s.question.kind == "choice")
    out = XV.attack_race(q.params)
    fgsm, noise = out.numbers["The FGSM direction"], out.numbers["Random ±ε noise"]
    assert fgsm < noise < out.numbers["clean"] + 1e-9 and fgsm < 80
    assert q.options[int(out.answer)] == "The FGSM direction"
    assert out.sentence.endswith("hurts most along the FGSM direction.")
    assert X.grade(out, 1) and not X.grade(out, 0)            # the opposite answer is wrong
    assert out == XV.attack_race(q.params)                     # seeded: the same every time


def test_the_race_follows_the_numbers_when_noise_is_worse(monkeypatch):
    monkeypatch.setattr(XV, "_measure", lambda p: {"clean": 0.9, "random": 0.3, "fgsm": 0.6,
                                                   "n": 10, "eps": 0.5})
    out = XV.attack_race({"eps": 0.5})
    assert out.answer == 0 and "hurts most along random noise" in out.sentence
    assert X.grade(out, 0) and not X.grade(out, 1)


def test_accuracy_under_fgsm_is_a_measured_number(lesson):
    q = next(s.question for s in lesson.steps if s.question and s.question.kind == "number")
    out = XV.fgsm_accuracy(q.params)
    assert q.lo <= out.answer <= q.hi and f"{out.answer / 100:.1%} with FGSM" in out.sentence
    assert X.grade(out, out.answer, q.tolerance) and not X.grade(out, 97, q.tolerance)
    smaller = XV.fgsm_accuracy({**q.params, "eps": 0.02})
    assert smaller.answer > out.answer                         # a smaller ε hurts less


def test_a_bad_eps_is_refused():
    with pytest.raises(ValueError):
        XV.fgsm_accuracy({"eps": 0})
