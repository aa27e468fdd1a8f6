"""Resident memory of the real server while a student visits every page and uses each default
model once; prints JSON with the peak (Streamlit Community Cloud gives 2.7 GB; target < 2.5 GB).

    python benchmarks/memory.py [--standins DIR] [--keep-going]

The app runs with ``streamlit run`` and is driven by a headless Chromium. Without internet the
pretrained weights cannot be fetched, so the pretrained models are *stand-ins*: the real
architectures (same parameter counts and float32 sizes, see ``tests/language_models.py`` and
``tests/vision_weights.py``) with random weights, loaded through the app's real code from a
teacher folder (``$PLAYGROUND_HF_DIR``) and ``$TORCH_HOME``. Memory depends on the sizes, not the
values, so the figure carries over; the JSON says which models were real and which stand-ins.
The server's RSS (its process and any children) is sampled every 0.2 s with psutil.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from playground.modelstore import DEFAULT_BUDGET_MB  # noqa: E402
from tests.e2e.server import app_server, browser, wait_idle  # noqa: E402

LIMIT_MB, TARGET_MB = 2700, 2500
VISION_DEFAULTS = ("mobilenet_v3_large", "ssdlite320", "lraspp", "resnet18", "vit_b_16")
TIMEOUT = 240_000   # ms: the first load of a full-size model on a busy 2-core machine


class Sampler(threading.Thread):
    """RSS of the streamlit process listening on ``port`` (plus children), every ``every`` s."""

    def __init__(self, port: int, every: float = 0.2):
        super().__init__(daemon=True)
        self.port, self.every, self.samples, self.stop = port, every, [], threading.Event()
        self.proc = self._find()

    def _find(self) -> psutil.Process:
        for p in psutil.Process().children(recursive=True):
            try:
                if "streamlit" in " ".join(p.cmdline()) and str(self.port) in p.cmdline():
                    return p
            except psutil.Error:
                continue
        raise RuntimeError("streamlit server process not found")

    def rss_mb(self) -> float:
        total = 0
        for p in [self.proc, *self.proc.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        return total / 1e6

    def run(self):
        while not self.stop.is_set():
            self.samples.append((time.time(), self.rss_mb()))
            time.sleep(self.every)

    @property
    def peak(self) -> float:
        return max(v for _, v in self.samples)


def page_paths() -> list[str]:
    """Every page's url_path from app.py (home is "/")."""
    src = (ROOT / "app.py").read_text(encoding="utf-8")
    return [""] + re.findall(r'url_path\s*=\s*["\']([^"\']+)', src)


def prepare(standins: Path) -> dict:
    """Full-size stand-in models for the language/speech defaults and the vision defaults."""
    from playground.language import models as LM
    from tests import language_models as LMB
    from tests import vision_weights as VW

    t0 = time.time()
    LMB.write(standins / "hf", full=True)
    VW.write_random_weights(standins / "torch", VISION_DEFAULTS)
    return {"hf": str(standins / "hf"), "torch": str(standins / "torch"),
            "seconds": round(time.time() - t0, 1),
            "stand_ins": [f"{s.hub_id} (random weights, {s.params:,} parameters)" for s in LM.REGISTRY.values()]
            + [f"torchvision {k} (random weights)" for k in VISION_DEFAULTS]}


def click(page, key: str):
    page.locator(f".st-key-{key} button").first.click()
    wait_idle(page, TIMEOUT)


