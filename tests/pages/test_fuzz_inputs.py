"""Hostile input through every text box and upload of every page (AppTest).

Pages are read from app.py and their inputs found on the page itself (``at.text_input``,
``at.text_area``, ``at.file_uploader``), so a new page or a new box is fuzzed without editing
this file. Each page runs with tiny local language models, no vision weights (so the weights
upload and path boxes show) and server paths switched on inside a models folder that holds a
model folder whose config.json has wrong types, a text file named .pth and a pickle that would
run code. An input inside a form is submitted with its form's button.

Every value must end in a page without an exception (the error boundary raises in tests, so an
unforeseen error fails too), without a traceback, and without echoing the server's folders.
"""
from __future__ import annotations

import io
import json
import os
import re
import shutil
import time

import pytest
from PIL import Image

from playground.language import hub as H
from tests import language_models as LMB
from tests.pages.conftest import ROOT

float32_torch = LMB.float32_fixture()

PAGES = re.findall(r'st\.Page\("(pages/[a-z_]+\.py)"', (ROOT / "app.py").read_text())
# Settings (URL parameters) under which a page shows more boxes than with its defaults.
VIEWS = {"pages/recurrent.py": [{"task": "chars"}],
         "pages/vision_detect.py": [{"source": "coco"}],   # photos and weights uploads too
         "pages/language.py": [{"tab": "mask", "model": "own"}]}   # the own GPT's candidate words
STATS = {"inputs": 0, "values": 0}


class _Exploit:
    def __reduce__(self):
        return (os.system, ("touch /tmp/dlp-fuzz-pwned",))


def _pickle_bomb() -> bytes:
    import torch

    buf = io.BytesIO()
    torch.save({"weight": _Exploit()}, buf)
    return buf.getvalue()


def _png(truncate: bool = False) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()[:60] if truncate else buf.getvalue()


def hostile_files() -> list[tuple[str, bytes]]:
    """(file name, bytes): empty, NUL bytes, binary noise, the wrong type under a right name,
    broken encodings, a header-only CSV, a truncated image, a code-running pickle, a huge file."""
    csv16 = ("x1,x2,label\n" + "".join(f"{i % 5},{i % 3},{i % 2}\n" for i in range(20))).encode("utf-16")
    return [("empty.csv", b""), ("nul.wav", b"\x00" * 4096), ("noise.png", os.urandom(4096)),
            ("text.png", b"hello, I am not a picture"), ("image.wav", _png()),
            ("header.csv", b"x1,x2,label\n"), ("excel.csv", b"\xef\xbb\xbf" + b"x1;x2;label\n1;2;0\n"),
            ("utf16.csv", csv16), ("cut.png", _png(truncate=True)), ("evil.pth", _pickle_bomb()),
            ("bad.safetensors", b"\xff" * 64), ("huge.csv", b"1,2,0\n" * 3_600_000)]


def hostile_strings(models: str) -> list[str]:
    """Empty, blank, NUL bytes, 10,000 characters, 10,000-character paths, traversal, paths that
    exist and that do not, symbols, markup, a folder whose config.json has wrong types."""
    return ["", "   ", "\x00", "a\x00b" * 50, "x" * 10_000, "/" + "a" * 10_000, "../" * 50 + "etc/passwd",
            "/root", "/nonexistent/model.pth", "~", "🙂‮ rtl ⁦ زبان 中文", "<script>alert(1)</script>",
            "nan", "-1e309", "[MASK] " * 300, "\r\n" * 2000, os.path.join(models, "broken"),
            os.path.join(models, "notes.pth"), os.path.join(models, "evil.pth")]


@pytest.fixture(scope="module")
def models_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("operator-models")
    _, folders = LMB.shared()
    broken = root / "broken"
    shutil.copytree(folders["sentiment"], broken)
    cfg = json.loads((broken / "config.json").read_text())
    cfg.update(vocab_size="many", n_layers=None, dim=-3)
    (broken / "config.json").write_text(json.dumps(cfg))
    (root / "notes.pth").write_text("not weights")
    (root / "evil.pth").write_bytes(_pickle_bomb())
    return root


