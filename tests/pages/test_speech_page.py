"""AppTest: the speech page with recorded/uploaded audio, offline and with a tiny Whisper."""
import numpy as np
import pytest

from playground.speech import audio as A
from tests import language_models as LMB

float32_torch = LMB.float32_fixture()   # the app's default dtype, whatever other tests set

PAGE = "pages/speech.py"


def wav(x, sr=16000, fmt="WAV"):
    return A.encode(x, sr, fmt)


def test_offline_the_sample_clip_and_a_recording_show_waveform_and_spectrogram(open_page, offline):
    at = open_page(PAGE)
    assert any("needs a one-time download of `openai/whisper-tiny` (151 MB)" in w.value for w in at.warning)
    assert at.radio(key="speech_source").value == "sample" and not at.exception
    assert len(at.get("plotly_chart")) == 2                   # the bundled clip, no microphone
    assert any("What the model hears: 5.1 s" in c.value for c in at.caption)
    assert at.button(key="speech_go").disabled
    at.radio(key="speech_source").set_value("record").run()
    assert any("only on pages served over HTTPS" in c.value for c in at.caption)
    assert not at.get("plotly_chart")
    at.audio_input(key="speech_mic").set_value(("rec.wav", wav(A.tone(300, 1.5)), "audio/wav")).run()
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) == 2
    assert at.button(key="speech_go").disabled            # no model: nothing to transcribe with
    assert not at.exception and "speech_out" not in at.session_state


def test_upload_silence_garbage_and_long_files(open_page, offline):
    at = open_page(PAGE)
    at.radio(key="speech_source").set_value("upload").run()
    at.file_uploader(key="speech_file").set_value(("quiet.flac", wav(np.zeros(16000), fmt="FLAC"),
                                                   "audio/flac")).run()
    assert any("sounds silent" in w.value for w in at.warning)
    at.file_uploader(key="speech_file").set_value(("x.mp3", b"not audio" * 50, "audio/mpeg")).run()
    assert any("could not be read as audio" in e.value for e in at.error) and not at.exception
    at.file_uploader(key="speech_file").set_value(("long.ogg", wav(A.tone(200, 35.0, 8000), 8000, "OGG"),
                                                   "audio/ogg")).run()
    assert any("only the first 30 s" in c.value for c in at.caption)
    assert at.session_state["speech__clip"][1].seconds == pytest.approx(30.0)


def test_transcribe_with_a_local_whisper(open_page, tiny):
    at = open_page(PAGE)
    at.button(key="speech_go").click().run()                 # the bundled sample clip
    assert at.session_state["speech_out"].audio_seconds == pytest.approx(5.07, abs=0.01)
    at.radio(key="speech_source").set_value("record").run()
    assert "speech_out" not in at.session_state                 # not the recording's transcript
    at.audio_input(key="speech_mic").set_value(("rec.wav", wav(A.tone(440, 1.0)), "audio/wav")).run()
    at.selectbox(key="speech_language").select("english")
    at.button(key="speech_go").click().run()
    assert not at.exception
    out = at.session_state["speech_out"]
    assert out.language == "english" and out.audio_seconds == pytest.approx(1.0)
    assert any("transcribed in" in c.value for c in at.caption)
