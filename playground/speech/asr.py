"""Speech to text with a loaded Whisper model, fed the decoded 16 kHz samples (no ffmpeg)."""
from __future__ import annotations

import time
from dataclasses import dataclass

from ..language.models import LoadedLM
from .audio import Clip

LANGUAGES = {"auto": "Detect the language", "english": "English", "german": "German",
             "french": "French", "spanish": "Spanish", "italian": "Italian", "dutch": "Dutch",
             "portuguese": "Portuguese", "polish": "Polish", "turkish": "Turkish"}
MAX_NEW_TOKENS = 220          # Whisper writes at most 448 tokens per 30-second window


@dataclass
class Transcript:
    text: str
    seconds: float            # time the model took
    audio_seconds: float
    language: str


def multilingual(lm: LoadedLM) -> bool:
    gc = lm.model.generation_config
    return bool(getattr(gc, "is_multilingual", False) and getattr(gc, "lang_to_id", None))


def transcribe(lm: LoadedLM, clip: Clip, language: str = "auto",
               max_new_tokens: int = MAX_NEW_TOKENS) -> Transcript:
    import torch

    room = int(getattr(lm.model.config, "max_target_positions", 448)) - 8   # minus the prompt
    # greedy decoding: transformers' pipeline would use 5 beams (5× the decoder work) by default
    kwargs = {"max_new_tokens": int(max(1, min(max_new_tokens, room))), "num_beams": 1,
              "do_sample": False}
    if multilingual(lm):
        kwargs["task"] = "transcribe"
        if language != "auto":
            kwargs["language"] = language
    t0 = time.perf_counter()
    with lm.lock, torch.inference_mode():
        out = lm.pipe({"raw": clip.samples, "sampling_rate": clip.sr}, generate_kwargs=kwargs)
    return Transcript(str(out.get("text", "")).strip(), time.perf_counter() - t0, clip.seconds,
                      language)
