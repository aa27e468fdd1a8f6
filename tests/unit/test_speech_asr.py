"""Whisper transcription through the real pipeline on a tiny local model, fed decoded samples.

The tiny model has random weights, a byte-level BPE tokenizer with Whisper's special tokens and
a 4-second window (instead of 30 s, to keep the test fast): its words are meaningless, but every
step of the real path runs (feature extractor, language and task tokens, generation, decoding)."""
import numpy as np
import pytest

from playground.language import models as M
from playground.speech import asr as ASR
from playground.speech import audio as A
from tests import language_models as LMB

float32_torch = LMB.float32_fixture()   # the app's default dtype, whatever other tests set


@pytest.fixture(scope="module")
def whisper():
    return M.load(M.REGISTRY["whisper"], LMB.shared()[1]["whisper"], "test")


def clip(seconds=2.0, freq=440.0):
    return A.decode(A.encode(A.tone(freq, seconds), 16000), "tone.wav")


def test_feature_extractor_sees_the_decoded_samples(whisper):
    c = clip()
    feats = whisper.feature_extractor(c.samples, sampling_rate=c.sr, return_tensors="np")["input_features"]
    assert feats.shape == (1, 80, 100 * LMB.TINY_WHISPER_SECONDS)
    other = whisper.feature_extractor(clip(freq=2000).samples, sampling_rate=16000,
                                      return_tensors="np")["input_features"]
    assert not np.allclose(feats, other)


def test_transcribe_runs_the_pipeline(whisper):
    c = clip()
    assert ASR.multilingual(whisper)
    out = ASR.transcribe(whisper, c, max_new_tokens=5)
    assert isinstance(out.text, str) and out.seconds > 0 and out.audio_seconds == pytest.approx(2.0)
    assert ASR.transcribe(whisper, c, max_new_tokens=5).text == out.text        # greedy: same text
    german = ASR.transcribe(whisper, c, "german", max_new_tokens=5)
    assert german.language == "german" and isinstance(german.text, str)


def test_token_budget_respects_the_model(whisper):
    # the tiny model writes at most 24 positions; asking for 220 must not raise
    out = ASR.transcribe(whisper, clip(1.0), max_new_tokens=ASR.MAX_NEW_TOKENS)
    assert isinstance(out.text, str)