@pytest.fixture
def fuzz_env(tiny, models_folder, tmp_path, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_SERVER_PATHS", "1")
    monkeypatch.setenv("PLAYGROUND_MODELS_DIR", str(models_folder))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))      # no vision weights
    monkeypatch.setenv("PLAYGROUND_OFFLINE", "1")
    return models_folder


def _inputs(at):
    return ([("text", w) for w in list(at.text_input) + list(at.text_area) if not w.disabled]
            + [("file", w) for w in at.get("file_uploader")])


def _submit(at, widget):
    form = getattr(widget.proto, "form_id", "")
    if form:
        for b in at.button:
            if getattr(b.proto, "form_id", "") == form and not b.disabled:
                b.click()
                break
    at.run()


def _check(at, page, label, models, typed=""):
    assert not at.exception, f"{page} {label}: {at.exception}"
    shown = [e.value for kind in ("error", "warning", "info", "caption", "markdown", "success")
             for e in at.get(kind) if isinstance(getattr(e, "value", None), str)]
    for text in shown:
        assert "Traceback" not in text, f"{page} {label}: {text[:200]}"
        if not (typed and typed.strip() and typed.strip() in text):   # the visitor's own text
            assert str(models) not in text and str(ROOT) not in text, f"{page} {label} echoes a path"


def _show_uploads(at):
    """Choose “upload” in every radio that offers it (image and audio sources), so the
    uploaders behind them are found too."""
    for r in at.radio:
        labels = [str(o) for o in r.options]
        hit = next((i for i, o in enumerate(labels) if "upload" in o.lower()), None)
        if hit is None or r.disabled or r.index == hit:
            continue
        for raw in ("upload", "file", labels[hit]):          # the option's value behind its label
            try:
                if str(r.format_func(raw)) == labels[hit]:
                    r.set_value(raw)
                    at.run()
                    break
            except Exception:   # noqa: BLE001 - a format function that does not know ``raw``
                continue
    return at


def _find(at, kind, ident):
    return next((w for k, w in _inputs(at) if k == kind and (w.key or w.label) == ident), None)


def _fuzz(at, reopen, page, kind, ident, models):
    """Every hostile value through one input; returns the AppTest (reopened when needed)."""
    values = hostile_strings(str(models)) if kind == "text" else hostile_files()
    for value in values:
        widget = _find(at, kind, ident)
        if widget is None:           # the box went away (e.g. a form was accepted): reopen
            at = reopen()
            widget = _find(at, kind, ident)
            if widget is None:
                break
        if kind == "text":
            widget.set_value(value)
            label = f"{ident}={value[:40]!r}"
        else:
            name, data = value
            allowed = [t for t in (widget.allowed_type or []) if t]
            if allowed and not name.endswith(tuple(allowed)):   # wrong content, right name
                name = os.path.splitext(name)[0] + "." + allowed[0].lstrip(".")
            widget.set_value((name, data, "application/octet-stream"))
            label = f"{ident}<-{name}"
        STATS["values"] += 1
        _submit(at, widget)
        _check(at, page, label, models, value if kind == "text" else "")
    widget = _find(at, kind, ident) if kind == "file" else None
    if widget is not None:           # leave no upload behind for the next input
        widget.set_value(None)
        at.run()
    return at


@pytest.mark.parametrize("page", PAGES)
def test_hostile_input_never_breaks_a_page(open_page, fuzz_env, page):
    """The page as it opens, with “upload” chosen wherever a radio offers it, and in the
    extra views of :data:`VIEWS`."""
    models, done, t0 = fuzz_env, set(), time.perf_counter()
    views = [lambda: open_page(page), lambda: _show_uploads(open_page(page))]
    views += [lambda q=q: open_page(page, query=q) for q in VIEWS.get(page, [])]
    for reopen in views:
        at = reopen()
        for kind, ident in sorted({(k, w.key or w.label) for k, w in _inputs(at)} - done, key=str):
            done.add((kind, ident))
            STATS["inputs"] += 1
            at = _fuzz(at, reopen, page, kind, ident, models)
    assert not os.path.exists("/tmp/dlp-fuzz-pwned")
    print(f"\n{page}: {len(done)} inputs, {time.perf_counter() - t0:.1f} s "
          f"(so far {STATS['inputs']} inputs, {STATS['values']} hostile values)")
