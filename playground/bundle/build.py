"""Fetch a list of items into a bundle directory and write its manifest.

``manifest.json`` says, for every file: kind, model or data set, path in the bundle, source
URL, bytes, sha256 and whether it was checked; plus the totals and any failures. A run can be
repeated at any time: verified files are kept, partial files resume, damaged files are fetched
again.
"""
from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import fetch as F
from .plan import Item, unpack

MANIFEST = "manifest.json"


@dataclass
class Result:
    item: Item
    status: str                      # present | downloaded | replaced | failed | corrupt
    bytes: int = 0
    sha256: str = ""
    error: str = ""


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)
    plan_errors: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.plan_errors and all(r.status in ("present", "downloaded", "replaced")
                                            for r in self.results)

    @property
    def total_bytes(self) -> int:
        return sum(r.bytes for r in self.results)

    def count(self, *status) -> int:
        return sum(r.status in status for r in self.results)


ItemProgress = Callable[[int, int, Item, int, "int | None"], None]


def build(root: Path, items: list[Item], progress: ItemProgress | None = None,
          retries: int = 3, plan_errors: list[str] | None = None, timeout: float = 30.0,
          pause: float = 0.5) -> Report:
    """Fetch every item into ``root`` (progress(i, n, item, done_bytes, total_bytes)); write
    the manifest; never raises for one bad file (see the report)."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    report = Report(plan_errors=list(plan_errors or []))
    t0 = time.perf_counter()
    for i, item in enumerate(items):
        dst = root / item.path
        cb = (lambda d, t, i=i, item=item: progress(i, len(items), item, d, t)) if progress else None
        try:
            status = F.fetch(item.url, dst, item.check, cb, retries=retries, timeout=timeout,
                             pause=pause)
            out = item.unpacked(root)
            if out is not None and (status != "present" or not out.is_file()):
                unpack(item, root)
            d = F.digests(dst)
            report.results.append(Result(item, status, dst.stat().st_size, d["sha256"]))
        except F.CorruptError as exc:
            report.results.append(Result(item, "corrupt", error=str(exc)))
        except (F.FetchError, OSError, EOFError) as exc:
            report.results.append(Result(item, "failed", error=str(exc)))
    report.seconds = time.perf_counter() - t0
    write_manifest(root, report)
    return report


def write_manifest(root: Path, report: Report) -> Path:
    files = []
    for r in report.results:
        entry = {"kind": r.item.kind, "key": r.item.key, "label": r.item.label,
                 "path": r.item.path, "url": r.item.url, "status": r.status,
                 "check": r.item.check.describe()}
        if r.bytes:
            entry.update(bytes=r.bytes, sha256=r.sha256)
            out = r.item.unpacked(root)
            if out is not None:
                entry["unpacked"] = out.relative_to(root).as_posix()
        if r.error:
            entry["error"] = r.error
        files.append(entry)
    doc = {"app": "Deep Learning Playground", "created": time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                                                          time.gmtime()),
           "complete": report.ok, "total_bytes": report.total_bytes, "files": files,
           "errors": report.plan_errors,
           "use": f"start the app with PLAYGROUND_BUNDLE={root}"}
    path = root / MANIFEST
    tmp = path.with_name(MANIFEST + ".partial")
    tmp.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    os.replace(tmp, path)
    return path


def read_manifest(root: Path) -> dict | None:
    try:
        return json.loads((Path(root) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def verify_bundle(root: Path) -> list[tuple[str, str]]:
    """(path, problem) for every manifest file that is missing or no longer matches its
    recorded sha256 (no network)."""
    doc = read_manifest(root)
    if doc is None:
        return [(MANIFEST, "missing or unreadable")]
    problems = []
    for e in doc.get("files", []):
        p = Path(root) / e["path"]
        if "sha256" not in e:
            problems.append((e["path"], e.get("error") or e.get("status", "not downloaded")))
        elif not p.is_file():
            problems.append((e["path"], "missing"))
        else:
            ok, why, _ = F.verify(p, F.Check(sha256=e["sha256"], size=e.get("bytes")))
            if not ok:
                problems.append((e["path"], why))
    return problems
