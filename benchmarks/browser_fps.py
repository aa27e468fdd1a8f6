"""Browser benchmark: what a user of the playground sees per second while it trains. Prints JSON.

Starts the real app (``streamlit run app.py`` on a free port), opens the Neural network
playground in headless Chromium with TF Playground's benchmark setup (spiral, features X1 X2,
hidden [8, 8] tanh, learning rate 0.03, batch 10, 50 % training data), presses Play and for a
fixed window measures inside the page, on every animation frame (requestAnimationFrame):

* ``boundary_updates_per_s`` — how often the output image (the ``<img>`` of the Output column)
  shows a new picture: its ``src`` changed and the new image has loaded;
* ``loss_chart_updates_per_s`` — how often the drawn loss curve (a server-drawn image) changed;
* ``epochs_per_s`` — how fast the "Epoch N" counter advances.

It also reports what helps to tell server time from browser time: what the server sent over
the websocket (messages, bytes), the image downloads (count, size, latency), and how busy the
page's main thread was (Chrome's Performance metrics: 1.0 = rendering all the time). Epochs per
second divided by the speed is the number of frames the server produced. Run once at the fastest speed
(100 epochs per frame) and once at the default speed. Usage:

    python benchmarks/browser_fps.py [--seconds 10] [--speeds 100,5] [--server-env NAME=VALUE]
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.e2e.server import app_server, browser, wait_idle  # noqa: E402

QUERY = "dataset=spiral&layers=8,8&acts=tanh,tanh&lr=0.03&batch=10"


def playground_path() -> str:
    """The playground's URL path as app.py declares it (``url_path``, else the file name)."""
    with open(os.path.join(ROOT, "app.py"), encoding="utf-8") as f:
        m = re.search(r'st\.Page\(\s*["\']pages/playground\.py["\'][^)]*?url_path\s*=\s*["\']([^"\']+)',
                      f.read(), re.S)
    return "/" + (m.group(1) if m else "playground")


TARGETS = {"boundary_updates_per_s": 15, "loss_chart_updates_per_s": 15,
           "epochs_per_s_at_speed_100": 600}

# Runs in the page for `ms` milliseconds; samples on every animation frame.
MEASURE_JS = r"""async (ms) => {
    const live = (sel) => [...document.querySelectorAll(sel)].filter(
        (el) => !el.closest('[data-stale="true"]'));
    const epochOf = () => {
        for (const el of live('[data-testid="stMarkdown"]')) {
            const m = el.innerText.match(/Epoch\s+([\d,]+)/);
            if (m) return parseInt(m[1].replace(/,/g, ''), 10);
        }
        return null;
    };
    const boundary = () => {
        const img = live('[class*="st-key-pg_live_output"] [data-testid="stImage"] img')[0];
        return img && img.complete && img.naturalWidth > 0 ? img.currentSrc || img.src : null;
    };
    const lossPath = () => {  // the loss curve is a server-drawn image: its address changes
        const img = live('[class*="st-key-pg_live_loss"] img')[0];
        return img && img.complete && img.naturalWidth > 0 ? img.currentSrc || img.src : null;
    };
    const t0 = performance.now();
    let lastImg = boundary(), lastLoss = lossPath(), lastEpoch = epochOf();
    let imgChanges = 0, lossChanges = 0, rafFrames = 0, longestGap = 0, prevT = t0;
    let imgLoading = 0, lossMissing = 0;  // animation frames: newest image still loading / no loss line
    const epochs = lastEpoch === null ? [] : [[0, lastEpoch]];
    const imgTimes = [];
    await new Promise((resolve) => {
        const tick = (t) => {
            rafFrames += 1;
            longestGap = Math.max(longestGap, t - prevT);
            prevT = t;
            const img = boundary();
            if (!img) imgLoading += 1;
            if (img && img !== lastImg) { imgChanges += 1; lastImg = img; imgTimes.push(t - t0); }
            const loss = lossPath();
            if (!loss) lossMissing += 1;
            if (loss && loss !== lastLoss) { lossChanges += 1; lastLoss = loss; }
            const e = epochOf();
            if (e !== null && e !== lastEpoch) { epochs.push([t - t0, e]); lastEpoch = e; }
            if (t - t0 < ms) requestAnimationFrame(tick); else resolve();
        };
        requestAnimationFrame(tick);
    });
    const elapsed = (performance.now() - t0) / 1000;
    const med = (xs) => xs.length ? xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] : null;
    const media = performance.getEntriesByType('resource').filter(
        (e) => e.name.includes('/media/') && e.startTime >= t0);
    const gaps = imgTimes.slice(1).map((t, i) => t - imgTimes[i]).sort((a, b) => a - b);
    return {
        elapsed_s: elapsed,
        boundary_changes: imgChanges,
        loss_changes: lossChanges,
        epoch_first: epochs.length ? epochs[0][1] : null, epoch_last: lastEpoch,
        epoch_span_s: epochs.length > 1 ? (epochs[epochs.length - 1][0] - epochs[0][0]) / 1000 : null,
        epoch_samples: epochs.length,
        browser_frames_per_s: rafFrames / elapsed,
        boundary_loading_fraction: imgLoading / rafFrames,
        loss_missing_fraction: lossMissing / rafFrames,
        longest_browser_frame_ms: longestGap,
        boundary_gap_median_ms: gaps.length ? gaps[Math.floor(gaps.length / 2)] : null,
        boundary_gap_p90_ms: gaps.length ? gaps[Math.floor(gaps.length * 0.9)] : null,
        image_fetches: media.length,
        image_fetch_ms_median: med(media.map((e) => e.responseEnd - e.startTime)),
        image_server_wait_ms_median: med(media.map((e) => e.responseStart - e.requestStart)),
    };
}"""


