"""A class on one server (or several behind HAProxy): every live page with N simulated students.

    python benchmarks/class_load.py                       # every live page, 1 and 30 students
    python benchmarks/class_load.py --pages cnn_train --clients 30 --replicas 1,2

For each page it runs the shared protocol-level load tool (``../shared/tools/load.py``, or
``--load-tool``): N students open the page, press Play, and a common window of ``--seconds``
is measured. Printed per page: screen updates per second per student (median and worst; an
update is a new step counter on screen), the longest gap between two updates, KB/s of websocket
traffic per student, server CPU (100 % = one core) and peak RSS (all replicas and HAProxy
together), how many students saw Pause answered within ``--pause-timeout`` seconds, and how busy
the rest of the machine was (other programs share these cores and take CPU from the server).

``--replicas 1,2`` serves the app from that many Streamlit processes behind HAProxy
(``deploy/serve_class.py``) instead of one plain ``streamlit run``: capacity from 1 to 2 processes.
Targets (issue "Serve a whole class"): ≥ 2 updates/s median and ≥ 1/s worst, ≤ 50 KB/s per
student, RSS < 2.5 GB, Pause within 1 s.
"""
from __future__ import annotations

import argparse
import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIVE_PAGES = {   # url path -> (button to press, counter regex or None for the tool's default)
    # (the loss landscape animates in the browser: Plotly's own frames, no server work to measure;
    # the playground trains in the browser: benchmarks/class_playground.py)
    "cnn_train": ("Play", None),
    "recurrent": ("Play", None),
    "tiny_transformer": ("Play", None),
    "gradient_flow": ("Play", None),
    "grid_world": ("Play", r"Episode \*\*([\d,]+)\*\*"),
    "cartpole": ("Play", r"Episodes \*\*([\d,]+)\*\*"),
    "tictactoe": ("Play", r"Self-play games \*\*([\d,]+)\*\*"),
    "gan": ("Play", r"Generator steps \*\*([\d,]+)\*\*"),
    "vae": ("Play", None),
    "diffusion": ("Play", None),
}
# (data efficiency is one experiment per click, done in a few seconds with the default settings
# even for 30 students: nothing keeps playing; pages listed here are ended by closing the tab)
NO_PAUSE: set[str] = set()
DEFAULT_TOOL = next((d / "shared" / "tools" / "load.py" for d in ROOT.parents
                     if (d / "shared" / "tools" / "load.py").exists()),
                    ROOT.parent / "shared" / "tools" / "load.py")


def run_tool(tool: Path, page: str, clients: int, seconds: float, pause_timeout: float,
             port: int | None = None, pid: int | None = None, env: dict | None = None) -> dict:
    click, regex = LIVE_PAGES.get(page, ("Play", None))
    args = [sys.executable, str(tool), "--repo", str(ROOT), "--url-path", page,
            "--clients", str(clients), "--seconds", str(seconds), "--click", click,
            "--pause-timeout", str(pause_timeout)]
    if regex:
        args += ["--counter-regex", regex]
    if page in NO_PAUSE:
        args += ["--end", "disconnect"]
    if port:
        args += ["--port", str(port)] + (["--server-pid", str(pid)] if pid else [])
    for k, v in (env or {}).items():
        args += ["--server-env", f"{k}={v}"]
    out = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    try:
        return json.loads(out.stdout)
    except json.JSONDecodeError:
        return {"errors": [f"load tool failed: {out.stderr.strip()[-400:]}"]}


class served:
    """``deploy/serve_class.py --replicas n`` in its own process: yields (port, its pid), whose
    children are exactly the replicas and HAProxy (what the load tool measures)."""

    def __init__(self, n: int):
        self.n = n

    def __enter__(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "deploy" / "serve_class.py"),
                                      "--replicas", str(self.n), "--port", str(port)],
                                     cwd=ROOT, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("ready"):
            self.__exit__()
            raise RuntimeError(f"serve_class.py did not start: {line!r}")
        return port, self.proc.pid

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        return False


def row(page: str, clients: int, replicas: str, r: dict) -> dict:
    g = lambda k, s="median": (r.get(k) or {}).get(s)  # noqa: E731
    srv, win = r.get("server") or {}, r.get("window") or {}
    return {"page": page, "students": clients, "replicas": replicas,
            "updates_per_s_median": g("frames_per_s"), "updates_per_s_worst": g("frames_per_s", "min"),
            "max_gap_ms": g("max_frame_gap_ms", "max"), "steps_per_s_median": g("epochs_per_s"),
            "kb_per_s_median": g("kbytes_per_s"), "kb_per_s_worst": g("kbytes_per_s", "max"),
            "server_cpu_percent": srv.get("cpu_percent"), "peak_rss_mb": srv.get("peak_rss_mb"),
            # CPU per screen update (charts and slow views included): what a class costs, whatever
            # share of a busy machine the server got
            "cpu_ms_per_update": (round(10 * srv["cpu_percent"] / (clients * g("frames_per_s")), 1)
                                  if srv.get("cpu_percent") and g("frames_per_s") else None),
            "paused_in_time": ("n/a (no Pause)" if page in NO_PAUSE
                               else f"{r.get('paused_cleanly')}/{r.get('clients_playing')}"),
            "other_programs_cpu_percent": win.get("other_processes_cpu_percent"),
            "errors": (r.get("errors") or [])[:3]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", default=",".join(LIVE_PAGES), help="comma-separated url paths")
    ap.add_argument("--clients", default="1,30", help="comma-separated class sizes")
    ap.add_argument("--seconds", type=float, default=15.0)
    ap.add_argument("--pause-timeout", type=float, default=1.0)
    ap.add_argument("--replicas", default="", help="e.g. 1,2: serve through HAProxy with that many")
    ap.add_argument("--load-tool", default=str(DEFAULT_TOOL))
    ap.add_argument("--json", default=None, help="also write all rows to this file")
    a = ap.parse_args(argv)
    tool = Path(a.load_tool)
    if not tool.exists():
        print(f"load tool not found: {tool} (pass --load-tool)", file=sys.stderr)
        return 1
    rows = []
    plans = [int(x) for x in a.replicas.split(",") if x.strip()] or [0]
    for reps in plans:
        for page in [p.strip() for p in a.pages.split(",") if p.strip()]:
            for n in [int(x) for x in a.clients.split(",")]:
                t0 = time.monotonic()
                if reps:
                    with served(reps) as (port, pid):   # replicas + HAProxy, measured together
                        r = run_tool(tool, page, n, a.seconds, a.pause_timeout, port=port, pid=pid)
                else:
                    r = run_tool(tool, page, n, a.seconds, a.pause_timeout)
                rows.append(row(page, n, str(reps or "1 (plain)"), r))
                print(json.dumps(rows[-1]), flush=True)
    print()
    head = ("page", "students", "replicas", "updates/s med", "worst", "max gap ms", "KB/s med",
            "KB/s max", "CPU %", "CPU ms/update", "RSS MB", "paused ≤ timeout", "other CPU %")
    keys = ("page", "students", "replicas", "updates_per_s_median", "updates_per_s_worst",
            "max_gap_ms", "kb_per_s_median", "kb_per_s_worst", "server_cpu_percent",
            "cpu_ms_per_update", "peak_rss_mb",
            "paused_in_time", "other_programs_cpu_percent")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        print("| " + " | ".join(str(r[k]) for k in keys) + " |")
    if a.json:
        Path(a.json).write_text(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
