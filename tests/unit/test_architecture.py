"""House rules that keep the package readable: Streamlit only in the glue, modules small."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STREAMLIT = re.compile(r"^\s*(import streamlit|from streamlit)", re.M)


def test_only_the_glue_package_imports_streamlit():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "playground").rglob("*.py")
                 if STREAMLIT.search(p.read_text()) and "ui" not in p.relative_to(ROOT / "playground").parts[:1]]
    assert offenders == []


def test_no_module_is_oversized():
    files = [*(ROOT / "playground").rglob("*.py"), *(ROOT / "pages").glob("*.py"), ROOT / "app.py"]
    big = {str(p.relative_to(ROOT)): n for p in files if (n := len(p.read_text().splitlines())) > 450}
    assert big == {}
