"""The pretrained language and speech models we offer, and loading one folder into memory.

A loaded model is read-only and shared by every session of the server: ``model.eval()``, no
gradients, float32, and each inference runs under the model's own lock (fast tokenizers are
not safe to call from two threads at once). Weights are read with ``use_safetensors=True`` and
``trust_remote_code`` stays off: nothing in a model folder can run code.

Sizes are the safetensors download; parameter counts are those of the architecture (the same
numbers :func:`random_model` reproduces from the registry's config, see the tests).
"""
from __future__ import annotations

import inspect
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .hub import ModelError

_log = logging.getLogger(__name__)

AUTO_CLASS = {"sentiment": "AutoModelForSequenceClassification", "fill-mask": "AutoModelForMaskedLM",
              "seq2seq": "AutoModelForSeq2SeqLM", "asr": "AutoModelForSpeechSeq2Seq",
              "encoder": "AutoModel", "causal-lm": "AutoModelForCausalLM"}
TASK_WORDS = {"sentiment": "text classification", "fill-mask": "filling in masked words",
              "seq2seq": "summaries and translation (it is not an encoder-decoder model)",
              "asr": "speech recognition (Whisper models only)",
              "encoder": "showing attention", "causal-lm": "next-token prediction"}
ATTENTION_TASKS = ("encoder", "causal-lm")   # loaded with eager attention: weights can be returned
PIPELINE = {"sentiment": "text-classification", "fill-mask": "fill-mask",
            "asr": "automatic-speech-recognition"}


@dataclass(frozen=True)
class HFModel:
    key: str
    label: str
    task: str                     # sentiment | fill-mask | seq2seq | asr | encoder | causal-lm
    hub_id: str
    size_mb: float                # download size of the weights
    params: int                   # parameters of the architecture
    license: str
    blurb: str
    arch: str                     # transformers model class
    config: tuple                 # (config class, ((key, value), ...)) of the architecture
    max_tokens: int = 512         # input limit (tokens, special tokens included)
    cost_note: str = ""

    @property
    def short(self) -> str:
        return self.hub_id.split("/")[-1]


REGISTRY: dict[str, HFModel] = {m.key: m for m in [
    HFModel("sentiment", "DistilBERT fine-tuned on SST-2", "sentiment",
            "distilbert/distilbert-base-uncased-finetuned-sst-2-english", 268, 66_955_010,
            "Apache-2.0", "A 6-layer BERT trained to tell positive from negative movie-review "
            "sentences; reads at most 512 tokens.", "DistilBertForSequenceClassification",
            ("DistilBertConfig", (("num_labels", 2),)),
            cost_note="One pass over the tokens: the cost grows with the length of the text."),
    HFModel("fill_mask", "DistilBERT (masked language model)", "fill-mask",
            "distilbert/distilbert-base-uncased", 268, 66_985_530, "Apache-2.0",
            "The same 6-layer BERT before fine-tuning: it was trained to guess hidden words.",
            "DistilBertForMaskedLM", ("DistilBertConfig", ()),
            cost_note="One pass over the tokens; the output layer scores all 30,522 words of "
                      "the vocabulary at every position."),
    HFModel("t5", "T5-small (summaries and translation)", "seq2seq", "google-t5/t5-small", 242,
            60_506_624, "Apache-2.0", "One text-to-text model for summaries (“summarize: …”) and "
            "English → German, French or Romanian (“translate English to German: …”).",
            "T5ForConditionalGeneration", ("T5Config", ()),
            cost_note="The encoder reads the text once; the decoder then runs once per word it "
                      "writes, so long outputs cost more than long inputs."),
    HFModel("whisper", "Whisper tiny (speech to text)", "asr", "openai/whisper-tiny", 151,
            37_760_640, "MIT", "OpenAI's smallest multilingual speech recogniser (39 M "
            "parameters), 30-second windows.", "WhisperForConditionalGeneration",
            ("WhisperConfig", ()), max_tokens=448,
            cost_note="Whisper pads every clip to 30 s, so the encoder costs the same for one "
                      "word or thirty seconds; the decoder runs once per written token."),
    HFModel("bert", "BERT base uncased (attention)", "encoder", "google-bert/bert-base-uncased", 438,
            109_482_240, "Apache-2.0", "Google's original 12-layer, 12-head BERT encoder: every "
            "token looks at every other token, in both directions; reads at most 512 tokens and "
            "takes sentence pairs (segments A and B).", "BertModel", ("BertConfig", ()),
            cost_note="One pass over the tokens; attention compares every pair of tokens, so it "
                      "grows with the square of the length."),
    HFModel("distilgpt2", "DistilGPT-2 (next-token prediction)", "causal-lm",
            "distilbert/distilgpt2", 328, 81_912_576, "Apache-2.0", "A 6-layer, 12-head GPT-2 "
            "decoder: each token only looks back at earlier tokens, and the model scores every "
            "possible next token; reads at most 1024 tokens.", "GPT2LMHeadModel",
            ("GPT2Config", (("n_layer", 6),)), max_tokens=1024,
            cost_note="One pass per generated token; the output layer scores all 50,257 tokens "
                      "of the vocabulary."),
]}