def measure(b, url: str, speed: int, seconds: float) -> dict:
    ctx = b.new_context(viewport={"width": 1500, "height": 1100})
    page = ctx.new_page()
    ws_stats = {"messages": 0, "bytes": 0}
    media = {"requests": 0, "bytes": 0}
    counting = {"on": False}

    def on_ws(ws):
        def frame(payload):
            if counting["on"]:
                ws_stats["messages"] += 1
                ws_stats["bytes"] += len(payload)
        ws.on("framereceived", frame)

    def on_response(resp):
        if counting["on"] and "/media/" in resp.url:
            media["requests"] += 1
            try:
                media["bytes"] += int(resp.headers.get("content-length", 0))
            except ValueError:
                pass

    page.on("websocket", on_ws)
    page.on("response", on_response)
    query = QUERY + (f"&speed={speed}" if speed != 5 else "")
    page.goto(f"{url}{playground_path()}?{query}")
    page.wait_for_selector(".st-key-pg_play button", timeout=60_000)
    wait_idle(page)
    assert page.locator('[data-testid="stException"]').count() == 0, "exception box on load"
    page.locator(".st-key-pg_play button").first.click()
    # warm up: the first frames after Play include a full rerun of the page
    page.wait_for_function("() => /Epoch\\s+[1-9]/.test(document.body.innerText)", timeout=60_000)
    page.wait_for_timeout(1000)
    cdp = ctx.new_cdp_session(page)
    cdp.send("Performance.enable")
    counting["on"] = True
    m0 = _metrics(cdp)
    t = time.perf_counter()
    r = page.evaluate(MEASURE_JS, int(seconds * 1000))
    wall = time.perf_counter() - t
    m1 = _metrics(cdp)
    counting["on"] = False
    busy = {k: round((m1.get(k, 0) - m0.get(k, 0)) / wall, 3) for k in
            ("TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration")}
    playing = "Pause" in page.locator(".st-key-pg_play button").first.inner_text()
    errors = page.locator('[data-testid="stException"]').count()
    ctx.close()
    el = r["elapsed_s"]
    epochs = (r["epoch_last"] - r["epoch_first"]) if r["epoch_first"] is not None else 0
    return {
        "speed_epochs_per_frame": speed,
        "measured_s": round(el, 2),
        "boundary_updates_per_s": round(r["boundary_changes"] / el, 2),
        "loss_chart_updates_per_s": round(r["loss_changes"] / el, 2),
        "epochs_per_s": round(epochs / el, 1),
        # share of the browser's animation frames in which the newest output image was still
        # loading (the previous one stays painted) / the loss chart had no line (being re-created)
        "boundary_loading_fraction": round(r["boundary_loading_fraction"], 3),
        "loss_chart_missing_fraction": round(r["loss_missing_fraction"], 3),
        "epochs_per_boundary_update": round(epochs / r["boundary_changes"], 1) if r["boundary_changes"] else None,
        "boundary_update_gap_ms": {"median": _r(r["boundary_gap_median_ms"]),
                                   "p90": _r(r["boundary_gap_p90_ms"])},
        "browser_frames_per_s": round(r["browser_frames_per_s"], 1),
        "longest_browser_frame_ms": _r(r["longest_browser_frame_ms"]),
        "websocket_messages_per_s": round(ws_stats["messages"] / wall, 1),
        "websocket_kbytes_per_s": round(ws_stats["bytes"] / wall / 1024, 1),
        "image_downloads_per_s": round(media["requests"] / wall, 2),
        "image_fetch_ms_median": _r(r["image_fetch_ms_median"]),
        "image_server_wait_ms_median": _r(r["image_server_wait_ms_median"]),
        "image_kbytes_per_download": (round(media["bytes"] / media["requests"] / 1024, 1)
                                      if media["requests"] else None),
        # share of wall time the page's main thread spent working (1.0 = always busy)
        "browser_main_thread_busy": busy["TaskDuration"],
        "browser_busy_breakdown": {"script": busy["ScriptDuration"], "layout": busy["LayoutDuration"],
                                   "style": busy["RecalcStyleDuration"]},
        "still_playing_at_end": playing,
        "exception_boxes": errors,
    }


