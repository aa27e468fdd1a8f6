"""AppTest: the four transformer pages, with tiny local models ($PLAYGROUND_HF_DIR), offline."""
import time

from playground.vision import models as VM
from tests import language_models as LMB
from tests.vision_weights import shared_torch_home

float32_torch = LMB.float32_fixture()

ATT, NEXT, TINY, VIT = ("pages/attention.py", "pages/next_token.py", "pages/tiny_transformer.py",
                        "pages/vit_attention.py")


def test_offline_the_own_gpt_works_and_hub_models_say_why(open_page, offline, monkeypatch):
    """Offline: the app's own GPT is chosen, trained once and shown; a hub model says why it is
    missing, offers the own GPT and shows no dead button."""
    monkeypatch.setenv("PLAYGROUND_OWN_GPT_STEPS", "120")
    at = open_page(ATT)
    assert at.radio(key="attn_model").value == "own" and not at.exception
    key, res = at.session_state["attn_out"]
    assert key == "own" and res.causal and res.attn.shape[:2] == (2, 4)
    assert len(at.get("plotly_chart")) == 2                       # heatmap + lines, at once
    assert not any("press" in i.value for i in at.info)
    at.radio(key="attn_model").set_value("bert").run()
    assert any("needs a one-time download" in w.value and "local model folder" in w.value
               for w in at.warning)
    assert any("own tiny GPT" in i.value for i in at.info) and not at.exception
    assert "attn_go" not in [b.key for b in at.button] and not at.get("plotly_chart")
    at.button(key="attn_use_own").click().run()
    assert at.radio(key="attn_model").value == "own" and len(at.get("plotly_chart")) == 2
    at = open_page(NEXT)
    assert at.radio(key="next_model").value == "own" and not at.exception
    bars = at.get("plotly_chart")
    assert len(bars) >= 2 and at.session_state["next_ids"]         # top-10 and attention
    at.slider(key="next_top_k").set_value(3).run()
    assert [m.value for m in at.metric if m.label == "Tokens that can be chosen"] == ["3"]
    n0 = len(at.session_state["next_ids"])
    at.button(key="next_add").click().run()
    assert len(at.session_state["next_ids"]) == n0 + 1 and not at.exception
    at = open_page(TINY)                                   # works without internet
    at.button(key="tiny_step").click().run()
    assert at.session_state["tiny_run"].steps == 2 and not at.exception


def test_unreachable_hub_is_reported_within_five_seconds(open_page, monkeypatch):
    """No offline switch: the real network probe, of a hub address where nobody listens."""
    import socket

    from playground import netcheck
    from playground.language import hub as H

    for env in (*H.OFFLINE_ENVS, H.MODELS_DIR_ENV, "https_proxy", "HTTPS_PROXY"):
        monkeypatch.delenv(env, raising=False)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{dead}")
    netcheck.forget()
    at = open_page("pages/home.py")
    at.session_state["attn__values"] = {"model": "bert"}     # a student who had chosen BERT
    t0 = time.perf_counter()
    at.switch_page(ATT).run()
    took = time.perf_counter() - t0
    assert took < 5 and not at.exception
    assert any("cannot reach 127.0.0.1" in w.value and "local model folder" in w.value
               for w in at.warning)
    assert any("own tiny GPT" in i.value for i in at.info)
    netcheck.forget()


