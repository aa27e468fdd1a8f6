"""Is the internet there? One fast, remembered check shared by every model loader.

Model downloads (torchvision weights, the Hugging Face hub) would otherwise hang for up to
~30 s before failing in an offline classroom. A TCP connect with a short timeout answers in
about 2 s at worst, and the answer is remembered per server for a minute.
"""
from __future__ import annotations

import socket
import threading
import time
from urllib.parse import urlparse
from urllib.request import getproxies

PROBE_TIMEOUT = 2.0
PROBE_MAX_AGE = 60.0
_CACHE: dict = {}
_LOCK = threading.Lock()


def via_proxy(host: str, port: int) -> tuple[str, int]:
    """Where a connection to (host, port) really goes: the HTTPS proxy if one is set."""
    proxy = getproxies().get("https")
    if proxy:
        p = urlparse(proxy if "://" in proxy else "http://" + proxy)
        if p.hostname:
            return p.hostname, p.port or 80
    return host, port


def _connect(target: tuple[str, int], timeout: float) -> bool:
    result = []

    def run():
        try:
            socket.create_connection(target, timeout=timeout).close()
            result.append(True)
        except OSError:
            result.append(False)

    t = threading.Thread(target=run, daemon=True)  # DNS can hang longer than the socket timeout
    t.start()
    t.join(timeout + 0.2)
    return bool(result and result[0])


def reachable(target: tuple[str, int], timeout: float = PROBE_TIMEOUT,
              max_age: float = PROBE_MAX_AGE) -> bool:
    """True if a TCP connection to target opens within ``timeout`` s; remembered ``max_age`` s."""
    with _LOCK:
        hit = _CACHE.get(target)
        if hit and time.monotonic() - hit[0] < max_age:
            return hit[1]
    ok = _connect(target, timeout)
    with _LOCK:
        _CACHE[target] = (time.monotonic(), ok)
    return ok


def forget():
    """Drop remembered answers (tests, or after the network came back)."""
    with _LOCK:
        _CACHE.clear()
