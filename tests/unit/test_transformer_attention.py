"""Attention of tiny local BERT / GPT-2 folders loaded through the real from_pretrained path."""
import numpy as np
import pytest
import torch

from playground.language import models as M
from playground.language.tasks import InputError
from playground.transformer import attention as A, figures as F
from playground.vision import explain as E
from tests import language_models as LMB

float32_torch = LMB.float32_fixture()


@pytest.fixture(scope="module")
def lms():
    folders = LMB.shared()[1]
    return {k: M.load(M.REGISTRY[k], folders[k], "test") for k in ("bert", "distilgpt2")}


def test_loaded_with_eager_attention_and_read_only(lms):
    for lm in lms.values():
        assert lm.model.config._attn_implementation == "eager"
        assert not lm.model.training and all(not p.requires_grad for p in lm.model.parameters())


def test_shapes_and_rows_sum_to_one(lms):
    for key, lm in lms.items():
        res = A.analyse(lm, "the cat sat on the mat.")
        L, H = lm.model.config.num_hidden_layers, lm.model.config.num_attention_heads
        T = len(res.tokens)
        assert res.attn.shape == (L, H, T, T) and (L, H) == (2, 2)
        np.testing.assert_allclose(res.attn.sum(-1), 1.0, atol=1e-5)
        assert res.notice() is None and res.n_dropped == 0
    bert = A.analyse(lms["bert"], "the cat sat.")
    assert bert.tokens.pieces[0] == "[CLS]" and bert.tokens.pieces[-1] == "[SEP]"
    assert bert.tokens.special[0] and not bert.tokens.special[1] and bert.logits is None
    gpt = A.analyse(lms["distilgpt2"], "the cat sat.")
    assert gpt.causal and gpt.logits.shape == (lms["distilgpt2"].model.config.vocab_size,)
    assert np.allclose(np.triu(gpt.attn, 1), 0)                 # no looking ahead
    assert not np.allclose(np.triu(bert.attn, 1), 0)


def test_long_text_is_cut_with_a_notice(lms):
    res = A.analyse(lms["bert"], "great fun. " * 300)            # 900 tokens
    assert len(res.tokens) == 512 and res.n_tokens == 900 and res.n_dropped == 900 - 510
    assert "390 tokens were cut off" in res.notice() and "at most 512" in res.notice()
    gpt = A.analyse(lms["distilgpt2"], "great fun. " * 400)      # GPT-2 reads 1024; shown: 512
    assert len(gpt.tokens) == A.MAX_VIEW_TOKENS == 512 and gpt.n_dropped == gpt.n_tokens - 512 > 0
    assert "shows at most 512 (the model itself reads up to 1,024)" in gpt.notice()


def test_emoji_accents_and_other_scripts(lms):
    text = "Café naïve 😀 東京 Москва"
    for lm in lms.values():
        res = A.analyse(lm, text)
        np.testing.assert_allclose(res.attn.sum(-1), 1.0, atol=1e-5)
        shown = "".join(s for s, sp in zip(res.tokens.shown, res.tokens.special) if not sp)
        for part in ("Caf", "😀", "東", "Москва"):
            assert part in shown                               # tokens point back into the text
    gpt = A.analyse(lms["distilgpt2"], "😀")
    assert len(gpt.tokens) > 1                                   # one emoji, several byte tokens


def test_sentence_pair_gets_segments(lms):
    res = A.analyse(lms["bert"], "the cat sat.", "it was happy.")
    seg, pieces = res.tokens.segments, res.tokens.pieces
    assert pieces.count("[SEP]") == 2 and seg[0] == 0 and seg[-1] == 1
    first_b = pieces.index("[SEP]") + 1
    assert set(seg[:first_b]) == {0} and set(seg[first_b:]) == {1}
    assert [r["segment"] for r in res.tokens.rows()][-1] == "B"
    one = A.analyse(lms["bert"], "the cat sat.")
    assert set(one.tokens.segments) == {0}
    with pytest.raises(InputError, match="pairs"):
        A.analyse(lms["distilgpt2"], "a", "b")


def test_compact_and_last_row_only(lms):
    full = A.analyse(lms["distilgpt2"], "the cat sat on the mat.")
    small = A.analyse(lms["distilgpt2"], "the cat sat on the mat.", compact=True)
    assert small.attn.dtype == np.float16 and full.attn.dtype == np.float32
    np.testing.assert_allclose(small.attn, full.attn, atol=1e-3)
    last = A.analyse(lms["distilgpt2"], "", ids=full.tokens.ids, last_only=True)
    assert last.attn.shape == full.attn.shape[:2] + (1, len(full.tokens))
    np.testing.assert_allclose(last.attn[:, :, 0], full.attn[:, :, -1], atol=1e-6)
    np.testing.assert_allclose(last.logits, full.logits, atol=1e-5)