def test_attention_page_every_view(open_page, tiny):
    at = open_page(ATT)
    assert not at.warning
    at.text_area(key="attn_text").input("the cat sat on the mat. 😀 café")
    at.button(key="attn_go").click().run()
    assert not at.exception
    key, res = at.session_state["attn_out"]
    assert key == "bert" and res.attn.shape[:2] == (2, 2)
    assert len(at.get("plotly_chart")) == 2                       # heatmap + lines
    at.selectbox(key="attn_layer").set_value(1)
    at.selectbox(key="attn_head").set_value(-1)
    at.selectbox(key="attn_focus").set_value(2).run()
    assert not at.exception
    for tab in (":material/apps: Model view (all heads)", ":material/functions: Averaged and rollout", ":material/flashlight_on: One token, every layer",
                ":material/abc: Tokens"):
        at.session_state["attn_tab"] = tab
        at.run()
        assert not at.exception and at.get("plotly_chart") or at.dataframe, tab
    assert len(at.dataframe[0].value) == len(res.tokens)           # the tokens table
    at.session_state["attn_tab"] = ":material/functions: Averaged and rollout"
    at.run()
    at.radio(key="attn_avg").set_value("rollout").run()
    assert any("Rollout" in c.value for c in at.caption) and not at.exception
    at.button(key="attn_cost_bert").click().run()                  # what the model costs
    assert {"Parameters", "MACs per input"} <= {m.label for m in at.metric} and not at.exception


def test_attention_page_pair_truncation_and_empty(open_page, tiny):
    at = open_page(ATT)
    at.text_area(key="attn_text").input("great fun. " * 300)
    at.text_input(key="attn_pair").input("it was good.")
    at.button(key="attn_go").click().run()
    res = at.session_state["attn_out"][1]
    assert 1 in res.tokens.segments and len(res.tokens) == 512
    assert any("tokens were cut off" in w.value for w in at.warning)
    at.text_area(key="attn_text").input("   ")
    at.button(key="attn_go").click().run()
    assert any("Type a sentence" in i.value for i in at.info) and not at.exception
    at.radio(key="attn_model").set_value("distilgpt2").run()
    assert not at.exception and "attn_pair" not in [t.key for t in at.text_input]   # no pairs


def test_attention_model_view_click_opens_the_head(open_page, tiny):
    at = open_page(ATT)
    at.button(key="attn_go").click().run()
    at.session_state["attn_tab"] = ":material/apps: Model view (all heads)"
    at.run()
    at.session_state["attn__values"]["layer"] = 1          # what a click on layer 1, head 1 stores
    at.session_state["attn__values"]["head"] = 1
    at.run()
    assert any("Opened: layer 1, head 1" in m.value for m in at.markdown) and not at.exception


def test_next_token_page_generates(open_page, tiny):
    at = open_page(NEXT)
    at.text_area(key="next_prompt").input("the cat sat on the")
    at.button(key="next_go").click().run()
    assert not at.exception
    n0 = len(at.session_state["next_ids"])
    at.slider(key="next_top_k").set_value(3).run()
    assert [m.value for m in at.metric if m.label == "Tokens that can be chosen"] == ["3"]
    at.button(key="next_add").click().run()
    at.button(key="next_add").click().run()
    assert len(at.session_state["next_ids"]) == n0 + 2 and len(at.dataframe[0].value) == 2
    assert sorted(at.session_state["next_rows"]) == [n0, n0 + 1, n0 + 2]      # one row per step
    assert at.slider(key="next_layer").value == 1
    assert not at.exception
    at.slider(key="next_temperature").set_value(0.0).run()
    assert [m.value for m in at.metric if m.label == "Entropy (after settings)"] == ["0.00 bits"]


def test_tiny_transformer_page_trains_and_reads_your_digits(open_page):
    at = open_page(TINY)
    for _ in range(4):
        at.button(key="tiny_step").click().run()
    run = at.session_state["tiny_run"]
    assert run.steps == 8 and not at.exception
    at.select_slider(key="tiny_speed").set_value(25).run()
    for _ in range(8):
        at.button(key="tiny_step").click().run()
    assert at.session_state["tiny_run"].token_acc > 0.9
    at.text_input(key="tiny_typed").input("123456").run()
    assert any("654321" in m.value.replace(" ", "") for m in at.markdown)
    at.text_input(key="tiny_typed").input("12").run()
    assert any("exactly 6 digits" in w.value for w in at.warning) and not at.exception
    at.radio(key="tiny_heads").set_value(4).run()                  # new settings: a new run
    assert at.session_state["tiny_run"].steps == 0 and len(at.get("plotly_chart")) >= 5
    at.button(key="tiny_reset").click().run()
    assert not at.exception


