"""Browser benchmark of the playground, which trains and draws in the student's browser.
Prints JSON.

Starts the real app (``streamlit run app.py`` on a free port) and opens the Neural network
playground in ``--clients`` tabs of one headless Chromium with TF Playground's setup (spiral,
X1 X2, hidden [8, 8] tanh, lr 0.03, batch 10, 50 % training data). Every tab presses Play;
during a common window of ``--seconds`` it measures, per tab:

* ``frames_per_s`` — boundary updates: every frame redraws the output heatmap and the heatmap
  inside every neuron (the page's own counter, ``pgView.stats.frames``);
* ``epochs_per_s`` — how fast the epoch counter advances (training runs in a Web Worker);
* ``ws_kb_per_s`` — websocket bytes the tab received from the server (Chrome DevTools
  Protocol), i.e. what a classroom's Wi-Fi carries per student while playing;
* ``main_thread_busy`` — Chrome's TaskDuration over wall time (1.0 = the page never idles);

and for the server process: CPU (% of one core, from psutil) and peak RSS. Then every tab
presses Pause and we measure how long the button and the training take to stop
(``pause_ms``: until the button reads Play and two frames later the epoch has not moved).

    python benchmarks/browser_fps.py [--clients 1] [--seconds 10] [--speeds 100,5]

With 30 tabs on a 2-core machine the 30 browsers (not the server) use the CPU: their frame
and epoch rates then say little about one student's laptop, the server and network numbers
say what a class costs.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import sys
import time

import psutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from tests.e2e.server import app_server, browser, wait_idle  # noqa: E402

QUERY = "dataset=spiral&layers=8,8&acts=tanh,tanh&lr=0.03&batch=10"
HOST = "document.querySelector('[data-testid=stBidiComponentIsolated]')"
STATS = f"(() => {{ const v = {HOST}.pgView; return {{...v.stats, epoch: v.s.epoch, playing: v.s.playing}}; }})()"
PAUSE_JS = f"""async () => {{
    const v = {HOST}.pgView, btn = {HOST}.shadowRoot.querySelector('button.pg-primary');
    const t0 = performance.now();
    btn.click();
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    while (!btn.textContent.includes('Play')) await frame();
    const button = performance.now() - t0;
    let e = v.s.epoch, still = 0;
    while (still < 3 && performance.now() - t0 < 5000) {{
      await new Promise((r) => setTimeout(r, 30));
      if (v.s.epoch === e) still += 1; else {{ still = 0; e = v.s.epoch; }}
    }}
    return {{button_ms: button, training_ms: performance.now() - t0 - 90}};
}}"""
TARGETS = {"frames_per_s": 50, "epochs_per_s_at_speed_100": 2000, "server_cpu_pct_30_students": 10,
           "ws_kb_per_s_per_student": 5, "pause_ms": 200}


def playground_path() -> str:
    with open(os.path.join(ROOT, "app.py"), encoding="utf-8") as f:
        m = re.search(r'st\.Page\(\s*["\']pages/playground\.py["\'][^)]*?url_path\s*=\s*["\']([^"\']+)',
                      f.read(), re.S)
    return "/" + (m.group(1) if m else "playground")


def server_process(url: str) -> psutil.Process:
    port = int(url.rsplit(":", 1)[1])
    for c in psutil.net_connections("tcp"):
        if c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN and c.pid:
            return psutil.Process(c.pid)
    raise RuntimeError("server process not found")


def open_tab(ctx, url):
    page = ctx.new_page()
    page.bytes = 0
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Performance.enable")

    def frame(ev):
        data = ev["response"]["payloadData"]
        page.bytes += len(data) * (3 / 4 if ev["response"].get("opcode") == 2 else 1)
    cdp.on("Network.webSocketFrameReceived", frame)
    page.cdp = cdp
    page.goto(url)
    return page


def busy(page) -> float:
    m = {x["name"]: x["value"] for x in page.cdp.send("Performance.getMetrics")["metrics"]}
    return m.get("TaskDuration", 0.0)


def measure(url: str, clients: int, seconds: float, speed: int) -> dict:
    server = server_process(url)
    with browser() as b:
        ctx = b.new_context(viewport={"width": 1366, "height": 768})
        tabs = [open_tab(ctx, f"{url}{playground_path()}?{QUERY}&speed={speed}") for _ in range(clients)]
        for t in tabs:
            wait_idle(t, timeout=180_000)
            t.wait_for_function(f"() => {HOST} && {HOST}.pgView && {HOST}.pgView.s", timeout=120_000)
        for t in tabs:
            t.locator("button.pg-primary").click()
        time.sleep(2.0)                       # everyone plays; then the common window
        start = [(t.evaluate(STATS), t.bytes, busy(t)) for t in tabs]
        server.cpu_percent(None)
        t0, rss = time.monotonic(), server.memory_info().rss
        while time.monotonic() - t0 < seconds:
            time.sleep(0.5)
            rss = max(rss, server.memory_info().rss)
        cpu = server.cpu_percent(None)
        wall = time.monotonic() - t0
        end = [(t.evaluate(STATS), t.bytes, busy(t)) for t in tabs]
        pauses = [t.evaluate(PAUSE_JS) for t in tabs]
        ctx.close()
    per = [{"frames_per_s": (e["frames"] - s["frames"]) / wall, "epochs_per_s": (e["epoch"] - s["epoch"]) / wall,
            "ws_kb_per_s": (eb - sb) / 1024 / wall, "main_thread_busy": (ebz - sbz) / wall}
           for (s, sb, sbz), (e, eb, ebz) in zip(start, end)]

    def stat(key):
        v = [p[key] for p in per]
        return {"median": round(statistics.median(v), 2), "min": round(min(v), 2), "max": round(max(v), 2)}
    return {"clients": clients, "speed": speed, "window_s": round(wall, 1),
            **{k: stat(k) for k in per[0]},
            "pause_button_ms": stat_of([p["button_ms"] for p in pauses]),
            "pause_training_ms": stat_of([p["training_ms"] for p in pauses]),
            "server_cpu_pct": round(cpu, 1), "server_rss_mb": round(rss / 2**20)}


def stat_of(v):
    return {"median": round(statistics.median(v), 1), "max": round(max(v), 1)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--speeds", default="100,5")
    args = ap.parse_args()
    out = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                       "load_avg": [round(x, 1) for x in os.getloadavg()]},
           "setup": QUERY, "targets": TARGETS, "runs": []}
    with app_server() as url:
        for speed in (int(s) for s in args.speeds.split(",")):
            out["runs"].append(measure(url, args.clients, args.seconds, speed))
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
