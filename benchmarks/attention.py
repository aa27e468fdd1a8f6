"""How long the attention figures take for a 64-token text on a BERT-base-sized model.

A random-init 12-layer, 12-head BertModel (hidden 768, eager attention, as the app loads it)
with a BERT-sized WordPiece tokenizer, saved to a temp folder and loaded by the app's real
``load()``; then a text of exactly 64 tokens. Measured separately: the model pass
(``analyse``) and, "after the model is loaded", everything the page builds for its views:
head view heatmap and lines, the model view grid (144 thumbnails in one PNG), mean / rollout,
one token layer by layer, each turned into the JSON Streamlit sends (``plotly.io.to_json``).
Prints JSON; medians of ``--repeats`` runs. ``python benchmarks/attention.py``

``--browser`` also measures the page itself in headless Chromium: a full-size random-init
BERT folder as ``$PLAYGROUND_HF_DIR``, the model loaded by a first click, then the time from
pressing "Show attention" until the head view's heatmap and lines are drawn and the script is
idle, and from clicking the "Model view" tab until its 144 thumbnails are drawn.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--threads", type=int, default=1, help="torch threads (the app: 1 per session)")
    ap.add_argument("--browser", action="store_true", help="also time the page in headless Chromium")
    args = ap.parse_args()
    if args.browser:
        print(json.dumps(browser_times(args.tokens, args.repeats), indent=1))

    import plotly.graph_objects as go
    import plotly.io as pio
    import torch
    import transformers as T

    from playground.language import models as M
    from playground.transformer import attention as A, figures as F
    from tests import language_models as LMB

    torch.set_num_threads(args.threads)
    M.quiet()
    spec = M.REGISTRY["bert"]
    with tempfile.TemporaryDirectory() as d:
        tok, _ = LMB._bert_tokenizer(30522, segments=True)
        torch.manual_seed(0)
        model = T.BertModel(T.BertConfig())                  # bert-base: 12 layers, 12 heads
        model.save_pretrained(d, safe_serialization=True)
        tok.save_pretrained(d)
        del model
        t0 = time.perf_counter()
        lm = M.load(spec, d, "benchmark")
        load_s = time.perf_counter() - t0

    words = LMB.WORDS
    text = " ".join(words[i % len(words)] for i in range(args.tokens - 2))    # + [CLS] [SEP]
    res = A.analyse(lm, text)
    assert len(res.tokens) == args.tokens, len(res.tokens)
    labels = res.tokens.labels()

    def figures():
        L, H = res.layers, res.heads
        figs = [F.head_heatmap(res.attn[3, 5], labels, "head"),
                F.lines_view(res.attn[3, 5], labels, "lines"),
                F.model_grid(res.attn, (3, 5)),
                F.head_heatmap(res.attn[3, 5], labels, "opened"),
                F.head_heatmap(A.head_mean(res.attn, 3), labels, "mean"),
                F.head_heatmap(A.rollout(res.attn), labels, "rollout"),
                F.token_by_layer(A.attended_by_layer(res.attn, 5), labels, 5)]
        sizes = [len(pio.to_json(go.Figure(f, _validate=False), validate=False)) for f in figs]
        assert (L, H) == (12, 12)
        return sizes

    def timed(fn):
        out = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            val = fn()
            out.append(time.perf_counter() - t0)
        return statistics.median(out), min(out), val

    model_med, model_best, _ = timed(lambda: A.analyse(lm, text))
    fig_med, fig_best, sizes = timed(figures)
    head_med, _, _ = timed(lambda: [pio.to_json(go.Figure(f, _validate=False), validate=False) for f in
                                    (F.head_heatmap(res.attn[3, 5], labels, "h"),
                                     F.lines_view(res.attn[3, 5], labels, "l"))])
    grid_med, _, _ = timed(lambda: pio.to_json(go.Figure(F.model_grid(res.attn), _validate=False),
                                               validate=False))
    print(json.dumps({
        "model": "random-init BertModel, 12 layers x 12 heads, hidden 768 (bert-base-uncased shape)",
        "tokens": args.tokens, "torch_threads": args.threads, "repeats": args.repeats,
        "load_seconds": round(load_s, 3),
        "model_pass_seconds": {"median": round(model_med, 4), "best": round(model_best, 4)},
        "all_views_figures_seconds": {"median": round(fig_med, 4), "best": round(fig_best, 4)},
        "head_view_seconds": round(head_med, 4), "model_view_seconds": round(grid_med, 4),
        "figure_json_kb": [round(s / 1000, 1) for s in sizes],
        "goal_seconds": 2.0,
    }, indent=1))


def browser_times(tokens: int, repeats: int) -> dict:
    import re

    from tests import language_models as LMB
    from tests.e2e.server import app_server, browser, wait_idle

    text = " ".join(LMB.WORDS[i % len(LMB.WORDS)] for i in range(tokens - 2))
    with tempfile.TemporaryDirectory() as root:
        LMB.write(Path(root), ["bert"], full=True)
        with app_server(env={"PLAYGROUND_OFFLINE": "1", "PLAYGROUND_HF_DIR": root}) as url, \
                browser() as b:
            page = b.new_context(viewport={"width": 1400, "height": 2200}).new_page()
            page.goto(url + "/attention")
            page.get_by_role("heading", name="Attention in language models").wait_for(timeout=90_000)
            wait_idle(page)
            page.locator(".st-key-attn_text textarea").fill(text)
            t0 = time.perf_counter()
            page.locator(".st-key-attn_go button").click()
            page.locator(".st-key-attn_heat .heatmaplayer").wait_for(timeout=120_000)
            wait_idle(page, 120_000)
            first = time.perf_counter() - t0
            caption = page.get_by_text(re.compile(r"\d+ tokens · \d+ layers")).inner_text()
            head, grid = [], []
            for _ in range(repeats):
                page.get_by_role("tab", name=re.compile("Head view")).click()
                wait_idle(page)
                cap = page.get_by_text(re.compile(r"\d+ tokens · \d+ layers"))
                before = cap.inner_text()        # "... computed in 0.13 s": new on every run
                t0 = time.perf_counter()
                page.locator(".st-key-attn_go button").click()
                while cap.inner_text() == before and time.perf_counter() - t0 < 60:
                    page.wait_for_timeout(10)
                page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=60_000)
                page.locator(".st-key-attn_heat .heatmaplayer").wait_for()
                page.locator(".st-key-attn_lines .scatterlayer").wait_for()
                head.append(time.perf_counter() - t0)
                t0 = time.perf_counter()
                page.get_by_role("tab", name=re.compile("Model view")).click()
                page.locator(".st-key-attn_grid image").first.wait_for(state="attached", timeout=60_000)
                page.wait_for_selector('[data-test-script-state="notRunning"]', timeout=60_000)
                grid.append(time.perf_counter() - t0)
    return {"browser": "headless Chromium", "page": caption,
            "first_click_with_model_load_seconds": round(first, 2),
            "show_attention_to_head_view_drawn_seconds": {"median": round(statistics.median(head), 3),
                                                          "max": round(max(head), 3),
                                                          "all": [round(h, 2) for h in head]},
            "model_view_tab_to_thumbnails_drawn_seconds": {"median": round(statistics.median(grid), 3),
                                                           "max": round(max(grid), 3)},
            "note": "includes the model pass on this server (shared 2-core machine)"}


if __name__ == "__main__":
    main()
