"""Hugging Face model folders built locally, offline: tiny ones for tests, full-size stand-ins.

Each folder is what ``save_pretrained`` writes (config.json, model.safetensors, tokenizer files,
and for Whisper the feature extractor and generation config), named ``<owner>--<name>`` after
the registry's hub id, so a directory of them works as ``$PLAYGROUND_HF_DIR``. The weights are
random: the real loading and pipeline code runs, the answers are meaningless. ``full=True``
builds the real architectures (same parameter counts as the pretrained models) with a synthetic
vocabulary of the real size, for memory measurements. Never real weights.
"""
from __future__ import annotations

import threading
from pathlib import Path

from playground.language import models as M

WORDS = ("the a an and or not is was are were be it this that movie film book food day i you he "
         "she we they love hate like great good bad terrible awful wonderful boring fun very so "
         "paris capital of france city cat dog sat on mat house big small red blue green happy "
         "sad summary text short long translate english to german french romanian summarize "
         "hello world speech test one two three").split()
PUNCT = list(".,!?:;'\"-()")
TINY_WHISPER_SECONDS = 4
LANG_CODES = ("en", "de", "fr", "es", "it", "nl", "pt", "pl", "tr")
_LOCK = threading.Lock()


def _vocab(specials: list[str], size: int | None) -> dict:
    tokens = specials + WORDS + PUNCT
    if size:
        tokens += [f"w{i}" for i in range(size - len(tokens))]
    return {t: i for i, t in enumerate(tokens)}


def _bert_tokenizer(size: int | None, segments: bool = False):
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = _vocab(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"], size)
    tok = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", vocab["[CLS]"]), ("[SEP]", vocab["[SEP]"])])
    tok.decoder = decoders.WordPiece()
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]",
                                   cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]",
                                   model_max_length=512,
                                   model_input_names=["input_ids", "attention_mask"]
                                   + (["token_type_ids"] if segments else [])), len(vocab)


def _gpt2_tokenizer(size: int | None):
    """A byte-level BPE like GPT-2's: any text (emoji, accents, other scripts) has tokens."""
    from tokenizers import ByteLevelBPETokenizer
    from transformers import GPT2TokenizerFast

    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator([" ".join(WORDS + PUNCT)] * 20, vocab_size=size or 400, min_frequency=1,
                            special_tokens=["<|endoftext|>"], show_progress=False)
    tok = GPT2TokenizerFast(tokenizer_object=bpe._tokenizer, unk_token="<|endoftext|>",
                            bos_token="<|endoftext|>", eos_token="<|endoftext|>", model_max_length=1024)
    return tok, len(tok)


def _t5_tokenizer(size: int | None):
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    vocab = _vocab(["<pad>", "</s>", "<unk>"], size)
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(),
                                                 pre_tokenizers.Punctuation()])
    tok.post_processor = processors.TemplateProcessing(single="$A </s>", special_tokens=[("</s>", 1)])
    tok.decoder = decoders.WordPiece(prefix="##")
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="<unk>", pad_token="<pad>",
                                   eos_token="</s>", model_max_length=512,
                                   model_input_names=["input_ids", "attention_mask"]), len(vocab)


def _whisper_parts(size: int | None, chunk_seconds: int = 30):
    from tokenizers import ByteLevelBPETokenizer
    from transformers import GenerationConfig, WhisperFeatureExtractor, WhisperTokenizerFast

    specials = (["<|endoftext|>", "<|startoftranscript|>"] + [f"<|{c}|>" for c in LANG_CODES]
                + ["<|translate|>", "<|transcribe|>", "<|startoflm|>", "<|startofprev|>",
                   "<|nocaptions|>", "<|notimestamps|>"])
    bpe = ByteLevelBPETokenizer()
    bpe.train_from_iterator([" ".join(WORDS)] * 20, vocab_size=size or 400, min_frequency=1,
                            special_tokens=specials, show_progress=False)
    tok = WhisperTokenizerFast(tokenizer_object=bpe._tokenizer, unk_token="<|endoftext|>",
                               bos_token="<|endoftext|>", eos_token="<|endoftext|>",
                               pad_token="<|endoftext|>", additional_special_tokens=specials[1:])
    ids = {t: tok.convert_tokens_to_ids(t) for t in specials}
    gen = GenerationConfig(
        decoder_start_token_id=ids["<|startoftranscript|>"], eos_token_id=ids["<|endoftext|>"],
        pad_token_id=ids["<|endoftext|>"], bos_token_id=ids["<|endoftext|>"],
        no_timestamps_token_id=ids["<|notimestamps|>"], is_multilingual=True,
        max_length=448 if size else 24,
        lang_to_id={f"<|{c}|>": ids[f"<|{c}|>"] for c in LANG_CODES},
        task_to_id={"transcribe": ids["<|transcribe|>"], "translate": ids["<|translate|>"]})
    return tok, ids, gen, WhisperFeatureExtractor(feature_size=80, chunk_length=chunk_seconds)