def _metrics(cdp) -> dict:
    return {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}


def _r(x):
    return None if x is None else round(x, 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--speeds", default="100,5", help="epochs per frame, comma separated")
    ap.add_argument("--url", help="measure an already running app instead of starting one")
    ap.add_argument("--server-env", action="append", default=[], metavar="NAME=VALUE",
                    help="environment for the started app, e.g. OPENBLAS_NUM_THREADS=1 (repeatable)")
    args = ap.parse_args()
    server_env = dict(kv.split("=", 1) for kv in args.server_env)
    speeds = [int(s) for s in args.speeds.split(",")]
    out = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "load_avg_1min": round(os.getloadavg()[0], 2)},
        "setup": "spiral, X1 X2, hidden [8, 8] tanh, lr 0.03, batch 10, 50% training data",
        "url_query": QUERY,
        "window": "1500x1100 headless Chromium",
        "targets": TARGETS,
        "runs": [],
    }
    if server_env:
        out["server_env"] = server_env
    with (_given(args.url) if args.url else app_server(env=server_env)) as url, browser() as b:
        for speed in speeds:
            out["runs"].append(measure(b, url, speed, args.seconds))
    fastest = max(out["runs"], key=lambda r: r["speed_epochs_per_frame"])
    out["meets_targets"] = {
        "boundary_updates_per_s": fastest["boundary_updates_per_s"] >= TARGETS["boundary_updates_per_s"],
        "loss_chart_updates_per_s": fastest["loss_chart_updates_per_s"] >= TARGETS["loss_chart_updates_per_s"],
        "epochs_per_s_at_speed_100": (fastest["speed_epochs_per_frame"] == 100
                                      and fastest["epochs_per_s"] >= TARGETS["epochs_per_s_at_speed_100"]),
    }
    print(json.dumps(out, indent=2))


class _given:
    def __init__(self, url):
        self.url = url.rstrip("/")

    def __enter__(self):
        return self.url

    def __exit__(self, *exc):
        return False


if __name__ == "__main__":
    main()
