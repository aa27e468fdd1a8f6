"""Lesson files: the schema's errors (one test per kind), the built-in lessons, and the
experiments that answer their questions (sentences follow the measured numbers)."""
import pytest

from playground.lessons import experiments as X
from playground.lessons import schema as L

GOOD = '''
title = "T"
goal = "G"
concept = "activations"
[[steps]]
page = "playground"
instruction = "Do it"
settings = { dataset = "spiral" }
hide = ["data", "nav"]
[steps.question]
kind = "choice"
text = "Which?"
options = ["ReLU", "tanh"]
experiment = "mlp_race"
params = { variants = [ { label = "ReLU", settings = { acts = "relu,relu" } },
                        { label = "tanh", settings = { acts = "tanh,tanh" } } ] }
'''


def load(text=GOOD, **replace):
    for old, new in replace.items():
        assert old.replace("_", " ") in text or old in text
        text = text.replace(old, new)
    return L.load_text(text, "les")


def error(text: str) -> str:
    with pytest.raises(L.LessonError) as exc:
        L.load_text(text, "les")
    return str(exc.value)


def test_a_good_lesson_loads():
    les = load()
    assert les.steps[0].question.options == ("ReLU", "tanh")
    assert les.steps[0].hide == ("data", "nav")


def test_not_toml():
    assert "not valid TOML" in error('title = "unclosed')


def test_missing_field():
    assert error(GOOD.replace('title = "T"\n', "")) == "les: missing 'title'"


def test_unknown_field_names_the_typo():
    assert "unknown field 'instructions'" in error(GOOD.replace("instruction =", "instructions ="))


def test_wrong_type():
    assert "les.goal: must be a non-empty text" in error(GOOD.replace('goal = "G"', "goal = 3"))


def test_text_too_long():
    assert "too long (900 characters" in error(GOOD.replace('goal = "G"', f'goal = "{"g" * 900}"'))


def test_unknown_concept():
    assert "concept: unknown 'magic'" in error(GOOD.replace('"activations"', '"magic"'))


def test_no_steps():
    text = GOOD[:GOOD.index("[[steps]]")] + "steps = []\n"
    assert "needs 1 to 12 [[steps]]" in error(text)


def test_unknown_page():
    assert "steps[1].page: unknown page 'nowhere'" in error(GOOD.replace('"playground"', '"nowhere"'))


def test_invalid_setting_value_is_checked_by_the_page():
    msg = error(GOOD.replace('dataset = "spiral"', 'dataset = "moon"'))
    assert "steps[1].settings: dataset='moon'" in msg


def test_unknown_setting():
    assert "unknown setting 'colour'" in error(GOOD.replace('dataset = "spiral"', 'colour = "red"'))


def test_settings_on_a_page_without_link_settings(monkeypatch):
    from playground.lessons import pages as LP

    # the costs page reads its model from a link now: a page as it was before, without settings
    monkeypatch.setitem(LP.specs(), "costs", LP.PageSpec("What models cost", "cost"))
    text = GOOD.replace('page = "playground"', 'page = "costs"').replace(
        'hide = ["data", "nav"]', "")
    assert "takes no settings from a link" in error(text)


def test_unknown_control_to_hide():
    assert "'sidebar' is not a control of playground" in error(GOOD.replace('"data", "nav"', '"sidebar"'))


def test_lock_on_a_page_that_only_hides_groups():
    assert "cannot lock them (use hide)" in error(GOOD.replace('hide = ["data", "nav"]', 'lock = ["data"]'))


def test_bad_question_kind():
    assert 'kind: must be "choice" or "number"' in error(GOOD.replace('kind = "choice"', 'kind = "essay"'))


def test_unknown_experiment():
    assert "experiment: unknown 'guess'" in error(GOOD.replace('"mlp_race"', '"guess"'))


def test_experiment_of_the_other_kind():
    assert "answers a choice question, not a number one" in error(
        GOOD.replace('kind = "choice"', 'kind = "number"'))