def by_task(task: str) -> list[HFModel]:
    return [m for m in REGISTRY.values() if m.task == task]


def quiet():
    """transformers without progress bars and warnings in the server log."""
    import transformers

    transformers.utils.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()


@dataclass
class LoadedLM:
    spec: HFModel
    model: object
    tokenizer: object
    pipe: object = None           # a transformers pipeline (sentiment, fill-mask, asr)
    feature_extractor: object = None
    source: str = ""              # "your folder", "teacher's folder", "Hugging Face cache", ...
    path: str = ""
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def ident(self) -> str:
        return f"{self.spec.key}:{self.path}"

    @property
    def n_params(self) -> int:
        return int(sum(p.numel() for p in self.model.parameters()))


def _check_task(spec: HFModel, model, tokenizer):
    cfg = model.config
    archs = " ".join(getattr(cfg, "architectures", None) or [])
    if spec.task == "sentiment" and (len(getattr(cfg, "id2label", {}) or {}) < 2
                                     or (archs and "SequenceClassification" not in archs)):
        raise ModelError("This model was not fine-tuned for text classification (it is a "
                         f"{archs or 'model without a classification head'}).")
    if spec.task == "fill-mask" and not getattr(tokenizer, "mask_token", None):
        raise ModelError("This tokenizer has no mask token; choose a masked language model.")
    if spec.task == "seq2seq" and not getattr(cfg, "is_encoder_decoder", False):
        raise ModelError("This is not an encoder-decoder (sequence-to-sequence) model.")
    if spec.task == "causal-lm" and not any(w in archs for w in ("CausalLM", "LMHeadModel")):
        raise ModelError("This is not a decoder that predicts the next token (it is a "
                         f"{archs or 'model without a language-model head'}); choose e.g. GPT-2.")
    if spec.task == "encoder" and getattr(cfg, "is_encoder_decoder", False):
        raise ModelError("Choose an encoder such as BERT (this is an encoder-decoder model).")
    if spec.task == "asr" and getattr(cfg, "model_type", "") != "whisper":
        raise ModelError("This app transcribes with Whisper models only.")


def load(spec: HFModel, path: str | Path, source: str = "") -> LoadedLM:
    """Load a model folder (see :func:`playground.language.hub.check_folder`) for ``spec``'s task.

    Any failure — a config.json with wrong types, broken weights, an odd tokenizer — is a
    ModelError whose text names neither the folder nor the file contents (the details go to
    the server log)."""
    try:
        return _load(spec, str(path), source)
    except ModelError:
        raise
    except MemoryError:
        raise ModelError("This server does not have enough free memory for this model right "
                         "now.") from None
    except Exception as exc:   # transformers and huggingface_hub raise many kinds of errors
        _log.warning("loading %s from %s failed", spec.key, path, exc_info=True)
        if "Unrecognized configuration class" in str(exc):
            raise ModelError(f"The model in this folder cannot be used for {TASK_WORDS[spec.task]}"
                             f" ({type(exc).__name__}).") from None
        raise ModelError(f"The model in this folder could not be loaded as a {spec.task} model "
                         f"({type(exc).__name__}); check that its config.json and weights were "
                         "written by save_pretrained().") from None


