"""The URL tables of the language, speech, ViT and Inside-a-CNN pages: what a page writes, it
reads back; bad or oversized values are refused with a short warning."""
import pytest

from playground import query as Q
from playground.cnn import settings as CS
from playground.language import settings as LS
from playground.speech import settings as SS
from playground.transformer import settings as TS

ROUND_TRIPS = [
    (TS.lm_from_query("attention"), lambda v: TS.lm_to_query("attention", v),
     {"model": "bert", "text": "Ein Satz — with é and 😀", "pair": "B", "layer": 3, "head": -1,
      "focus": 4, "view": "model", "avg": "rollout"}),
    (TS.lm_from_query("next_token"), lambda v: TS.lm_to_query("next_token", v),
     {"model": "own", "prompt": "In the\nbeginning", "temperature": 0.35, "top_k": 7, "top_p": 0.9,
      "greedy": True, "seed": 42}),
    (TS.lm_from_query("logit_lens"), lambda v: TS.lm_to_query("logit_lens", v),
     {"model": "distilgpt2", "text": "x", "target": 1234, "view": "heads"}),
    (TS.vit_from_query, TS.vit_to_query,
     {"img_sample": "Rocket", "view": "last", "opacity": 0.35, "discard": 0.3, "layer": 7,
      "patch": 3, "digit": 12, "own_view": 1, "pos_patch": 15}),
    (LS.from_query, LS.to_query, {"tab": "mask", "sent_text": "s", "t5_text": "t", "mask_text": "[MASK]",
                                  "t5_mode": "Romanian", "mask_k": 9,
                                  "model": "own", "mask_words": "earth, land"}),
    (SS.from_query, SS.to_query, {"source": "record", "language": "polish"}),
    (CS.inside_from_query, CS.inside_to_query,
     {"model": "mobilenet_v3_large", "layer": "features.12", "top": 4, "img_sample": "Coffee",
      "own_digit": 9, "own_eps": 0.02}),
]


@pytest.mark.parametrize("parse, write, values", ROUND_TRIPS)
def test_what_a_page_writes_it_reads_back(parse, write, values):
    q = write(values)
    assert all(isinstance(v, str) for v in q.values())
    got, warnings = parse(q)
    assert not warnings and {k: got.get(k, v) for k, v in values.items()} == values


def test_defaults_are_not_written_but_the_model_is():
    assert TS.lm_to_query("next_token", {"model": "own", "prompt": TS.example_text("next_token", "own"),
                                         "temperature": 1.0}) == {"model": "own"}
    assert TS.lm_to_query("next_token", {"model": "distilgpt2",
                                         "prompt": TS.example_text("next_token", "own")}) \
        == {"model": "distilgpt2", "prompt": TS.example_text("next_token", "own")}
    assert TS.lm_to_query("logit_lens", {"model": "own", "target": 5, "best": 5}) == {"model": "own"}
    assert LS.to_query({}) == {} and SS.to_query({}) == {} and TS.vit_to_query({}) == {}
    assert CS.inside_to_query({"model": "mobilenet_v3_large", "layer": "features.4"}) == \
        {"model": "mobilenet_v3_large"}


def test_bad_values_warn_briefly_and_numbers_snap_to_the_controls():
    got, warnings = TS.lm_from_query("attention")({"text": "y" * 5001, "view": "sideways",
                                                    "layer": "nan"})
    assert got == {} and len(warnings) == 3 and all(len(w) < 120 for w in warnings)
    assert "longer than 5,000 characters" in warnings[0]
    got, _ = TS.lm_from_query("next_token")({"temperature": "0.33", "top_p": "0", "top_k": "500",
                                             "greedy": "TRUE", "prompt": "a\x00b\x1bc"})
    assert got == {"temperature": 0.35, "top_p": 0.05, "top_k": 50, "greedy": True, "prompt": "abc"}
    assert TS.lm_from_query("next_token")({"greedy": "maybe"})[1]
    got, warnings = CS.inside_from_query({"model": "resnet18", "layer": "features.4"})
    assert got == {"model": "resnet18"} and "not a layer with feature maps of resnet18" in warnings[0]
    assert CS.inside_from_query({"layer": "features.4"}) == ({"layer": "features.4"}, [])


def test_flag_and_text_parsers():
    assert Q.flag("On") is True and Q.flag("0") is False
    with pytest.raises(ValueError):
        Q.flag("2")
    assert Q.text(3)("a\r\nb") == "a\nb"
    with pytest.raises(ValueError):
        Q.text(3)("abcd")


@pytest.mark.parametrize("bad", ["1e309", "-1e309", "nan", "inf", "\x00", "9" * 400, "é😀", "",
                                 "[go](http://127.0.0.1/x)", "x1,![i](http://127.0.0.1/i.png)"])
def test_every_lesson_pages_parser_turns_hostile_values_into_short_safe_warnings(bad):
    """``int(float("1e309"))`` raises OverflowError: a link must still never break a page; its
    warning (Markdown) quotes the value as code, so it cannot become a link or an image."""
    import re

    from playground.lessons.pages import specs
    from playground.mlp import settings as PS
    from playground.rnn import settings as RS

    pages = [(name, spec.parse, spec.keys) for name, spec in specs().items() if spec.parse]
    for name, parse, keys in [*pages, ("mlp", PS.from_query, ()), ("rnn", RS.from_query, ())]:
        values, warnings = parse({k: bad for k in (keys or ("seed", "lr", "layer", "dataset"))})
        assert isinstance(values, dict)
        for w in warnings:
            outside_code = re.sub(r"`[^`]*`", "", w)
            assert all(len(code) <= 45 for code in re.findall(r"`[^`]*`", w)), (name, w)
            assert "](" not in outside_code and "http" not in outside_code, (name, w)
            assert len(bad) < 4 or bad not in outside_code, (name, w)      # not echoed as text


def test_a_lesson_can_preset_a_tab_but_not_hide_it():
    from playground.lessons import schema as L

    step = '''title = "T"
goal = "G"
concept = "attention"
[[steps]]
page = "attention"
instruction = "Look"
settings = { view = "model", text = "It sat." }
hide = HIDE
'''
    les = L.load_text(step.replace("HIDE", '["layer", "nav"]'), "les")
    assert les.steps[0].settings == {"view": "model", "text": "It sat."}
    with pytest.raises(L.LessonError, match="'view' is not a control of attention"):
        L.load_text(step.replace("HIDE", '["view"]'), "les")


def test_a_bad_value_is_quoted_as_code_and_never_repeated_by_the_reason():
    """A link's value ends up in st.warning (Markdown): it must not become a link or an image."""
    warning = Q.parse({"seed": "![x](http://127.0.0.1/t.png) `[go](http://e)`"},
                      {"seed": Q.integer(0, 9)})[1][0]
    assert warning.count("`") == 2 and warning.startswith("Ignored seed=`![x](http://127.0.0.1/t.png) '[go")
    assert warning.endswith("` from the link (not a valid value).")     # float()'s echo dropped