def test_empty_text_asks_for_text(lms):
    for lm in lms.values():
        with pytest.raises(InputError, match="Type"):
            A.analyse(lm, "   ")


def test_summaries_rollout_is_the_shared_function(lms):
    res = A.analyse(lms["bert"], "the cat sat on the mat.")
    roll = A.rollout(res.attn)
    np.testing.assert_allclose(roll.sum(-1), 1.0, atol=1e-5)
    np.testing.assert_allclose(roll, E.rollout_matrix(list(res.attn)).numpy())
    # by hand: two layers, head mean, + I, renormalise, second layer times first
    m = [a.mean(0) + np.eye(a.shape[-1]) for a in res.attn]
    m = [x / x.sum(-1, keepdims=True) for x in m]
    np.testing.assert_allclose(roll, m[1] @ m[0], atol=1e-5)
    np.testing.assert_allclose(A.head_mean(res.attn, 1), res.attn[1].mean(0))
    top = A.top_attended(res.attn, 2, k=3)
    assert len(top) == 2 and all(len(r) == 3 for r in top)
    row = res.attn[0, :, 2].mean(0)
    assert top[0][0] == (int(row.argmax()), pytest.approx(float(row.max())))
    assert [w for _, w in top[1]] == sorted([w for _, w in top[1]], reverse=True)


def test_vit_class_token_attention_per_head():
    a = torch.rand(2, 3, 5, 5).softmax(-1)                      # 2 layers, 3 heads, cls + 2×2
    g = E.cls_attention([a[0], a[1]], -1, 1)
    want = a[1, 1, 0, 1:] - a[1, 1, 0, 1:].min()
    np.testing.assert_allclose(g, (want / want.max()).reshape(2, 2).numpy(), atol=1e-6)
    assert E.cls_attention([a[0], a[1]], 0).shape == (2, 2)
    assert E.upsample(g, (8, 8)).shape == (8, 8)


def test_figures(lms):
    res = A.analyse(lms["bert"], "the cat sat on the the mat.")
    labels = res.tokens.labels()
    heat = F.head_heatmap(res.attn[0, 0], labels, "x")
    assert len(heat["data"][0]["z"]) == len(labels)
    assert heat["layout"]["xaxis"]["ticktext"] == labels       # the two "the" stay apart
    grid = F.model_grid(res.attn, (1, 0))
    assert len(grid["data"][0]["x"]) == 4 and grid["layout"]["images"][0]["source"].startswith("data:image/png")
    lines = F.lines_view(res.attn[0, 0], labels, "x", focus=3, min_weight=0.0)
    dots = lines["data"][-3]
    assert len(dots["x"]) == len(labels)                         # one hover dot per link of #3
    assert all(t.startswith(f"“{labels[3]}”") for t in dots["text"])
    allv = F.lines_view(res.attn[0, 0], labels, "x", min_weight=0.0)
    n_links = sum(len(t["x"]) // 3 for t in allv["data"] if t["mode"] == "lines")
    assert n_links == len(labels) ** 2
    tb = F.token_by_layer(A.attended_by_layer(res.attn, 2), labels, 2)
    assert sum(bool(t) for t in tb["data"][0]["text"][0]) == 3


def test_newest_token_history_figure():
    labels = ["a", "b", "c", "d"]
    steps = {2: np.array([[0.5, 0.5], [0.2, 0.8]]), 3: np.array([[0.1, 0.2, 0.7], [0.3, 0.3, 0.4]])}
    fig = F.newest_by_step(steps, labels, layer=1)
    z = fig["data"][0]["z"]
    assert z == [[0.2, 0.8, None, None], [0.3, 0.3, 0.4, None]]
    assert fig["layout"]["yaxis"]["ticktext"] == ["#1 b", "#2 c"]


def test_token_strip_wraps_and_colours_segments(lms):
    res = A.analyse(lms["bert"], "the cat sat on the mat. " * 6, "it was happy.")
    fig = F.token_strip(res.tokens, width=40)
    shapes = fig["layout"]["shapes"]
    assert len(shapes) == len(res.tokens) == len(fig["data"][0]["text"])
    assert max(s["x1"] for s in shapes) <= 40 and len({s["y0"] for s in shapes}) > 3   # wrapped
    seg_b = [s["fillcolor"] for s, g, sp in zip(shapes, res.tokens.segments, res.tokens.special)
             if g == 1 and not sp]
    assert seg_b and all(c in ("#fdd9b5", "#fbb982") for c in seg_b)
    assert shapes[0]["fillcolor"] == "#d9d9d9"                  # [CLS]