def test_too_few_options():
    assert "a choice needs 2 to 6 texts" in error(GOOD.replace('["ReLU", "tanh"]', '["ReLU"]'))


def test_options_must_match_the_raced_variants():
    msg = error(GOOD.replace('["ReLU", "tanh"]', '["tanh", "ReLU"]'))
    assert "labels ['ReLU', 'tanh'] must be the options ['tanh', 'ReLU']" in msg


def test_min_below_max():
    text = GOOD.replace('experiment = "mlp_race"', 'experiment = "mlp_race"\nmin = 5\nmax = 1')
    assert "min must be below max" in error(text)


def test_every_built_in_lesson_loads_and_covers_the_concepts():
    lessons, errors = L.load_all()
    assert errors == [] and len(lessons) >= 8
    assert len({les.concept for les in lessons}) >= 8
    assert sum(1 for les in lessons for s in les.steps if s.question) >= 8


def test_every_built_in_question_is_answered_by_its_experiment():
    for les in L.load_all()[0]:
        for s in les.steps:
            if s.question:
                out = X.EXPERIMENTS[s.question.experiment].run(s.question.params)
                assert out.kind == s.question.kind
                if X.EXPERIMENTS[s.question.experiment].races:
                    winner = s.question.options[int(out.answer)]
                    assert winner in out.sentence, (les.id, out.sentence)
                else:
                    assert s.question.lo <= out.answer <= s.question.hi


def _race(first, second):
    return {"settings": {"dataset": "circle", "layers": "-"}, "epochs": 100, "variants": [
        {"label": "raw", "settings": {"features": first}},
        {"label": "squares", "settings": {"features": second}}]}


def test_race_sentence_follows_the_numbers_both_ways():
    out = X.mlp_race(_race("x1,x2", "x1,x2,x1sq,x2sq"))
    assert out.answer == 1 and out.numbers["squares"] < out.numbers["raw"]
    assert out.sentence.endswith("squares has the lowest test loss.")
    flipped = X.mlp_race(_race("x1,x2,x1sq,x2sq", "x1,x2"))   # now "raw" has the squares
    assert flipped.answer == 0 and flipped.sentence.endswith("raw has the lowest test loss.")


def test_a_tie_is_called_a_tie():
    out = X.mlp_race(_race("x1,x2", "x1,x2"))
    assert out.sentence.endswith("ties with another choice.")


def test_backprop_update_down_and_up():
    down = X.backprop_update({"settings": {"out_act": "linear", "lr": 0.5}})
    up = X.backprop_update({"settings": {"out_act": "linear", "lr": 2}})
    assert down.answer == 0 and "went down" in down.sentence
    assert up.answer == 1 and "went up" in up.sentence
    assert up.numbers["loss after"] > up.numbers["loss before"]


def test_grading():
    choice = X.Outcome("choice", 1, "")
    assert X.grade(choice, 1) and not X.grade(choice, 0)
    number = X.Outcome("number", 60.5, "")
    assert X.grade(number, 58, 0.1) and not X.grade(number, 40, 0.1)
    assert X.grade(X.Outcome("number", 105, ""), 105, 0.0) and not X.grade(X.Outcome("number", 105, ""), 104, 0.0)


def _grid(first, second, **settings):
    return {"settings": {"preset": "cliff", **settings}, "variants": [
        {"label": "first", "settings": first}, {"label": "second", "settings": second}]}


def test_grid_race_counts_the_best_paths_moves_both_ways_and_says_when_it_never_arrives():
    dry_first = X.grid_race(_grid({"slip": "0"}, {"slip": "0.1"}))
    assert dry_first.answer == 0 and dry_first.numbers == {"first": 9.0, "second": 11.0}
    assert X.grid_race(_grid({"slip": "0.1"}, {"slip": "0"})).answer == 1      # the opposite order
    paid = X.grid_race(_grid({"step_reward": "0.1"}, {"step_reward": "-0.04"}))
    assert paid.answer == 1 and "first: never reaches the goal" in paid.sentence
