"""``python -m playground.bundle DIR``: every pretrained model and data set of the app in DIR.

Run it where there is internet, copy DIR to the classroom machine and start the app with
``PLAYGROUND_BUNDLE=DIR streamlit run app.py``: every page then works offline. Run it again
to resume an interrupted download or repair damaged files; ``--verify`` checks a copied
bundle against its manifest without any network; ``--list`` shows what would be fetched.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import build as B, plan as P
from .paths import BUNDLE_ENV

PARTS = ("torchvision", "hf", "data")


def _mb(n: int | None) -> str:
    return "?" if n is None else f"{n / 2 ** 20:,.1f} MB"


class Printer:
    """One line per file, with percentages every 10 % (or a live line on a terminal)."""

    def __init__(self, out=sys.stderr):
        self.out, self.tty = out, out.isatty()
        self.key, self.shown, self.t = None, -1, 0.0

    def __call__(self, i, n, item, done, total):
        if self.key != item.path:
            self.key, self.shown = item.path, -1
            print(f"[{i + 1}/{n}] {item.path}  ({_mb(total or item.size)}) from {item.url}",
                  file=self.out, flush=True)
        pct = int(100 * done / total) if total else 0
        now = time.monotonic()
        if self.tty and (now - self.t > 0.2 or done == total):
            self.t = now
            print(f"\r    {_mb(done)} of {_mb(total)}  {pct:3d} %", end="", file=self.out,
                  flush=True)
            if done == total:
                print(file=self.out)
        elif not self.tty and pct // 10 > self.shown // 10:
            self.shown = pct
            print(f"    {pct:3d} %  {_mb(done)}", file=self.out, flush=True)


def plan(args) -> tuple[list[P.Item], list[str]]:
    items, errors = [], []
    parts = args.only or PARTS
    if "torchvision" in parts:
        items += P.torchvision_items(args.torchvision_url)
    if "hf" in parts:
        hf, errors = P.hf_items(args.hf_endpoint)
        items += hf
    if "data" in parts:
        items += P.data_items(args.data_url)
    return items, errors


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m playground.bundle", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dir", nargs="?", help="the bundle directory (created if needed)")
    ap.add_argument("--only", action="append", choices=PARTS,
                    help="only this part (repeatable): torchvision weights, Hugging Face "
                         "folders, data sets")
    ap.add_argument("--list", action="store_true",
                    help="print the registries' file sizes and the total, download nothing")
    ap.add_argument("--verify", action="store_true",
                    help="check DIR against its manifest (no network)")
    ap.add_argument("--retries", type=int, default=3, help="attempts per file after the first")
    ap.add_argument("--torchvision-url", help=f"instead of {P.TORCHVISION_BASE}")
    ap.add_argument("--hf-endpoint", help="instead of $HF_ENDPOINT or https://huggingface.co")
    ap.add_argument("--data-url", help="instead of torchvision's MNIST mirrors "
                                       "(files at <url>/MNIST/<name>)")
    args = ap.parse_args(argv)
    if args.list:
        sizes = P.estimated_sizes()
        for part, n in sizes.items():
            print(f"{part:12s} {_mb(n):>12s}")
        print(f"{'total':12s} {_mb(sum(sizes.values())):>12s}  (data sets also unpacked on disk)")
        return 0
    if not args.dir:
        ap.error("give the bundle directory")
    root = Path(args.dir).expanduser()
    if args.verify:
        problems = B.verify_bundle(root)
        for path, why in problems:
            print(f"BAD  {path}: {why}")
        print("bundle OK" if not problems else f"{len(problems)} problem(s); run "
              f"`python -m playground.bundle {root}` again to repair")
        return 0 if not problems else 1
    items, errors = plan(args)
    for e in errors:
        print(f"ERROR {e}", file=sys.stderr)
    report = B.build(root, items, Printer(), retries=args.retries, plan_errors=errors)
    for r in report.results:
        if r.error:
            print(f"{r.status.upper():8s} {r.error}", file=sys.stderr)
    print(f"{report.count('downloaded', 'replaced')} downloaded, {report.count('present')} "
          f"already there, {report.count('replaced')} repaired, {report.count('corrupt')} "
          f"corrupt, {report.count('failed')} failed; {_mb(report.total_bytes)} in {root} "
          f"({report.seconds:.1f} s). Manifest: {root / B.MANIFEST}")
    if report.ok:
        print(f"Start the app with {BUNDLE_ENV}={root} to use it offline.")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
