#!/usr/bin/env python3
"""Serve a class from several processes: N `streamlit run app.py` replicas behind HAProxy.

    python deploy/serve_class.py --replicas 2 --port 8080 [--host 0.0.0.0] [--db URL]

Starts the replicas on free local ports (127.0.0.1 only), waits until each answers
/_stcore/health, writes HAProxy's configuration from deploy/haproxy.cfg (cookie stickiness:
every request of a browser reaches the same replica) and runs `haproxy` in the foreground.
Prints ``ready <url>`` when the class can connect, then runs until Ctrl+C / SIGTERM, and stops
everything it started (by its own process ids). If a replica or HAProxy dies, it stops all.

Every replica gets the same environment: ``PLAYGROUND_DB`` (the class board's database; with
several replicas use PostgreSQL, e.g. ``--db postgresql://user:pw@127.0.0.1/playground``),
``PLAYGROUND_MODEL_MB`` (pretrained-model memory, split between the replicas unless set),
``OMP_NUM_THREADS=1`` (unless set) and one shared ``server.cookieSecret``. Needs Debian's ``haproxy`` package (``apt-get install haproxy``).
"""
from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "deploy" / "haproxy.cfg"
NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def haproxy_config(bind: str, ports: list[int], maxconn: int = 2000) -> str:
    """HAProxy's configuration for replicas listening on 127.0.0.1:<port>."""
    servers = "\n".join(f"    server app{i} 127.0.0.1:{p} check cookie app{i}"
                        for i, p in enumerate(ports, 1))
    text = TEMPLATE.read_text(encoding="utf-8")
    return (text.replace("@BIND@", bind).replace("@MAXCONN@", str(int(maxconn)))
            .replace("@SERVERS@", servers))


def replica_env(n: int, db: str | None, base: dict | None = None) -> dict:
    env = dict(os.environ if base is None else base)
    if db:
        env["PLAYGROUND_DB"] = db
    env.setdefault("PLAYGROUND_MODEL_MB", str(max(300, 1000 // max(1, n))))
    # one OpenMP thread per torch op: a class's many small models gain nothing from parallel
    # kernels, and every frame runs on a fresh script thread (measured: 0.9 instead of 0.0-0.3
    # screen updates per second for 30 students on Train a CNN)
    env.setdefault("OMP_NUM_THREADS", "1")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def healthy(url: str, timeout: float = 2.0) -> bool:
    try:
        return NO_PROXY.open(url + "/_stcore/health", timeout=timeout).read() == b"ok"
    except OSError:
        return False


class Class:
    """The replicas and HAProxy; ``start()`` then ``stop()`` (or use as a context manager)."""

    def __init__(self, replicas: int = 2, port: int | None = None, host: str = "127.0.0.1",
                 db: str | None = None, python: str = sys.executable, logdir: str | None = None,
                 extra_args: tuple = ()):
        if replicas < 1:
            raise ValueError("at least one replica")
        self.n, self.host, self.db, self.python = replicas, host, db, python
        self.port = port or free_port(host)
        self.logdir = Path(logdir or tempfile.mkdtemp(prefix="dlp-class-"))
        self.extra_args = tuple(extra_args)
        self.ports: list[int] = []
        self.procs: list[subprocess.Popen] = []
        self.proxy: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{'127.0.0.1' if self.host in ('0.0.0.0', '') else self.host}:{self.port}"

    def _spawn(self, args, log_name, env=None):
        log = open(self.logdir / log_name, "w")
        return subprocess.Popen(args, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)

    def start(self, timeout: float = 120.0):
        haproxy = shutil.which("haproxy") or ("/usr/sbin/haproxy" if os.path.exists("/usr/sbin/haproxy")
                                              else None)
        if haproxy is None:
            raise RuntimeError("HAProxy is not installed (Debian/Ubuntu: apt-get install -y haproxy)")
        env = replica_env(self.n, self.db)
        secret = secrets.token_hex(16)
        for i in range(self.n):
            p = free_port()
            self.ports.append(p)
            self.procs.append(self._spawn(
                [self.python, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                 "--server.port", str(p), "--server.address", "127.0.0.1",
                 "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
                 *self.extra_args],
                f"replica{i + 1}.log", {**env, "STREAMLIT_SERVER_COOKIE_SECRET": secret}))
        deadline = time.monotonic() + timeout
        for i, p in enumerate(self.ports):
            while not healthy(f"http://127.0.0.1:{p}"):
                if self.procs[i].poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"replica {i + 1} did not start; see {self.logdir}/replica{i + 1}.log")
                time.sleep(0.3)
        cfg = self.logdir / "haproxy.cfg"
        cfg.write_text(haproxy_config(f"{self.host}:{self.port}", self.ports), encoding="utf-8")
        check = subprocess.run([haproxy, "-c", "-q", "-f", str(cfg)], capture_output=True, text=True)
        if check.returncode != 0:
            self.stop()
            raise RuntimeError(f"HAProxy refused {cfg}: {(check.stderr + check.stdout).strip()[-500:]}")
        self.proxy = self._spawn([haproxy, "-db", "-f", str(cfg)], "haproxy.log")
        while not healthy(self.url):
            if self.proxy.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"HAProxy did not start; see {self.logdir}/haproxy.log")
            time.sleep(0.2)
        return self

    def alive(self) -> bool:
        return all(p.poll() is None for p in [*self.procs, *([self.proxy] if self.proxy else [])])

    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def stop(self):
        """Stop HAProxy, then the replicas (each by its own process group)."""
        for p in ([self.proxy] if self.proxy else []) + self.procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for p in ([self.proxy] if self.proxy else []) + self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(5)
        self.proxy, self.procs = None, []

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--replicas", type=int, default=2, help="Streamlit processes (default 2)")
    ap.add_argument("--port", type=int, default=8080, help="HAProxy's port (default 8080)")
    ap.add_argument("--host", default="127.0.0.1", help="HAProxy's address (0.0.0.0: the whole network)")
    ap.add_argument("--db", default=os.environ.get("PLAYGROUND_DB"),
                    help="PLAYGROUND_DB for every replica (the class board's database)")
    ap.add_argument("--logdir", default=None, help="logs and the generated haproxy.cfg")
    a = ap.parse_args(argv)
    cls = Class(a.replicas, a.port, a.host, a.db, logdir=a.logdir)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    try:
        cls.start()
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"ready {cls.url} replicas={','.join(map(str, cls.ports))} pids={','.join(map(str, cls.pids()))} "
          f"logs={cls.logdir}", flush=True)
    try:
        while not stopping and cls.alive():
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        ok = cls.alive()
        cls.stop()
    if not ok and not stopping:
        print(f"error: a process died; see {cls.logdir}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