def _load(spec: HFModel, path: str, source: str) -> LoadedLM:
    import torch
    import transformers

    quiet()
    t0 = time.perf_counter()
    tokenizer = transformers.AutoTokenizer.from_pretrained(path, local_files_only=True)
    cls = getattr(transformers, AUTO_CLASS[spec.task])
    extra = {"attn_implementation": "eager"} if spec.task in ATTENTION_TASKS else {}
    model = cls.from_pretrained(path, use_safetensors=True, local_files_only=True, **extra)
    _check_task(spec, model, tokenizer)
    if any(p.dtype != torch.float32 for p in model.parameters()):
        model = model.float()
    model.eval()
    model.requires_grad_(False)
    fe, pipe = None, None
    if spec.task == "asr":
        fe = transformers.AutoFeatureExtractor.from_pretrained(path, local_files_only=True)
        pipe = transformers.pipeline(PIPELINE["asr"], model=model, tokenizer=tokenizer,
                                     feature_extractor=fe, device="cpu")
    elif spec.task in PIPELINE:
        pipe = transformers.pipeline(PIPELINE[spec.task], model=model, tokenizer=tokenizer, device="cpu")
    return LoadedLM(spec, model, tokenizer, pipe, fe, source, path, time.perf_counter() - t0)


# ---- the architecture alone (for costs: they do not depend on the weight values) -------------
def config_of(spec: HFModel):
    import transformers

    name, kwargs = spec.config
    return getattr(transformers, name)(**dict(kwargs))


def random_model(spec: HFModel, meta: bool = False):
    """``spec``'s architecture with random weights (or on the meta device: shapes only)."""
    import torch
    import transformers

    quiet()
    cls = getattr(transformers, spec.arch)
    if meta:
        with torch.device("meta"):
            model = cls(config_of(spec))
    else:
        torch.manual_seed(0)
        model = cls(config_of(spec))
    model.eval()
    model.requires_grad_(False)
    return model


def _greedy(model, steps: int, start: int, **encoder_inputs):
    """Encoder once, then ``steps`` decoder steps with the key/value cache (no early stop)."""
    import torch

    # transformers ≥ 5.x calls the key/value cache ``cache``, earlier versions ``past_key_values``
    name = "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"
    enc = model.get_encoder()(**encoder_inputs)
    mask = encoder_inputs.get("attention_mask")
    tok, past = torch.full((1, 1), start, dtype=torch.long), None
    for _ in range(steps):
        out = model(encoder_outputs=enc, attention_mask=mask, decoder_input_ids=tok,
                    use_cache=True, **{name: past})
        past, tok = out.get(name), out.logits[:, -1:].argmax(-1)
    return tok


def probe(spec: HFModel, model, tokens: int = 64, out_tokens: int = 32):
    """(fn, description): one standard input through ``model``, identical for real or random
    weights, so every measurement of this architecture is comparable."""
    import torch

    cfg = model.config
    vocab = int(cfg.vocab_size)
    n = min(tokens, int(getattr(cfg, "max_position_embeddings", tokens) or tokens))
    ids = (torch.arange(n, dtype=torch.long) * 7919 % max(vocab - 10, 1) + 5).unsqueeze(0)
    mask = torch.ones_like(ids)
    if spec.task in ("sentiment", "fill-mask", *ATTENTION_TASKS):
        return (lambda: model(input_ids=ids, attention_mask=mask)), f"one text of {n} tokens"
    start = next((int(v) for v in (getattr(cfg, "decoder_start_token_id", None),
                                   getattr(model.generation_config, "decoder_start_token_id", None),
                                   getattr(cfg, "pad_token_id", None)) if v is not None), 0)
    if spec.task == "seq2seq":
        ids2 = (torch.arange(2 * n, dtype=torch.long) * 7919 % max(vocab - 10, 1) + 5).unsqueeze(0)
        m2 = torch.ones_like(ids2)
        return (lambda: _greedy(model, out_tokens, start, input_ids=ids2, attention_mask=m2),
                f"a {2 * n}-token text → {out_tokens} written tokens")
    frames = 2 * int(cfg.max_source_positions)
    feats = torch.randn(1, int(cfg.num_mel_bins), frames, generator=torch.Generator().manual_seed(0),
                        dtype=torch.float32)
    return (lambda: _greedy(model, out_tokens, start, input_features=feats),
            f"30 s of audio ({frames} spectrogram frames) → {out_tokens} written tokens")
