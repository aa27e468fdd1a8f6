"""Exact pins and the lock agree (tools/update_pins.py), so a fresh install gets the versions the
tests passed with."""
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("update_pins", ROOT / "tools" / "update_pins.py")
UP = importlib.util.module_from_spec(spec)
sys.modules["update_pins"] = UP
spec.loader.exec_module(UP)


def test_pins_and_lock_agree():
    assert UP.check() == []


def test_every_direct_dependency_is_pinned_and_locked():
    pins, lock = UP.direct(), UP.read_lock()
    assert {"streamlit", "torch", "torchvision", "transformers", "pytest"} <= set(pins)
    assert pins["torch"][2] == "2.14.1" and pins["torchvision"][2] == "0.29.1"   # on this disk
    assert all(lock[name] == version for name, (_, _, version) in pins.items())


def _copy(tmp_path: Path) -> Path:
    for name in UP.REQUIREMENT_FILES + (UP.LOCK,):
        (tmp_path / name).write_text((ROOT / name).read_text())
    return tmp_path


def test_check_finds_a_range_a_stale_lock_and_a_missing_dependency(tmp_path):
    root = _copy(tmp_path)
    req = root / "requirements.txt"
    req.write_text(req.read_text().replace("numpy==", "numpy>=", 1))
    assert any("not an exact pin" in p for p in UP.check(root))
    root = _copy(tmp_path)
    lock = root / UP.LOCK
    lock.write_text(lock.read_text().replace("\nstreamlit==", "\nstreamlit==0.0.1+", 1))
    assert any(p.startswith("streamlit: requirements.txt pins") for p in UP.check(root))
    root = _copy(tmp_path)
    lock.write_text("\n".join(l for l in lock.read_text().splitlines() if not l.startswith("altair")) + "\n")
    assert any("needs altair" in p for p in UP.check(root))


def test_repin_moves_pins_to_the_installed_versions(tmp_path):
    from importlib import metadata

    root = _copy(tmp_path)
    req = root / "requirements.txt"
    req.write_text(req.read_text().replace(f"pandas=={metadata.version('pandas')}", "pandas==1.0.0"))
    assert UP.check(root)
    UP.repin(root)
    assert UP.check(root) == [] and f"pandas=={metadata.version('pandas')}" in req.read_text()
    assert (root / UP.LOCK).read_text() == (ROOT / UP.LOCK).read_text()
