"""A local fake of download.pytorch.org, the Hugging Face hub and the MNIST mirrors, on 127.0.0.1.

Serves files the tests create (tiny models, tiny data), with what the real servers do that the
bundle relies on: ``Content-Length``, ``Range`` requests answered with 206, the hub's
``/api/models/<id>?blobs=true`` listing (sizes, LFS sha256, git blob ids) and
``/<id>/resolve/<rev>/<file>``. Knobs for failures: ``cut[path] = n`` closes the connection
after n bytes of the next response for that path (an interrupted download); ``corrupt[path]``
flips a byte of what is served. Every request is recorded in ``log`` (path, Range header).
"""
from __future__ import annotations

import hashlib
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlparse

REV = "0123456789abcdef0123456789abcdef01234567"


class FakeHub:
    def __init__(self):
        self.files: dict[str, bytes] = {}          # URL path → bytes
        self.models: dict[str, dict[str, bytes]] = {}   # hub id → {file name: bytes}
        self.cut: dict[str, int] = {}
        self.corrupt: set[str] = set()
        self.log: list[tuple[str, str | None]] = []
        self.lock = threading.Lock()
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                hub._get(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    # ---- content ----------------------------------------------------------------------
    def add_file(self, path: str, data: bytes):
        self.files[path] = data

    def add_model(self, hub_id: str, folder: Path, names=None):
        files = {p.name: p.read_bytes() for p in sorted(Path(folder).iterdir())
                 if p.is_file() and (names is None or p.name in names)}
        self.models[hub_id] = files
        for name, data in files.items():
            self.files[f"/{hub_id}/resolve/{REV}/{name}"] = data

    def _api(self, hub_id: str) -> bytes:
        siblings = []
        for name, data in self.models[hub_id].items():
            s = {"rfilename": name, "size": len(data),
                 "blobId": hashlib.sha1(f"blob {len(data)}\0".encode() + data).hexdigest()}
            if name.endswith(".safetensors"):
                s["lfs"] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data),
                            "pointerSize": 134}
            siblings.append(s)
        siblings.append({"rfilename": "README.md", "size": 5, "blobId": "0" * 40})
        return json.dumps({"id": hub_id, "sha": REV, "siblings": siblings}).encode()

    # ---- serving ----------------------------------------------------------------------
    def _get(self, h: BaseHTTPRequestHandler):
        u = urlparse(h.path)
        path = unquote(u.path)
        rng = h.headers.get("Range")
        with self.lock:
            self.log.append((path, rng))
            cut = self.cut.pop(path, None)
        if path.startswith("/api/models/"):
            hub_id = path[len("/api/models/"):]
            if hub_id not in self.models:
                return self._send(h, 404, b'{"error": "Repository not found"}')
            return self._send(h, 200, self._api(hub_id), "application/json")
        data = self.files.get(path)
        if data is None:
            return self._send(h, 404, b"not found")
        if path in self.corrupt:
            data = bytes([data[0] ^ 0xFF]) + data[1:]
        start = 0
        if rng and rng.startswith("bytes="):
            start = int(rng[6:].split("-")[0])
            if start >= len(data):
                return self._send(h, 416, b"")
        body = data[start:]
        h.send_response(206 if start else 200)
        if start:
            h.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
        h.send_header("Content-Length", str(len(body)))
        h.send_header("Accept-Ranges", "bytes")
        h.end_headers()
        if cut is not None:
            h.wfile.write(body[:cut])
            h.wfile.flush()
            h.close_connection = True
            return
        h.wfile.write(body)

    @staticmethod
    def _send(h, code: int, body: bytes, ctype: str = "text/plain"):
        h.send_response(code)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)


def idx_gz(kind: str, n: int, size: int = 28, seed: int = 0) -> bytes:
    """A tiny MNIST-format file (idx images or labels), gzipped."""
    import gzip
    import struct

    import numpy as np

    rng = np.random.default_rng(seed)
    if kind == "images":
        body = struct.pack(">IIII", 2051, n, size, size) + rng.integers(
            0, 256, (n, size, size), dtype=np.uint8).tobytes()
    else:
        body = struct.pack(">II", 2049, n) + rng.integers(0, 10, n, dtype=np.uint8).tobytes()
    return gzip.compress(body, mtime=0)


def tiny_bundle_items(hub: FakeHub):
    """Tiny MobileNetV3 weights, tiny HF folders and tiny MNIST files on the fake server; the
    items a bundle run fetches (HF listed through the fake API by the real code), and the
    errors of that listing."""
    import io

    import torch

    from playground.bundle import fetch as F, plan as P
    from playground.language import models as LM
    from playground.vision import models as M
    from tests import language_models as LMB
    from tests.vision_weights import random_state_dict

    spec = M.REGISTRY["mobilenet_v3_large"]
    buf = io.BytesIO()
    torch.save(random_state_dict(spec), buf)
    weights = buf.getvalue()
    hub.add_file(f"/models/{spec.file_name}", weights)
    _, folders = LMB.shared()
    for key in ("sentiment", "distilgpt2"):
        hub.add_model(LM.REGISTRY[key].hub_id, folders[key])
    mnist = {"train-images-idx3-ubyte.gz": idx_gz("images", 64), "train-labels-idx1-ubyte.gz":
             idx_gz("labels", 64), "t10k-images-idx3-ubyte.gz": idx_gz("images", 16, seed=1),
             "t10k-labels-idx1-ubyte.gz": idx_gz("labels", 16, seed=1)}
    for name, data in mnist.items():
        hub.add_file(f"/data/MNIST/{name}", data)
    # torch.hub's name carries the real file's hash prefix, which random weights cannot have:
    # the test checks its own bytes' sha256 (the prefix check itself is tested above)
    tv = [P.Item("torchvision", spec.key, spec.label, f"{hub.url}/models/{spec.file_name}",
                 f"torchvision/{spec.file_name}", F.Check(sha256=hashlib.sha256(weights).hexdigest()),
                 len(weights))]
    hf, errors = P.hf_items(hub.url, keys={"sentiment", "distilgpt2"})
    data = [P.Item("data", "mnist", "MNIST", f"{hub.url}/data/MNIST/{n}", f"data/MNIST/raw/{n}",
                   F.Check(md5=hashlib.md5(d).hexdigest()), len(d), unpack="gunzip")
            for n, d in mnist.items()]
    return tv + hf + data, errors