def use_defaults(page, path: str, wav: Path, measure_all: bool = False):
    """What a student does first on each page (the default model used once)."""
    if path == "language":
        click(page, "lang_sent_go")
        page.get_by_role("tab", name="Fill in the blank").click()
        click(page, "lang_mask_go")
        page.get_by_role("tab", name="Summarize and translate").click()
        click(page, "lang_t5_go")
    elif path == "speech":
        page.get_by_text("Upload a file").click()
        page.locator(".st-key-speech_file input[type=file]").set_input_files(str(wav))
        page.locator(".st-key-speech_spec").wait_for(timeout=TIMEOUT)
        wait_idle(page, TIMEOUT)
        click(page, "speech_go")
        page.get_by_text("transcribed in").wait_for(timeout=TIMEOUT)
    elif path in ("attention", "next_token"):
        click(page, "attn_go" if path == "attention" else "next_go")
        if path == "next_token":
            click(page, "next_add")
    elif path in ("cnn_train", "tiny_transformer", "gradient_flow"):
        key = {"cnn_train": "ct_play", "tiny_transformer": "tiny_play", "gradient_flow": "gf_play"}[path]
        page.locator(f".st-key-{key} button").click()
        page.wait_for_timeout(5000)
        page.locator(f".st-key-{key} button").click()
        wait_idle(page, TIMEOUT)
    elif path == "data_efficiency":
        click(page, "eff_run")
    elif path == "costs" and measure_all:     # not a default use: every architecture, one by one
        click(page, "cost_measure_all")
    elif path in ("playground", "recurrent"):
        key = "pg_play" if path == "playground" else "rnn_play"
        if page.locator(f".st-key-{key} button").count():
            page.locator(f".st-key-{key} button").click()
            page.wait_for_timeout(5000)
            page.locator(f".st-key-{key} button").click()
            wait_idle(page, TIMEOUT)
    elif path == "vision_detect":
        tab = page.get_by_role("tab", name=re.compile("segmentation", re.I))
        if tab.count():
            tab.first.click()
            wait_idle(page, TIMEOUT)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--standins", type=Path, default=Path(tempfile.gettempdir()) / "dlp-standins",
                    help="where the stand-in model folders are built (reused between runs)")
    ap.add_argument("--measure-all-costs", action="store_true",
                    help="also press “Measure the other …” on the costs page (temporary random-weight "
                         "copies of every architecture, refused when memory is short)")
    ap.add_argument("--fresh-sessions", action="store_true",
                    help="open every page by its address (a new session each time; Streamlit keeps a "
                         "closed session, and the models it used, for server.disconnectedSessionTTL "
                         "= 120 s) instead of clicking through the sidebar in one session")
    args = ap.parse_args()
    from playground.speech import audio as A

    prep = prepare(args.standins)
    wav = args.standins / "speech.wav"
    wav.write_bytes(A.encode(A.tone(220, 10.0, 16000) + A.tone(880, 10.0, 16000, amp=0.1), 16000))
    env = {"PLAYGROUND_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "PLAYGROUND_HF_DIR": prep["hf"],
           "TORCH_HOME": prep["torch"]}
    visits, errors = [], []
    with app_server(env=env, timeout=180) as url:
        sampler = Sampler(int(url.rsplit(":", 1)[1]))
        sampler.start()
        time.sleep(2)
        idle = sampler.rss_mb()
        with browser() as b:
            page = b.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            for path in page_paths():
                t0 = time.time()
                try:
                    if args.fresh_sessions or not path:
                        page.goto(f"{url}/{path}")
                    else:   # a student clicking through the sidebar: one session throughout
                        more = page.locator('[data-testid="stSidebarNavViewButton"]')
                        if more.count() and "more" in more.first.inner_text().lower():
                            more.first.click()
                        page.locator(f'[data-testid="stSidebarNavLink"][href$="/{path}"]').first.click()
                        page.wait_for_url(re.compile(f"/{path}(\\?|$)"), timeout=TIMEOUT)
                    page.wait_for_selector('[data-testid="stMain"]', timeout=TIMEOUT)
                    wait_idle(page, TIMEOUT)
                    use_defaults(page, path, wav, args.measure_all_costs)
                    if page.locator('[data-testid="stException"]').count():
                        errors.append(f"/{path}: exception box")
                except Exception as exc:  # noqa: BLE001 - report and go on to the next page
                    errors.append(f"/{path}: {type(exc).__name__}: {str(exc)[:200]}")
                during = [v for t, v in list(sampler.samples) if t >= t0] or [sampler.rss_mb()]
                visits.append({"page": "/" + path, "seconds": round(time.time() - t0, 1),
                               "peak_mb": round(max(during)), "after_mb": round(sampler.rss_mb())})
        time.sleep(3)
        sampler.stop.set()
        sampler.join()
        final = sampler.rss_mb()
    peak = sampler.peak
    print(json.dumps({
        "peak_rss_mb": round(peak), "final_rss_mb": round(final), "idle_rss_mb": round(idle),
        "limit_mb": LIMIT_MB, "target_mb": TARGET_MB, "under_target": peak < TARGET_MB,
        "pages": visits, "errors": errors, "measured_all_costs": args.measure_all_costs,
        "sessions": "one per page" if args.fresh_sessions else "one (sidebar navigation)",
        "models": {"real": [], "stand_ins": prep["stand_ins"],
                   "note": "No internet here: every pretrained model is its real architecture with "
                           "random weights (same parameter count and float32 size), loaded through "
                           "the app's real code. Memory depends on sizes, not values."},
        "samples": len(sampler.samples), "stand_in_build_seconds": prep["seconds"],
        "model_budget_mb": float(os.environ.get("PLAYGROUND_MODEL_MB", DEFAULT_BUDGET_MB)),
    }, indent=2))


if __name__ == "__main__":
    main()
