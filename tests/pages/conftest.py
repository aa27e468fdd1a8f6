from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def open_page():
    """open_page("pages/x.py", query={...}) -> an AppTest that has run that page once."""
    def _open(path: str, query: dict | None = None, timeout: float = 120) -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
        for k, v in (query or {}).items():
            at.query_params[k] = v
        at.run()
        if path != "pages/home.py":
            at.switch_page(path)
            at.run()
        assert not at.exception, at.exception
        return at
    return _open
