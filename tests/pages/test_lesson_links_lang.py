"""Lesson links on the language, speech, ViT and Inside-a-CNN pages (offline): a link presets
the controls, hide= / lock= work, a bad value warns, a changed control updates the address bar
and "Make a lesson link" carries the settings; a lesson step's link presets its page."""
import numpy as np
import pytest

from tests import language_models as LMB

float32_torch = LMB.float32_fixture()   # the app's default dtype, whatever other tests set

KINDS = ("text_area", "text_input", "radio", "slider", "selectbox", "select_slider", "toggle",
         "number_input")


def widget(at, key):
    """The widget with ``key`` on the page, or None when it is not drawn."""
    return next((w for kind in KINDS for w in getattr(at, kind) if w.key == key), None)


def param(at, name):
    v = at.query_params.get(name)
    return v[0] if isinstance(v, list) else v


def lesson_link(at, page):
    links = [c.value for c in at.sidebar.code if f"/{page}" in c.value]
    assert links, "no lesson link in the sidebar"
    return links[-1]


# page, link, {widget key: value it must show}, (hidden control, its widget key), locked widget key,
# a bad setting and its warning, a widget to change: (key, new value, URL parameter, its text)
CASES = {
    "attention": ("pages/attention.py",
                  {"model": "own", "text": "In the beginning God created the heaven", "layer": "1",
                   "head": "2", "focus": "3"},
                  {"attn_text": "In the beginning God created the heaven", "attn_layer": 1,
                   "attn_head": 2, "attn_focus": 3, "attn_model": "own"},
                  ("layer", "attn_layer", 1), "attn_head", ("head", "many", "Ignored head=`many`"),
                  ("attn_head", -1, "head", "-1")),
    "next_token": ("pages/next_token.py",
                   {"model": "own", "prompt": "And the earth was", "temperature": "0.5",
                    "top_k": "5", "top_p": "0.9", "greedy": "true", "seed": "7"},
                   {"next_prompt": "And the earth was", "next_temperature": 0.5, "next_top_k": 5,
                    "next_top_p": 0.9, "next_greedy": True, "next_seed": 7},
                   ("top_p", "next_top_p", 0.9), "next_temperature",
                   ("temperature", "hot", "Ignored temperature=`hot`"),
                   ("next_top_k", 12, "top_k", "12")),
    "logit_lens": ("pages/logit_lens.py",
                   {"model": "own", "text": "And Noah begat", "view": "rank"},
                   {"lens_text": "And Noah begat", "lens_model": "own"},
                   ("model", "lens_model", "own"), "lens_text",
                   ("view", "sideways", "Ignored view=`sideways`"), None),
    "language": ("pages/language.py",
                 {"tab": "mask", "mask_text": "Paris is the [MASK] of France.", "mask_k": "7",
                  "t5_mode": "French", "sent_text": "Not bad at all."},
                 {"lang_mask_text": "Paris is the [MASK] of France.", "lang_mask_k": 7,
                  "lang_t5_mode": "French", "lang_sent_text": "Not bad at all."},
                 ("sent_text", "lang_sent_text", "Not bad at all."), "lang_t5_mode",
                 ("mask_k", "lots", "Ignored mask_k=`lots`"), None),
    "speech": ("pages/speech.py", {"source": "upload", "language": "german"},
               {"speech_source": "upload", "speech_language": "german"},
               ("source", "speech_source", "upload"), "speech_language",
               ("language", "klingon", "Ignored language=`klingon`"),
               ("speech_language", "french", "language", "french")),
    "vit_attention": ("pages/vit_attention.py",
                      {"img_sample": "Rocket", "patch": "10", "digit": "3", "own_view": "1",
                       "pos_patch": "2"},
                      {"vita_img_sample": "Rocket", "vita_patch": 10, "vita_digit": 3,
                       "vita_own_view": 1, "vita_pos_patch": 2},
                      ("digit", "vita_digit", 3), "vita_patch",
                      ("patch", "middle", "Ignored patch=`middle`"),
                      ("vita_pos_patch", 9, "pos_patch", "9")),
    "cnn_inside": ("pages/cnn_inside.py",
                   {"model": "mobilenet_v3_large", "layer": "features.6", "top": "8",
                    "own_eps": "0.3", "own_digit": "4"},
                   {"ci_model": "mobilenet_v3_large", "ci_layer": "features.6", "ci_top": 8,
                    "ci_own_eps": 0.3, "ci_own_digit": 4},
                   ("top", "ci_top", 8), "ci_model",
                   ("layer", "layer9.9", "Ignored layer=`layer9.9`"),
                   ("ci_top", 32, "top", "32")),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_link_presets_hides_locks_and_warns(open_page, offline, name):
    path, query, shown, (hide, hide_key, kept), lock_key, (bad, bad_value, warning), _ = CASES[name]
    at = open_page(path, query=query)
    for key, value in shown.items():
        assert widget(at, key) is not None and widget(at, key).value == value, key
    link = lesson_link(at, name)
    for k, v in query.items():                  # the lesson link carries every preset setting
        if k not in ("model", "source") and v != "own":
            assert f"{k}=" in link, (k, link)

    at = open_page(path, query={**query, "hide": hide, "lock": lock_key.split("_", 1)[1],
                                bad: bad_value})
    assert widget(at, hide_key) is None                         # hidden ...
    assert at.session_state[f"{hide_key.split('_')[0]}__values"][hide] == kept   # ... value kept
    assert widget(at, lock_key).disabled
    assert any(w.value.startswith(warning) for w in at.warning), [w.value for w in at.warning]
    assert param(at, "hide") == hide and not at.exception


@pytest.mark.parametrize("name", [n for n, case in CASES.items() if case[-1]])
def test_changing_a_control_updates_the_address_bar_and_the_link(open_page, offline, name):
    path, query, *_, (key, value, url_key, url_value) = CASES[name]
    at = open_page(path, query=query)
    widget(at, key).set_value(value).run()
    assert not at.exception and param(at, url_key) == url_value
    assert f"{url_key}={url_value}" in lesson_link(at, name)


def test_tabs_and_texts_round_trip(open_page, offline):
    at = open_page("pages/attention.py", query={"model": "own", "view": "avg", "avg": "rollout"})
    assert at.session_state["attn_tab"].endswith("Averaged and rollout")
    assert at.radio(key="attn_avg").value == "rollout"
    at.session_state["attn_tab"] = ":material/abc: Tokens"
    at.run()
    assert param(at, "view") == "tokens" and "view=tokens" in lesson_link(at, "attention")
    at = open_page("pages/logit_lens.py", query={"model": "own", "view": "rank"})
    assert at.session_state["lens_tab"] == "One token's rank"
    target = at.selectbox(key="lens_target")
    best = at.session_state["lens__values"]["best"]
    assert target.value == best and param(at, "target") is None        # the top guess: not written
    final = at.session_state["lens_out"].probs()[-1, -1]
    second = int(np.argsort(-final, kind="stable")[1])
    target.set_value(second).run()
    assert param(at, "target") == str(second) and not at.exception
    at = open_page("pages/logit_lens.py", query={"model": "own", "view": "heads",
                                                 "target": str(second)})
    assert at.selectbox(key="lens_target").value == second


def test_a_submitted_text_goes_to_the_address_bar(open_page, tiny):
    at = open_page("pages/language.py", query={"tab": "t5"})
    assert at.session_state["lang_tab"].endswith("Summarize and translate")
    at.text_area(key="lang_mask_text").input("A [MASK] day.")
    next(b for b in at.get("form_submit_button") if b.form_id == "lang_mask_form").click()
    at.run()
    assert param(at, "mask_text") == "A [MASK] day." and param(at, "tab") == "t5"


def test_texts_from_a_link_are_cleaned_and_bounded(open_page, offline):
    at = open_page("pages/next_token.py", query={"model": "own", "prompt": "And\x00 God\x07"})
    assert at.text_area(key="next_prompt").value == "And God"
    at = open_page("pages/attention.py", query={"model": "own", "text": "x" * 5001})
    assert any("longer than 5,000 characters" in w.value for w in at.warning)
    assert all(len(w.value) < 200 for w in at.warning)                  # no echo of the text
    assert at.text_area(key="attn_text").value.startswith("And God said")   # the default


def test_the_same_seed_draws_the_same_tokens(open_page, offline):
    drawn = []
    for seed in ("3", "3"):
        at = open_page("pages/next_token.py", query={"model": "own", "seed": seed})
        for _ in range(3):
            at.button(key="next_add").click().run()
        drawn.append(at.session_state["next_ids"])
    assert drawn[0] == drawn[1] and len(drawn[0]) > 3


PREFIX = {"attention": "attn", "next_token": "next", "vit_attention": "vita"}


def test_a_lesson_steps_link_presets_its_pages(open_page, offline):
    from playground.lessons import schema as L
    from playground.ui.lessons import step_query

    les = {x.id: x for x in L.load_all()[0]}["08_attention"]
    opened = 0
    for i, step in enumerate(les.steps):
        if step.page not in ("attention", "next_token", "vit_attention"):
            continue
        assert step.settings, f"step {i + 1} presets nothing"
        at = open_page(f"pages/{step.page}.py", query=step_query(step, les.id, i))
        assert any("Lesson: Attention" in m.value for m in at.markdown)
        assert not at.warning or all("needs a one-time download" in w.value for w in at.warning)
        values = at.session_state[f"{PREFIX[step.page]}__values"]
        for k, v in step.settings.items():
            assert values[k] == v, (step.page, k)
        opened += 1
    assert opened >= 2


def test_no_lesson_link_in_a_focused_lesson(open_page, offline):
    at = open_page("pages/next_token.py", query={"model": "own", "hide": "nav,seed", "top_k": "3"})
    assert not [c for c in at.sidebar.code if "/next_token" in c.value]
    assert widget(at, "next_seed") is None and at.slider(key="next_top_k").value == 3


def test_opening_a_step_from_the_lessons_page_presets_the_page(open_page, offline):
    at = open_page("pages/lessons.py", query={"lesson": "08_attention"})
    at.button(key="les_open_08_attention_2").click().run()      # step 3: next-token prediction
    assert not at.exception
    assert at.slider(key="next_temperature").value == 0.2 and at.number_input(key="next_seed").value == 1
    assert at.toggle(key="next_greedy").disabled                  # locked by the step
    assert param(at, "temperature") == "0.2" and param(at, "lesson_step") == "08_attention.3"


def test_the_vit_maps_read_the_link_when_the_weights_are_here(open_page, monkeypatch):
    from playground.vision import models as VM
    from tests.vision_weights import shared_torch_home

    monkeypatch.setenv("TORCH_HOME", str(shared_torch_home(("vit_b_16",), name="vit")))
    monkeypatch.setenv(VM.OFFLINE_ENV, "1")
    at = open_page("pages/vit_attention.py", query={"view": "last", "layer": "3", "opacity": "0.3",
                                                    "lock": "layer"})
    assert at.radio(key="vita_view").value == "last" and at.slider(key="vita_opacity").value == 0.3
    assert at.slider(key="vita_layer").value == 3 and at.slider(key="vita_layer").disabled
    assert "Each head of layer 3" in [s.value for s in at.subheader]
    at.radio(key="vita_view").set_value("rollout").run()
    at.slider(key="vita_discard").set_value(0.5).run()
    assert param(at, "view") is None and param(at, "discard") == "0.5" and not at.exception
