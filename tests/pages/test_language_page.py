"""AppTest: the language page offline (clear messages, nothing breaks) and with tiny local models."""

from tests import language_models as LMB

float32_torch = LMB.float32_fixture()   # the app's default dtype, whatever other tests set

PAGE = "pages/language.py"


def test_offline_the_page_opens_on_the_own_gpts_fill_in_the_blank(open_page, offline):
    from playground.transformer import fill_blank as FB

    at = open_page(PAGE)
    assert at.session_state["lang_tab"].endswith("Fill in the blank")          # not a dead tab
    texts = [w.value for w in at.warning]
    assert len(texts) == 2 and all("needs a one-time download" in t and "Hugging Face hub" in t
                                   and "local model folder" in t for t in texts)
    assert any("distilbert-base-uncased-finetuned-sst-2-english" in t and "268 MB" in t for t in texts)
    assert at.button(key="lang_sent_go").disabled and not at.exception
    assert at.text_area(key="lang_sent_text").value.startswith("The film")
    # the own GPT's ranked output, not only a message
    assert at.radio(key="lang_model").value == "own"
    from playground.language import settings as LS

    assert at.text_area(key="lang_mask_text").value == LS.OWN_MASK_TEXT      # not BERT's example
    table = at.dataframe[0].value
    assert len(table) == 5 and list(table["log P(sentence)"]) == sorted(table["log P(sentence)"], reverse=True)
    best = table["word"][0]
    verdict = next(m.value for m in at.markdown if "prefers" in m.value)
    assert f"prefers “{best}”" in verdict and "among these 5 words" in verdict and "needs the internet" in verdict
    assert any("most frequent words of Genesis" in c.value for c in at.caption)
    assert at.get("plotly_chart")

    at.text_input(key="lang_mask_words").input("earth, xyzzy, heaven")     # the student's words
    at.button(key="lang_own_go").click().run()
    table = at.dataframe[0].value
    assert sorted(table["word"]) == ["earth", "heaven", "xyzzy"] and not at.exception
    assert at.query_params["mask_words"] == ["earth, xyzzy, heaven"] or \
        at.query_params["mask_words"] == "earth, xyzzy, heaven"
    for bad, says in (("earth, café", "never saw"), ("", None)):
        at.text_input(key="lang_mask_words").input(bad)
        at.text_area(key="lang_mask_text").input("No blank at all.")
        at.button(key="lang_own_go").click().run()
        assert any("Put [MASK]" in i.value for i in at.info) and not at.exception
    at.text_area(key="lang_mask_text").input("And [MASK] said.")
    at.text_input(key="lang_mask_words").input("God, café")
    at.button(key="lang_own_go").click().run()
    assert any("never saw" in i.value for i in at.info) and not at.exception


def test_offline_a_link_still_chooses_the_tab(open_page, offline):
    at = open_page(PAGE, query={"tab": "sent"})
    assert at.session_state["lang_tab"].endswith("Sentiment") and not at.exception


def test_local_folder_form_validates(open_page, offline, tmp_path, monkeypatch):
    from playground import serverpaths as SP

    folder = LMB.shared()[1]["sentiment"]
    at = open_page(PAGE)                                # server paths off: no path box at all
    assert not [t for t in at.text_input if t.key.startswith("lang_folder_")]
    monkeypatch.setenv(SP.ENABLE_ENV, "1")
    monkeypatch.setenv(SP.MODELS_ENV, str(folder.parent))
    at = open_page(PAGE)
    for outside in (str(tmp_path / "nowhere"), "/root", "/" + "x" * 10_000):
        at.text_input(key="lang_folder_sentiment").input(outside)
        at.button(key="lang_folder_go_sentiment").click().run()
        assert [e.value for e in at.error] == [SP.REFUSED] and not at.exception
    at.text_input(key="lang_folder_sentiment").input(str(folder))
    at.button(key="lang_folder_go_sentiment").click().run()
    assert at.session_state["lang__folder__sentiment"] == str(folder.resolve())
    assert sum("needs a one-time download" in w.value for w in at.warning) == 1   # t5 (fill in
    # the blank runs on the app's own GPT offline)
    assert any("from your folder" in c.value for c in at.caption)


def test_sentiment_with_a_local_model_and_its_cost(open_page, tiny):
    at = open_page(PAGE)
    assert not at.warning
    at.text_area(key="lang_sent_text").input("great fun. " * 300)
    at.button(key="lang_sent_go").click().run()
    assert not at.exception
    out = at.session_state["lang_sent_out"]
    assert {l for l, _ in out.labels} == {"Positive", "Negative"}
    assert at.metric[0].label == "Sentiment" and at.metric[0].value in ("Positive", "Negative")
    assert any("tokens were cut off" in w.value for w in at.warning)
    at.button(key="lang_cost_sentiment").click().run()
    labels = [m.label for m in at.metric]
    assert {"Parameters", "MACs per input", "Latency", "Peak memory", "Energy / 1000"} <= set(labels)


def test_fill_mask_and_t5_with_local_models(open_page, tiny):
    at = open_page(PAGE)
    at.text_area(key="lang_mask_text").input("no blank here")
    at.button(key="lang_mask_go").click().run()
    assert "Put [MASK]" in at.session_state["lang_mask_out"]
    at.text_area(key="lang_mask_text").input("paris is the [MASK] of france.")
    at.slider(key="lang_mask_k").set_value(3)
    at.button(key="lang_mask_go").click().run()
    out = at.session_state["lang_mask_out"]
    assert len(out.candidates) == 1 and len(out.candidates[0]) == 3 and not at.exception
    at.radio(key="lang_t5_mode").set_value("French")
    at.text_area(key="lang_t5_text").input("the cat sat on the mat.")
    at.button(key="lang_t5_go").click().run()
    label, res = at.session_state["lang_t5_out"]
    assert label == "Translate to French" and isinstance(res.text, str) and not at.exception
    at.text_area(key="lang_t5_text").input("   ")
    at.button(key="lang_t5_go").click().run()
    assert at.session_state["lang_t5_out"] == "Type or paste some text first."


def test_with_bert_here_a_student_can_still_choose_the_own_gpt(open_page, tiny):
    at = open_page(PAGE)
    assert at.radio(key="lang_model").value == "fill_mask" and at.session_state["lang_tab"].endswith("Sentiment")
    at.radio(key="lang_model").set_value("own").run()
    verdict = next(m.value for m in at.markdown if "prefers" in m.value)
    assert "needs the internet" not in verdict and not at.exception       # BERT is on this server
    assert at.query_params["model"] in ("own", ["own"])
