"""Logit lens, token ranks and direct logit attribution on a tiny random GPT-2 and a tiny
character GPT (random GPT-2 weights: the arithmetic is what is tested)."""
import numpy as np
import pytest
import torch

from playground.language import models as M
from playground.language.tasks import InputError
from playground.transformer import chargpt as C, lens as LL
from tests import language_models as LMB

float32_torch = LMB.float32_fixture()


@pytest.fixture(scope="module")
def gpt2():
    return M.load(M.REGISTRY["distilgpt2"], LMB.shared()[1]["distilgpt2"], "test")


@pytest.fixture(scope="module")
def chars():
    tok = C.CharTokenizer("In the beginning God created the heaven and the earth.\n")
    model = C.build(tok, seed=0, n_layer=3, n_head=2, n_embd=16).eval()
    return M.LoadedLM(C.SPEC, model, tok)


@pytest.mark.parametrize("which", ["gpt2", "chars"])
def test_last_layer_of_the_lens_is_the_models_output(which, request):
    lm = request.getfixturevalue(which)
    text = "the cat sat on the mat" if which == "gpt2" else "In the beginning"
    res = LL.run(lm, text)
    with torch.inference_mode():
        out = lm.model(input_ids=torch.tensor([res.tokens.ids])).logits[0].numpy()
    assert res.logits.shape == (lm.model.config.n_layer + 1, len(res.tokens), out.shape[-1])
    np.testing.assert_allclose(res.logits[-1], out, atol=1e-4)
    # the earlier layers are different readings, not copies of the output
    assert np.abs(res.logits[0] - out).max() > 1e-2
    # the direct contributions add up to the final logit of any token
    for t in (int(out[-1].argmax()), 3):
        total = res.head_attribution(t).sum() + sum(res.parts(t).values())
        assert total == pytest.approx(float(out[-1, t]), abs=1e-3)


def test_ranks_and_top_guesses(chars):
    res = LL.run(chars, "God created")
    best = int(res.logits[-1, -1].argmax())
    assert res.rank(best)[-1] == 0 and res.top(1)[-1, -1, 0] == best
    worst = int(res.logits[0, -1].argmin())
    assert res.rank(worst)[0] == res.logits.shape[-1] - 1
    layer = LL.first_layer_on_top(res)
    assert layer is not None and (res.top(1)[layer:, -1, 0] == best).all()
    if layer > 0:
        assert res.top(1)[layer - 1, -1, 0] != best


def test_head_sentence_follows_the_numbers():
    dla = np.array([[0.5, -2.0], [3.0, 0.1]])
    s = LL.describe_heads(dla, "x", k=1)
    assert "toward “x” most: layer 1 head 0 (+3.00)" in s and "against it most: layer 0 head 1" in s
    s = LL.describe_heads(-dla, "x", k=1)
    assert "toward “x” most: layer 0 head 1 (+2.00)" in s and "against it most: layer 1 head 0" in s


def test_bad_input_is_explained(chars):
    with pytest.raises(InputError):
        LL.run(chars, "   ")
    with pytest.raises(InputError):
        LL.run(chars, "x" * 10_000)


def test_embedding_row_sentence_counts_repeats(chars):
    res = LL.run(chars, "God created")
    n = len(res.tokens)
    res.logits[0] = -10.0
    res.logits[0, np.arange(n), res.tokens.ids] = 10.0              # guess = the token read
    assert f"at {n} of {n} positions: the input and output" in LL.describe_embedding_row(res)
    res.logits[0, np.arange(n), res.tokens.ids] = -20.0             # never the token read
    assert LL.describe_embedding_row(res).endswith(f"at 0 of {n} positions.")
