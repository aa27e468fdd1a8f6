"""Language, speech, costs and data-efficiency pages in a real headless Chromium.

One server runs with tiny local models (``$PLAYGROUND_HF_DIR``), one fully offline without any.
A user types text, uploads a WAV generated here, and the results are screenshot into
``artifacts/`` (gitignored) for a human look.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from playground.speech import audio as A
from tests import language_models as LMB

from .server import ROOT, app_server, wait_idle

ARTIFACTS = ROOT / "artifacts"
EXCEPTION = '[data-testid="stException"]'
TIMEOUT = 60_000   # ms; the machine is shared and the first model load takes a few seconds


@pytest.fixture(scope="module")
def tiny_url():
    root, _ = LMB.shared()
    ARTIFACTS.mkdir(exist_ok=True)
    with app_server(env={"PLAYGROUND_OFFLINE": "1", "PLAYGROUND_HF_DIR": str(root)}) as url:
        yield url


@pytest.fixture(scope="module")
def offline_url():
    ARTIFACTS.mkdir(exist_ok=True)
    with app_server(env={"PLAYGROUND_OFFLINE": "1", "PLAYGROUND_HF_DIR": ""}) as url:
        yield url


@pytest.fixture
def tab(chromium):
    ctx = chromium.new_context(viewport={"width": 1400, "height": 2000})   # tall: whole page
    pg = ctx.new_page()
    yield pg
    ctx.close()


def open_page(page: Page, url: str, path: str, heading: str):
    page.goto(url + path)
    expect(page.get_by_role("heading", name=heading)).to_be_visible(timeout=TIMEOUT)
    wait_idle(page, TIMEOUT)
    assert_healthy(page)


def assert_healthy(page: Page):
    exc = page.locator(EXCEPTION)
    assert exc.count() == 0, "exception box:\n" + "\n".join(exc.all_inner_texts())


def test_type_text_and_read_the_answers(tab: Page, tiny_url):
    open_page(tab, tiny_url, "/language", "Language models")
    tab.locator(".st-key-lang_sent_text textarea").fill("What a wonderful, funny film. I loved it!")
    tab.locator(".st-key-lang_sent_go button").click()
    expect(tab.get_by_test_id("stMetricLabel").filter(has_text="Sentiment")).to_be_visible(timeout=TIMEOUT)
    wait_idle(tab, TIMEOUT)
    assert_healthy(tab)
    tab.get_by_text("What DistilBERT fine-tuned on SST-2 costs").click()      # open the expander
    tab.locator(".st-key-lang_cost_sentiment button").click()
    expect(tab.get_by_test_id("stMetricLabel").filter(has_text="MACs per input")).to_be_visible(timeout=TIMEOUT)
    wait_idle(tab, TIMEOUT)
    tab.screenshot(path=str(ARTIFACTS / "language_sentiment.png"), full_page=True)

    tab.get_by_role("tab", name="Fill in the blank").click()
    tab.locator(".st-key-lang_mask_text textarea").fill("The cat sat on the [MASK].")
    tab.locator(".st-key-lang_mask_go button").click()
    expect(tab.locator(".st-key-lang_mask_chart_0")).to_be_visible(timeout=TIMEOUT)
    wait_idle(tab, TIMEOUT)
    assert_healthy(tab)
    tab.screenshot(path=str(ARTIFACTS / "language_fill_mask.png"), full_page=True)

    tab.get_by_role("tab", name="Summarize and translate").click()
    tab.get_by_text("Translate to German").click()
    tab.locator(".st-key-lang_t5_text textarea").fill("The cat sat on the mat.")
    tab.locator(".st-key-lang_t5_go button").click()
    expect(tab.get_by_text("Translate to German").last).to_be_visible(timeout=TIMEOUT)
    expect(tab.get_by_text("tokens in")).to_be_visible(timeout=TIMEOUT)
    wait_idle(tab, TIMEOUT)
    assert_healthy(tab)
    tab.screenshot(path=str(ARTIFACTS / "language_translate.png"), full_page=True)


def test_upload_a_wav_and_transcribe(tab: Page, tiny_url, tmp_path):
    wav = tmp_path / "hello.wav"
    x = A.tone(220, 2.0, 22050) + A.tone(660, 2.0, 22050, amp=0.2)
    wav.write_bytes(A.encode(x, 22050))
    open_page(tab, tiny_url, "/speech", "Speech to text")
    tab.get_by_text("Upload a file").click()
    tab.locator(".st-key-speech_file input[type=file]").set_input_files(str(wav))
    expect(tab.locator(".st-key-speech_spec")).to_be_visible(timeout=TIMEOUT)
    expect(tab.locator(".st-key-speech_wave")).to_be_visible(timeout=TIMEOUT)
    wait_idle(tab, TIMEOUT)
    tab.locator(".st-key-speech_go button").click()
    expect(tab.get_by_text("transcribed in")).to_be_visible(timeout=TIMEOUT)
    wait_idle(tab, TIMEOUT)
    assert_healthy(tab)
    assert tab.get_by_text("Resampled from 22.05 kHz").count() == 1
    tab.screenshot(path=str(ARTIFACTS / "speech_transcript.png"), full_page=True)


def test_costs_and_data_efficiency_pages(tab: Page, tiny_url):
    open_page(tab, tiny_url, "/costs", "What models cost")
    expect(tab.get_by_test_id("stMetricLabel").filter(has_text="MACs per input").first).to_be_visible(
        timeout=TIMEOUT)
    tab.locator(".st-key-cost_model").click()
    tab.get_by_role("option", name="MobileNetV3-Large").click()
    tab.locator(".st-key-cost_measure button").click()
    expect(tab.locator(".st-key-cost_compare")).to_be_visible(timeout=TIMEOUT)   # 2 measured
    wait_idle(tab, TIMEOUT)
    assert_healthy(tab)
    tab.screenshot(path=str(ARTIFACTS / "costs.png"), full_page=True)
    open_page(tab, tiny_url, "/data_efficiency", "Data efficiency: how much data does a network need?")
    tab.locator(".st-key-eff_run button").click()
    expect(tab.locator(".st-key-eff_chart")).to_be_visible(timeout=TIMEOUT)
    wait_idle(tab, TIMEOUT)
    assert_healthy(tab)
    tab.screenshot(path=str(ARTIFACTS / "data_efficiency.png"), full_page=True)


def test_offline_pages_explain_and_keep_working(tab: Page, offline_url, tmp_path):
    open_page(tab, offline_url, "/language", "Language models")
    # offline the page opens on fill in the blank, run by the app's own GPT
    expect(tab.locator(".st-key-lang_own_chart")).to_be_visible(timeout=TIMEOUT)
    expect(tab.get_by_text("The app's GPT prefers")).to_be_visible()
    tab.locator(".st-key-lang_mask_words input").fill("earth, heaven, water")
    tab.locator(".st-key-lang_own_go button").click()
    expect(tab.get_by_text("among these 3 words")).to_be_visible(timeout=TIMEOUT)
    assert_healthy(tab)
    tab.screenshot(path=str(ARTIFACTS / "language_offline_fill.png"), full_page=True)
    tab.get_by_role("tab", name="Sentiment").click()
    expect(tab.get_by_text("needs a one-time download").first).to_be_visible(timeout=TIMEOUT)
    assert tab.get_by_text("needs a one-time download").count() == 2      # sentiment, T5
    expect(tab.locator(".st-key-lang_sent_go button")).to_be_disabled()
    tab.locator(".st-key-lang_sent_text textarea").fill("Typing still works offline.")
    assert_healthy(tab)
    tab.screenshot(path=str(ARTIFACTS / "language_offline.png"), full_page=True)
    wav = tmp_path / "tone.wav"
    wav.write_bytes(A.encode(A.tone(440, 1.5), 16000))
    open_page(tab, offline_url, "/speech", "Speech to text")
    tab.get_by_text("Upload a file").click()
    tab.locator(".st-key-speech_file input[type=file]").set_input_files(str(wav))
    expect(tab.locator(".st-key-speech_spec")).to_be_visible(timeout=TIMEOUT)
    expect(tab.get_by_text("needs a one-time download of").first).to_be_visible()
    expect(tab.locator(".st-key-speech_go button")).to_be_disabled()
    wait_idle(tab, TIMEOUT)
    assert tab.get_by_text("needs a one-time download of").count() == 1
    assert_healthy(tab)
    tab.screenshot(path=str(ARTIFACTS / "speech_offline.png"), full_page=True)
