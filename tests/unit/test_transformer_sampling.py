"""Temperature, top-k, top-p and one-token-at-a-time generation with a tiny local GPT-2."""
import numpy as np
import pytest

from playground.language import models as M
from playground.transformer import attention as A, sampling as S
from tests import language_models as LMB

float32_torch = LMB.float32_fixture()
LOGITS = np.array([3.0, 2.0, 1.0, 0.5, 0.0, -1.0, -2.0])


def test_temperature_changes_entropy():
    h = [S.entropy(S.reshape(LOGITS, t)) for t in (0.25, 0.5, 1.0, 2.0, 5.0)]
    assert h == sorted(h) and h[0] < 0.5 < h[-1] < np.log2(LOGITS.size)
    np.testing.assert_allclose(S.reshape(LOGITS, 1.0), S.softmax(LOGITS))
    assert S.reshape(LOGITS, 0.0).tolist() == [1, 0, 0, 0, 0, 0, 0]      # greedy
    assert S.entropy(np.ones(8) / 8) == pytest.approx(3.0)


def test_top_k_and_top_p_masks():
    p = S.softmax(LOGITS)
    q = S.reshape(LOGITS, 1.0, top_k=3)
    assert (q > 0).sum() == 3 and q.sum() == pytest.approx(1) and (q[:3] > p[:3]).all()
    np.testing.assert_allclose(q[:3], p[:3] / p[:3].sum())
    # p = [.61 .22 .08 .05 ...]: top-p 0.5 keeps only the first, 0.7 the first two
    assert (S.reshape(LOGITS, 1.0, top_p=0.5) > 0).sum() == 1
    assert (S.reshape(LOGITS, 1.0, top_p=0.7) > 0).sum() == 2
    assert (S.reshape(LOGITS, 1.0, top_p=0.9) > 0).sum() == 3
    assert (S.reshape(LOGITS, 1.0, top_k=2, top_p=0.9) > 0).sum() == 2   # both cuts apply
    assert S.top_p_mask(p, 0.01).sum() == 1 and S.top_k_mask(p, 0).all()


def test_sampling_is_seeded_and_follows_the_distribution():
    p = S.reshape(LOGITS, 1.0, top_k=3)
    draw = lambda seed: [S.choose(p, False, np.random.default_rng(seed)) for _ in range(1)]  # noqa: E731
    assert draw(1) == draw(1)
    rng = np.random.default_rng(0)
    counts = np.bincount([S.choose(p, False, rng) for _ in range(3000)], minlength=p.size)
    assert counts[3:].sum() == 0
    np.testing.assert_allclose(counts[:3] / 3000, p[:3], atol=0.03)
    assert S.choose(p, True, rng) == 0


def test_generate_one_token_at_a_time_with_a_tiny_gpt2():
    lm = M.load(M.REGISTRY["distilgpt2"], LMB.shared()[1]["distilgpt2"], "test")
    ids = S.start(lm, "the cat sat on the")
    rng = np.random.default_rng(0)
    seen = []
    for _ in range(3):
        res, p, tid = S.step(lm, ids, 0.7, 5, 0.9, False, rng)
        assert res.tokens.ids == ids and (p > 0).sum() <= 5 and p[tid] > 0
        assert res.attn.shape[-1] == len(ids)
        assert res.attn.shape[2] == 1                               # the newest token's row
        np.testing.assert_allclose(res.attn[:, :, -1].sum(-1), 1, atol=1e-5)
        seen.append(res.attn[:, :, -1])
        ids = ids + [tid]
    assert len(ids) == len(S.start(lm, "the cat sat on the")) + 3
    again = A.analyse(lm, "", ids=ids[:-1])
    np.testing.assert_allclose(again.logits, res.logits, atol=1e-5)      # same ids, same answer
    c = S.candidates(lm.tokenizer, res.logits, p, 4)
    assert [x.p_model for x in c] == sorted([x.p_model for x in c], reverse=True)
    assert c[0].token_id == int(np.argmax(res.logits))
    long = S.start(lm, "great fun. " * 400)
    assert len(long) == A.MAX_VIEW_TOKENS - S.MAX_NEW_TOKENS
