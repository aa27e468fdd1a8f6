"""The app's own character GPT: tokenizer, seeded training that learns, generation."""
import math

import numpy as np
import torch

from playground.transformer import attention as A, chargpt as C, sampling as S
from playground.threads import few_threads
from tests import language_models as LMB

float32_torch = LMB.float32_fixture()
TEXT = "In the beginning God created the heaven and the earth. " * 40


def test_char_tokenizer_round_trip_and_unknown_characters():
    tok = C.CharTokenizer(TEXT)
    ids = tok.ids("God made 🙂 Ω")
    assert tok.decode(ids) == "God \ufffdade \ufffd \ufffd"   # no "m", emoji or Ω in the text
    enc = tok("beginning", truncation=True, max_length=4, return_offsets_mapping=True,
              return_special_tokens_mask=True)
    assert tok.decode(enc["input_ids"]) == "begi" and enc["offset_mapping"][-1] == (3, 4)
    assert enc.sequence_ids(0) == [0, 0, 0, 0] and tok.all_special_ids == []


def test_training_is_seeded_learns_and_plugs_into_the_attention_code():
    with few_threads():
        a = C.train_gpt(seed=0, steps=150, batch=8, text=TEXT, n_layer=1, n_head=2, n_embd=16,
                        sample_chars=30)
        b = C.train_gpt(seed=0, steps=150, batch=8, text=TEXT, n_layer=1, n_head=2, n_embd=16,
                        sample_chars=30)
    for p, q in zip(a.lm.model.parameters(), b.lm.model.parameters()):
        assert torch.equal(p, q)
    assert a.val_loss < math.log(len(a.lm.tokenizer)) - 0.5      # far better than a guess
    assert a.sample == b.sample and len(a.sample) == 30
    assert f"{a.val_loss:.2f}" in a.summary
    res = A.analyse(a.lm, "In the beginning")
    assert res.attn.shape == (1, 2, 16, 16) and res.causal
    np.testing.assert_allclose(res.attn.sum(-1), 1, atol=1e-5)
    ids = S.start(a.lm, "In the")
    res, p, tid = S.step(a.lm, ids, 1.0, 0, 1.0, True, np.random.default_rng(0))
    assert tid == int(np.argmax(res.logits))
    assert S.reserve(a.lm) == C.BLOCK // 2
    assert len(S.start(a.lm, "x" * 500, S.reserve(a.lm))) == C.BLOCK // 2
