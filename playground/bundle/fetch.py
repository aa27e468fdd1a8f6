"""Download one file into a bundle: resume an interrupted download, check its hash, never
leave a damaged file under its final name.

The bytes arrive in ``<name>.part``; a later attempt (or a later run of the command) asks the
server for the rest with an HTTP ``Range`` request and appends. Only a file whose checksum
matches is renamed to its final name. A file that is already there is checked again and
fetched anew when it does not match (a bundle copied onto a bad USB stick is detected).

Checks, whichever the source publishes: a sha256 (Hugging Face LFS files), a prefix of the
sha256 (torch.hub's file-name convention, e.g. ``resnet18-f37072fd.pth``), a git blob sha1
(small Hugging Face files) or an md5 (MNIST's published checksums).
"""
from __future__ import annotations

import hashlib
import http.client
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

CHUNK = 1 << 16
USER_AGENT = "deep-learning-playground-bundle"


class FetchError(RuntimeError):
    """A file that could not be downloaded (network, HTTP)."""


class CorruptError(FetchError):
    """A file whose checksum does not match what its source publishes."""


@dataclass(frozen=True)
class Check:
    sha256: str | None = None          # full hex digest
    sha256_prefix: str | None = None   # torch.hub's file-name hash
    git_sha1: str | None = None        # git blob id: sha1(b"blob <size>\0" + content)
    md5: str | None = None
    size: int | None = None            # exact bytes, when the source says

    def describe(self) -> str:
        for name in ("sha256", "sha256_prefix", "git_sha1", "md5"):
            if getattr(self, name):
                return f"{name.replace('_', ' ')} {getattr(self, name)[:16]}"
        return "size only" if self.size else "no checksum published"


def digests(path: Path) -> dict[str, str]:
    """sha256, md5 and git blob sha1 of a file, in one pass."""
    sha, md5 = hashlib.sha256(), hashlib.md5()
    git = hashlib.sha1(f"blob {path.stat().st_size}\0".encode())
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            sha.update(chunk)
            md5.update(chunk)
            git.update(chunk)
    return {"sha256": sha.hexdigest(), "md5": md5.hexdigest(), "git_sha1": git.hexdigest()}


def verify(path: Path, check: Check) -> tuple[bool, str, dict]:
    """(ok, reason, digests) for the file at ``path``."""
    size = path.stat().st_size
    if check.size is not None and size != check.size:
        return False, f"{size} bytes instead of {check.size}", {}
    d = digests(path)
    if check.sha256 and d["sha256"] != check.sha256.lower():
        return False, "sha256 does not match", d
    if check.sha256_prefix and not d["sha256"].startswith(check.sha256_prefix.lower()):
        return False, f"sha256 does not start with {check.sha256_prefix}", d
    if check.git_sha1 and d["git_sha1"] != check.git_sha1.lower():
        return False, "git blob id does not match", d
    if check.md5 and d["md5"] != check.md5.lower():
        return False, "md5 does not match", d
    return True, "", d


Progress = Callable[[int, "int | None"], None]


def _attempt(url: str, part: Path, progress: Progress | None, timeout: float) -> int | None:
    """One HTTP request, resuming ``part``; returns the total size if the server said it."""
    have = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": USER_AGENT}
    if have:
        headers["Range"] = f"bytes={have}-"
    try:
        r = urlopen(Request(url, headers=headers), timeout=timeout)
    except HTTPError as exc:
        if exc.code == 416 and have:           # nothing left to send: the part is complete
            return have
        raise
    with r:
        resumed = have and r.status == 206
        length = r.headers.get("Content-Length")
        total = (have if resumed else 0) + int(length) if length else None
        done = have if resumed else 0
        with open(part, "ab" if resumed else "wb") as f:
            if progress:
                progress(done, total)
            while chunk := r.read(CHUNK):
                f.write(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
        if total is not None and done < total:
            raise http.client.IncompleteRead(b"", total - done)
    return total


def fetch(url: str, dst: Path, check: Check, progress: Progress | None = None,
          retries: int = 3, timeout: float = 30.0, pause: float = 0.5) -> str:
    """Make ``dst`` a verified copy of ``url``; returns "present", "downloaded" or "replaced".

    Up to ``retries`` further attempts resume where the last one stopped. Raises
    :class:`CorruptError` (the bad bytes are deleted) or :class:`FetchError`; a partial
    download stays in ``<dst>.part`` for the next run to resume."""
    dst = Path(dst)
    replaced = False
    if dst.is_file():
        ok, _, _ = verify(dst, check)
        if ok:
            return "present"
        dst.unlink()
        replaced = True
    dst.parent.mkdir(parents=True, exist_ok=True)
    part = dst.with_name(dst.name + ".part")
    last: Exception | None = None
    for attempt in range(retries + 1):
        try:
            _attempt(url, part, progress, timeout)
            last = None
            break
        except HTTPError as exc:
            last = exc
            if 400 <= exc.code < 500 and exc.code not in (408, 429):
                break                          # not found / forbidden: retrying will not help
        except (URLError, OSError, http.client.HTTPException, TimeoutError) as exc:
            last = exc
        if attempt < retries:
            time.sleep(pause)
    if last is not None:
        raise FetchError(f"{dst.name}: download failed ({type(last).__name__}: "
                         f"{str(last)[:160]}); run the command again to resume.")
    ok, why, _ = verify(part, check)
    if not ok:
        part.unlink(missing_ok=True)
        raise CorruptError(f"{dst.name} is corrupt ({why}); the bad copy was deleted, run the "
                           "command again to download it anew.")
    os.replace(part, dst)
    return "replaced" if replaced else "downloaded"
