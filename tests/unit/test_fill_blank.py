"""Fill in the blank with the app's own left-to-right GPT: ranking by the whole sentence's
probability, computed exactly, and every bad input explained."""
import math

import pytest
import torch

from playground.language.tasks import InputError
from playground.threads import few_threads
from playground.transformer import chargpt as C, fill_blank as FB
from tests import language_models as LMB

float32_torch = LMB.float32_fixture()
TEXT = "In the beginning God created the heaven and the earth. " * 40
SENTENCE = "In the beginning God created the heaven and the [MASK]."


@pytest.fixture(scope="module")
def lm():
    with few_threads():
        return C.train_gpt(seed=0, steps=150, batch=8, text=TEXT, n_layer=1, n_head=2, n_embd=16,
                           sample_chars=5).lm


def test_the_sentence_seen_in_training_ranks_above_nonsense(lm):
    r = FB.rank(lm, SENTENCE, "htrae, earth, gninnigeb")
    assert r.typed and [row.word for row in r.rows][0] == "earth"
    assert r.best.sentence == "In the beginning God created the heaven and the earth."
    assert sum(row.share for row in r.rows) == pytest.approx(1.0)
    assert r.rows[0].logprob > r.rows[1].logprob >= r.rows[2].logprob
    assert "“earth”" in FB.verdict(r) and "among these 3 words" in FB.verdict(r)


@pytest.mark.parametrize("chunk", [7, FB.CHUNK])
def test_total_log_probability_is_the_sum_of_the_models_steps(lm, chunk, monkeypatch):
    """Computed independently: one forward pass per character on the (at most 64) before it."""
    monkeypatch.setattr(FB, "CHUNK", chunk)             # windows in many passes or in one
    text = ("And the earth was without form, and void; and darkness was upon the face of the "
            "[MASK]. And God said, Let there be light: and there was light.")
    r = FB.rank(lm, text, "heaven, earth")
    assert len(text) > 2 * C.BLOCK
    for row in r.rows:
        ids = lm.tokenizer.ids(FB.START + row.sentence)
        total = 0.0
        with torch.inference_mode():
            for t in range(1, len(ids)):
                ctx = ids[max(0, t - C.BLOCK):t]
                logits = lm.model(input_ids=torch.tensor([ctx])).logits[0, -1].double()
                total += float(torch.log_softmax(logits, -1)[ids[t]])
        assert row.logprob == pytest.approx(total, abs=1e-4)
        assert row.per_char == pytest.approx(total / (len(ids) - 1), abs=1e-6)


def test_default_candidates_are_the_most_frequent_training_words(lm):
    assert FB.frequent_words("b a b c c c", 2) == ["c", "b"]
    r = FB.rank(lm, SENTENCE, "", TEXT, k=3)
    assert not r.typed and r.pool == len(FB.frequent_words(TEXT)) and len(r.rows) == 3
    assert {row.word for row in r.rows} <= set(FB.frequent_words(TEXT))
    every = FB.rank(lm, SENTENCE, ", ".join(FB.frequent_words(TEXT)))   # the same words, typed
    assert [row.word for row in every.rows[:3]] == [row.word for row in r.rows]


def test_the_verdict_follows_the_numbers():
    rows = [FB.Scored("land", "", -10.0, -1.0, 0.75), FB.Scored("sea", "", -11.1, -1.1, 0.25)]
    text = FB.verdict(FB.Ranking(rows, True))
    assert "prefers “land” (75% among these 2 words)" in text and "3.0 times" in text
    rows = [FB.Scored("sea", "", -1.0, -1.0, 0.99), FB.Scored("land", "", -20.0, -1.0, 0.01)]
    assert "prefers “sea”" in (text := FB.verdict(FB.Ranking(rows, True))) and "far ahead" in text


@pytest.mark.parametrize("text, words, says", [
    ("no blank here", "a", "Put [MASK]"),
    ("", "a", "Type a sentence"),
    ("[MASK] and ___", "a", "one blank at a time (2 found)"),
    ("x" * 10_000 + " [MASK]", "a", "under 200 characters"),
    (SENTENCE, "  , ,", "Type some candidate words"),
    (SENTENCE, ",".join(f"w{i}" for i in range(13)), "At most 12 candidates"),
    (SENTENCE, "e" * 30, "at most 20 characters"),
    (SENTENCE, "earth, café, 🙂", "never saw"),
], ids=["no-blank", "empty", "two-blanks", "10000-chars", "no-words", "13-words", "long-word",
        "odd-characters"])
def test_bad_inputs_are_explained(lm, text, words, says):
    with pytest.raises(InputError) as err:
        FB.rank(lm, text, words, TEXT)
    assert says in str(err.value) and len(str(err.value)) < 300


def test_unknown_characters_in_the_sentence_are_a_note_not_an_error(lm):
    r = FB.rank(lm, "Ω the [MASK].", "earth, heaven")
    assert len(r.rows) == 2 and any("never saw" in n for n in r.notes)
    assert all(math.isfinite(row.logprob) for row in r.rows)
