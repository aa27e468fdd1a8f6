"""Speech to text: record or upload audio, see it as a waveform and a spectrogram, transcribe it."""
import streamlit as st

from playground import ui
from playground.speech import asr as ASR
from playground.speech import audio as A
from playground.speech import figures as SF
from playground.speech import settings as SS

ui.page_setup()
P = "speech"  # session-state prefix of this page
state = st.session_state
SOURCES = {"sample": ":material/graphic_eq: Sample clip", "record": ":material/mic: Record",
           "upload": ":material/upload: Upload a file"}
MIC_NOTE = ("Browsers allow the microphone (and the camera) only on pages served over HTTPS or "
            "from this computer (localhost). On a plain http:// address of a classroom server "
            "the recorder stays silent: use the sample clip or upload a file instead.")

st.title("Speech to text")
for w in ui.load_query_once(P, SS.from_query):
    st.warning(w)
ui.lesson_gate("speech")
st.caption("Whisper tiny (39 M parameters, OpenAI) turns speech into text. It does not hear sound "
           "waves: it reads a picture of them, the log-mel spectrogram shown below. Up to 30 s per "
           "clip; the model is downloaded once per server.")

src = ui.kept_or(P, "source", "sample", st.radio, "Audio", list(SOURCES), format_func=SOURCES.get,
                 horizontal=True)
if state.get("speech__src") != src:             # another source: the old transcript is not its
    state.pop("speech_out", None)
    state["speech__src"] = src
up = None
if src == "sample":
    st.caption(f"A bundled clip made with the espeak-ng speech synthesizer: “{A.SAMPLE_TEXT}”")
elif src == "record":
    up = st.audio_input(f"Record up to {A.MAX_SECONDS:.0f} s", key="speech_mic", sample_rate=16000)
    st.caption(MIC_NOTE)
else:
    up = st.file_uploader("WAV, MP3, OGG or FLAC", type=A.UPLOAD_TYPES, key="speech_file")


def decoded(up):
    """The clip of this upload (decoded once per file in the session) or an error text."""
    res, new = ui.read_upload("speech__clip", up,
                              lambda raw: A.decode(raw, name=up.name or "recording.wav"), A.AudioError)
    if new:
        state.pop("speech_out", None)
    return res


clip = None
if src == "sample":
    clip = A.sample_clip()
elif up is None:
    st.info("Record a sentence with the microphone button, or upload a short audio file.")
else:
    res = decoded(up)
    if isinstance(res, str):
        st.error(res)
    else:
        clip = res

left, right = st.columns([1.3, 1])
with left, ui.section("Your audio"):
    if clip is not None:
        st.audio(A.encode(clip.samples, clip.sr), format="audio/wav")
        st.caption(f"What the model hears: {clip.seconds:.1f} s, mono, {clip.sr / 1000:g} kHz, "
                   f"loudness {max(clip.rms_dbfs, -120):.0f} dBFS.")
        for note in clip.notes:
            st.caption(note)
        ui.plotly(st, SF.waveform(clip), key="speech_wave")
        ui.plotly(st, SF.spectrogram(clip), key="speech_spec")
        st.caption("Bright = loud. Speech shows up as stacked bands (the harmonics of your voice) "
                   "that rise and fall; hiss fills the whole height; a pure tone is one line.")
with right, ui.section("Transcript"):
    st.subheader("Transcript")
    usable = ui.hf_model_box("whisper")
    lang = ui.kept_or(P, "language", "auto", st.selectbox, "Language", list(ASR.LANGUAGES),
                      format_func=ASR.LANGUAGES.get,
                      help="Whisper detects the language by itself; choosing it helps on short clips.")
    go = st.button("Transcribe", key="speech_go", type="primary", disabled=clip is None or not usable)
    if clip is not None and clip.silent:
        st.warning(clip.silence_message(), icon=":material/volume_off:")
    elif go and clip is not None and usable:
        lm = ui.hf_model("whisper")
        if lm is not None:
            state["speech_out"] = ASR.transcribe(lm, clip, lang)
    out = state.get("speech_out")
    if out is not None and clip is not None:
        if out.text:
            st.success(out.text, icon=":material/notes:")
        else:
            st.info("Whisper heard no words in this clip.")
        st.caption(f"{out.audio_seconds:.1f} s of audio transcribed in {out.seconds:.1f} s.")
        lm = ui.hf_model("whisper")
        if lm is not None:
            ui.hf_cost(P, lm)
ui.link_settings(P, "speech", SS.to_query)   # the page never stops early: every control is drawn