def build(key: str, full: bool = False, seed: int = 0):
    """(model, tokenizer, extra parts to save) for registry entry ``key``."""
    import torch
    import transformers as T

    spec = M.REGISTRY[key]
    torch.manual_seed(seed)
    if spec.task in ("sentiment", "fill-mask"):
        tok, n = _bert_tokenizer(30522 if full else None)
        kw = {} if full else {"dim": 32, "hidden_dim": 64, "n_layers": 2, "n_heads": 2}
        if spec.task == "sentiment":
            kw.update(num_labels=2, id2label={0: "NEGATIVE", 1: "POSITIVE"},
                      label2id={"NEGATIVE": 0, "POSITIVE": 1})
        cls = T.DistilBertForSequenceClassification if spec.task == "sentiment" else T.DistilBertForMaskedLM
        return cls(T.DistilBertConfig(vocab_size=30522 if full else n, pad_token_id=0, **kw)), tok, []
    if spec.task == "encoder":
        tok, n = _bert_tokenizer(30522 if full else None, segments=True)
        kw = {} if full else {"hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 2,
                              "intermediate_size": 64}
        return T.BertModel(T.BertConfig(vocab_size=30522 if full else n, pad_token_id=0, **kw)), tok, []
    if spec.task == "causal-lm":
        tok, n = _gpt2_tokenizer(50257 if full else None)
        kw = {"n_layer": 6} if full else {"n_embd": 32, "n_layer": 2, "n_head": 2}
        cfg = T.GPT2Config(vocab_size=50257 if full else n, bos_token_id=tok.eos_token_id,
                           eos_token_id=tok.eos_token_id, **kw)
        return T.GPT2LMHeadModel(cfg), tok, []
    if spec.task == "seq2seq":
        tok, n = _t5_tokenizer(32100 if full else None)
        kw = {} if full else {"d_model": 32, "d_kv": 8, "d_ff": 64, "num_layers": 2, "num_heads": 2}
        cfg = T.T5Config(vocab_size=32128 if full else n, decoder_start_token_id=0, pad_token_id=0,
                         eos_token_id=1, **kw)
        return T.T5ForConditionalGeneration(cfg), tok, []
    # the tiny one hears 4-second windows (400 frames) instead of 30 s: 8× less encoder work
    tok, ids, gen, fe = _whisper_parts(51865 if full else None, 30 if full else TINY_WHISPER_SECONDS)
    kw = {} if full else {"encoder_layers": 1, "decoder_layers": 1, "encoder_attention_heads": 2,
                          "decoder_attention_heads": 2, "d_model": 16, "encoder_ffn_dim": 32,
                          "decoder_ffn_dim": 32, "max_source_positions": 50 * TINY_WHISPER_SECONDS,
                          "max_target_positions": 24}
    cfg = T.WhisperConfig(vocab_size=51865 if full else len(tok), num_mel_bins=80,
                          decoder_start_token_id=ids["<|startoftranscript|>"],
                          eos_token_id=ids["<|endoftext|>"], pad_token_id=ids["<|endoftext|>"],
                          bos_token_id=ids["<|endoftext|>"], begin_suppress_tokens=None,
                          suppress_tokens=None, **kw)
    model = T.WhisperForConditionalGeneration(cfg)
    model.generation_config = gen
    return model, tok, [fe]


def write(root: Path, keys=None, full: bool = False) -> dict[str, Path]:
    """Save each model under ``root/<owner>--<name>``; returns {key: folder}. Reuses folders."""
    import torch

    M.quiet()
    out = {}
    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)     # float32 weights even if a test switched to float64
    try:
        _write(root, keys, full, out)
    finally:
        torch.set_default_dtype(old)
    return out


def _write(root: Path, keys, full: bool, out: dict):
    with _LOCK:
        for key in keys or list(M.REGISTRY):
            folder = Path(root) / M.REGISTRY[key].hub_id.replace("/", "--")
            if not (folder / "model.safetensors").is_file():
                model, tok, extra = build(key, full)
                folder.mkdir(parents=True, exist_ok=True)
                for part in [tok, *extra]:
                    part.save_pretrained(folder)
                model.save_pretrained(folder, safe_serialization=True)
            out[key] = folder


_SHARED: dict = {}


def shared() -> tuple[Path, dict[str, Path]]:
    """(directory, {key: folder}) of the tiny models, built once per test process and removed at
    exit; the directory works as ``$PLAYGROUND_HF_DIR``."""
    import atexit
    import shutil
    import tempfile

    with _LOCK:
        if "root" not in _SHARED:
            root = Path(tempfile.mkdtemp(prefix="tiny_hf_"))
            atexit.register(shutil.rmtree, root, True)
            _SHARED["root"] = root
    root = _SHARED["root"]
    return root, write(root)


def _float32_torch():
    """Run a test with torch's default dtype float32, as in the app (tests/unit/test_engine.py
    switches the whole test process to float64 when it is imported)."""
    import torch

    old = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)
    try:
        yield
    finally:
        torch.set_default_dtype(old)


def float32_fixture():
    """An autouse fixture for a test module: ``float32_torch = LMB.float32_fixture()``."""
    import pytest

    return pytest.fixture(autouse=True)(_float32_torch)
