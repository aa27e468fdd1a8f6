from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground.language import hub as H
from tests import language_models as LMB

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def strict_errors(monkeypatch):
    """The pages' error boundary shows its message and raises too: unforeseen errors fail tests."""
    monkeypatch.setenv("PLAYGROUND_STRICT_ERRORS", "1")
    from streamlit import config   # deployments hide error details (.streamlit/config.toml); tests show them

    monkeypatch.setattr(config, "get_option", _showing_errors(config.get_option))


def _showing_errors(get):
    return lambda key: "full" if key == "client.showErrorDetails" else get(key)


@pytest.fixture(autouse=True)
def quick_own_gpt(monkeypatch):
    """Pages that show the app's own GPT train it for 120 steps in tests (500 in the app)."""
    monkeypatch.setenv("PLAYGROUND_OWN_GPT_STEPS", "120")
    monkeypatch.setenv("PLAYGROUND_OWN_DETECT_STEPS", "100")   # the own digit detector: 200 in the app


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


@pytest.fixture
def offline(monkeypatch):
    """No internet and no teacher's model folder: every language model page must say why."""
    monkeypatch.setenv("PLAYGROUND_OFFLINE", "1")
    monkeypatch.delenv(H.MODELS_DIR_ENV, raising=False)


@pytest.fixture
def tiny(monkeypatch):
    """Tiny local language models in the teacher's folder; returns {key: folder}."""
    root, folders = LMB.shared()
    monkeypatch.setenv("PLAYGROUND_OFFLINE", "1")
    monkeypatch.setenv(H.MODELS_DIR_ENV, str(root))
    return folders
