"""The language tasks through the real pipelines on tiny local models: limits and prompts."""
import pytest

from playground.language import models as M
from playground.language import tasks as T
from tests import language_models as LMB

float32_torch = LMB.float32_fixture()   # the app's default dtype, whatever other tests set


@pytest.fixture(scope="module")
def lms():
    return {k: M.load(M.REGISTRY[k], p, "test") for k, p in LMB.shared()[1].items()}


def test_fit_text_keeps_short_text_and_cuts_long_text(lms):
    tok = lms["sentiment"].tokenizer
    short = T.fit_text(tok, "  this movie was great!  ", 512)
    assert (short.text, short.n_tokens, short.n_dropped) == ("this movie was great!", 5, 0)
    assert short.notice(512) is None
    long = "the cat sat on the mat. " * 100                    # 7 tokens per sentence
    fit = T.fit_text(tok, long, 20)
    assert fit.n_tokens == 700 and fit.n_kept == 18 and fit.n_dropped == 682   # 2 special tokens
    assert long.startswith(fit.text) and len(tok(fit.text)["input_ids"]) == 20
    assert "682 tokens were cut" in fit.notice(20)
    with_prefix = T.fit_text(lms["t5"].tokenizer, long, 20, prefix="summarize: ")
    assert with_prefix.n_kept == 20 - 1 - 2                   # </s>, and "summarize" ":"
    with pytest.raises(T.InputError, match="Type or paste"):
        T.fit_text(tok, "   ", 20)


def test_sentiment_scores(lms):
    res = T.sentiment(lms["sentiment"], "a wonderful film, i love it")
    labels = [l for l, _ in res.labels]
    assert sorted(labels) == ["Negative", "Positive"]
    assert sum(p for _, p in res.labels) == pytest.approx(1.0, abs=1e-5)
    assert res.labels[0][1] >= res.labels[1][1] and res.seconds > 0
    cut = T.sentiment(lms["sentiment"], "great fun. " * 400)
    assert cut.fitted.n_dropped == 1200 - 510 and cut.fitted.notice(512)


def test_fill_mask_prompts_and_candidates(lms):
    lm = lms["fill_mask"]
    with pytest.raises(T.InputError, match=r"Put \[MASK\]"):
        T.fill_mask(lm, "no blank here")
    with pytest.raises(T.InputError, match="a word is missing"):
        T.fill_mask(lm, "  ")
    with pytest.raises(T.InputError, match="at most 3"):
        T.fill_mask(lm, "[MASK] " * 4)
    with pytest.raises(T.InputError, match="beyond"):
        T.fill_mask(lm, "the cat sat. " * 200 + "[MASK]")
    one = T.fill_mask(lm, "paris is the ___ of france.", top_k=4)
    (cands,) = one.candidates
    assert len(cands) == 4 and [p for _, p, _ in cands] == sorted((p for _, p, _ in cands), reverse=True)
    word, _, sentence = cands[0]
    assert sentence == f"paris is the {word} of france." and not one.notes
    two = T.fill_mask(lm, "the <mask> sat on the [mask].", top_k=3)
    assert len(two.candidates) == 2 and all(len(c) == 3 for c in two.candidates) and two.notes


def test_summary_and_translation_write_text(lms):
    lm = lms["t5"]
    s = T.summarize(lm, "the cat sat on the mat. the dog was big.", max_new_tokens=6)
    assert isinstance(s.text, str) and 1 <= s.n_out <= 7 and s.fitted.n_dropped == 0
    t = T.translate(lm, "the cat sat on the mat.", "French")
    assert isinstance(t.text, str) and t.n_out >= 1
    assert t.text == T.translate(lm, "the cat sat on the mat.", "French").text    # deterministic
    with pytest.raises(T.InputError, match="German, French, Romanian"):
        T.translate(lm, "hello", "Klingon")
    with pytest.raises(T.InputError):
        T.summarize(lm, "")
    long = T.summarize(lm, "the cat sat on the mat. " * 120, max_new_tokens=3)
    assert long.fitted.n_dropped > 0