def test_vit_attention_page(open_page, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(shared_torch_home(("vit_b_16",), name="vit")))
    monkeypatch.setenv(VM.OFFLINE_ENV, "1")
    at = open_page(VIT)
    assert not at.exception and len(at.image) >= 3
    at.radio(key="vita_view").set_value("last").run()
    assert not at.exception and len(at.image) >= 3 + 12                # + one image per head
    at.slider(key="vita_layer").set_value(3).run()
    assert not at.exception


def test_logit_lens_page_offline_on_the_own_gpt(open_page, offline, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_OWN_GPT_STEPS", "120")
    at = open_page("pages/logit_lens.py")
    assert at.radio(key="lens_model").value == "own" and not at.exception
    res = at.session_state["lens_out"]
    assert res.logits.shape[0] == 3 and len(at.get("plotly_chart")) == 1      # the lens grid
    assert any("next token is most likely" in m.value for m in at.markdown)
    for tab, charts in (("One token's rank", 1), ("Which heads push it", 2), ("Tokens", 1)):
        at.session_state["lens_tab"] = tab
        at.run()
        assert not at.exception and len(at.get("plotly_chart")) == charts, tab
    at.text_area(key="lens_text").input("God 😀 Ω")
    at.button(key="lens_go").click().run()
    assert at.session_state["lens_out"].tokens.pieces[-3:] == ["\ufffd", " ", "\ufffd"]
    assert len(at.dataframe[0].value) == 7 and not at.exception    # one row per character


def test_logit_lens_page_with_gpt2(open_page, tiny):
    at = open_page("pages/logit_lens.py")
    assert at.radio(key="lens_model").value == "distilgpt2" and not at.exception
    at.session_state["lens_tab"] = "Which heads push it"
    at.run()
    assert at.session_state["lens_out"].head_out.shape[:2] == (2, 2)
    assert any("Heads that push" in m.value for m in at.markdown) and not at.exception


def test_vit_page_offline_patches_positions_and_own_vit(open_page, offline, monkeypatch):
    monkeypatch.setenv(VM.OFFLINE_ENV, "1")
    at = open_page(VIT)
    assert any("small ViT the app trains on digits" in i.value for i in at.info)
    assert any("196 patches + 1 class token = 197 tokens" in m.value for m in at.markdown)
    caps = " ".join(c.value for c in at.caption)
    assert "ViT of 18 k parameters, trained here on 1438 8×8 digits" in caps
    said = next(m.value for m in at.markdown if m.value.startswith("Test digit #0 is a"))
    assert "the ViT says" in said and len(at.image) >= 2 + 2 + 4 + 1    # grid, digit, maps, heads
    n = len(at.image)
    at.radio(key="vita_own_view").set_value(1).run()
    assert len(at.image) == n and not at.exception
    at.slider(key="vita_pos_patch").set_value(0).run()
    assert any("Similarity with its 2 neighbours" in c.value for c in at.caption)
    assert not at.exception


def test_side_by_side_own_gpt_and_hub_models(open_page, tiny, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_OWN_GPT_STEPS", "120")
    at = open_page(NEXT)
    assert at.radio(key="next_model").value == "distilgpt2"
    at.text_area(key="next_prompt").input("the cat sat on the")
    at.button(key="next_go").click().run()
    at.selectbox(key="next_other").set_value("own").run()
    assert not at.exception
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    assert any("The app's own tiny GPT" in t for t in titles) and any("DistilGPT-2" in t for t in titles)
    assert any("18 for The app's own tiny GPT" in c.value for c in at.caption)   # characters
    at = open_page(ATT)
    at.button(key="attn_go").click().run()
    at.selectbox(key="attn_other").set_value("own").run()
    assert not at.exception and len(at.get("plotly_chart")) == 4      # head view, lines, 2 sides
