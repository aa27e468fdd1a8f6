"""Language models on your own words: sentiment, summaries and translation, fill in the blank."""
import streamlit as st

from playground import ui
from playground.language import figures as LF
from playground.language import settings as LS
from playground.language import tasks as T
from playground.language.hub import ModelError
from playground.transformer import chargpt as CG
from playground.transformer import fill_blank as FB

ui.page_setup()
P = "lang"  # session-state prefix of this page
state = st.session_state

for name, text in LS.EXAMPLES.items():
    ui.stored(P).setdefault(name, text)
TABS = {"sent": ":material/sentiment_satisfied: Sentiment", "t5": ":material/translate: Summarize and translate",
        "mask": ":material/edit: Fill in the blank"}

st.title("Language models")
for w in ui.load_query_once(P, LS.from_query):
    st.warning(w)
ui.lesson_gate("language")
st.caption("Pretrained transformers from the Hugging Face hub, on your own text. Each model is "
           "downloaded once per server and shared by everyone, so the first use takes a while; "
           "after that an answer takes about a second.")


def run(key: str, out_key: str, fn):
    """Load the model (first use) and store fn(model) or the reason it failed."""
    lm = ui.hf_model(key)
    if lm is None:
        state.pop(out_key, None)
        return
    try:
        state[out_key] = fn(lm)
    except (T.InputError, ModelError) as exc:
        state[out_key] = str(exc)


def show_notice(result, limit: int):
    note = result.fitted.notice(limit)
    if note:
        st.warning(note, icon=":material/content_cut:")


def offline_hint(usable: bool):
    if not usable:
        st.caption("Without this download, the **Fill in the blank** tab still works: it runs on "
                   "the app's own small GPT, trained on this server.")


def show_cost(key: str, out_key: str):
    """The cost panel of a model that has been used in this session."""
    if out_key in state and not isinstance(state[out_key], str):
        lm = ui.hf_model(key)
        if lm is not None:
            ui.hf_cost(P, lm)


ui.link_settings(P, "language", LS.to_query)
# offline the page opens where it can do something: the app's own GPT fills in blanks
tab_sent, tab_t5, tab_mask = ui.kept_tabs(P, "tab", TABS, "lang_tab",
                                          "sent" if ui.hub_usable("sentiment") else "mask")

# ---- sentiment -----------------------------------------------------------------------------
with tab_sent, ui.section("Sentiment"):
    st.write("Is a sentence positive or negative? DistilBERT was fine-tuned on short movie-review "
             "sentences (SST-2), so it only knows these two answers — try sarcasm, negations "
             "(“not bad at all”) or a neutral fact and see how sure it still is.")
    usable = ui.hf_model_box("sentiment")
    offline_hint(usable)
    with st.form("lang_sent_form"):
        text = ui.kept_or(P, "sent_text", LS.EXAMPLES["sent_text"], st.text_area, "Your text",
                          height=110, max_chars=T.MAX_CHARS)
        go = st.form_submit_button("Classify sentiment", key="lang_sent_go", type="primary",
                                   disabled=not usable)
    if go and usable:
        run("sentiment", "lang_sent_out", lambda lm: T.sentiment(lm, text))
    out = state.get("lang_sent_out")
    if isinstance(out, str):
        st.info(out)
    elif out is not None:
        show_notice(out, 512)
        best, p = out.labels[0]
        c1, c2 = st.columns([1, 2])
        c1.metric("Sentiment", best, f"{p:.0%} sure", delta_color="off", delta_arrow="off")
        c1.caption(f"{out.fitted.n_kept} tokens read in {out.seconds * 1000:.0f} ms")
        ui.plotly(c2, LF.prob_bars(out.labels, "Probability of each answer"), key="lang_sent_chart")
    show_cost("sentiment", "lang_sent_out")

# ---- summaries and translation ---------------------------------------------------------------
MODES = {"summary": "Summarize", **{t: f"Translate to {t}" for t in T.TARGETS}}
with tab_t5, ui.section("Summarize and translate"):
    st.write("T5-small is one model for many text-to-text jobs: the task is written in front of "
             "your text (“summarize: …”, “translate English to German: …”) and it writes the answer "
             "word by word.")
    usable = ui.hf_model_box("t5")
    offline_hint(usable)
    with st.form("lang_t5_form"):
        mode = ui.kept_or(P, "t5_mode", "summary", st.radio, "Task", list(MODES),
                          format_func=MODES.get, horizontal=True)
        text = ui.kept_or(P, "t5_text", LS.EXAMPLES["t5_text"], st.text_area, "Your text (English)",
                          height=170, max_chars=T.MAX_CHARS)
        go = st.form_submit_button("Write", key="lang_t5_go", type="primary", disabled=not usable)
    if go and usable:
        run("t5", "lang_t5_out", lambda lm: (MODES[mode], T.summarize(lm, text) if mode == "summary"
                                              else T.translate(lm, text, mode)))
    out = state.get("lang_t5_out")
    if isinstance(out, str):
        st.info(out)
    elif out is not None:
        label, res = out
        show_notice(res, 512)
        st.markdown(f"**{label}**")
        st.code(res.text or "(the model wrote nothing)", language=None, wrap_lines=True)
        st.caption(f"Read {res.fitted.n_kept:,} tokens, wrote {res.n_out} tokens in "
                   f"{res.seconds:.1f} s (greedy search with 2 beams).")
    show_cost("t5", "lang_t5_out")

# ---- fill in the blank -------------------------------------------------------------------------
def own_fill_blank(lm):
    """The app's own left-to-right GPT fills the blank by scoring whole sentences."""
    st.write("The app's own GPT reads left to right, one character at a time, so it never sees "
             "the words after a blank. It fills a blank by putting each candidate word in and "
             "comparing how likely the whole sentence becomes, right side included: BERT instead "
             "reads both sides of the blank at once and names the hidden word directly.")
    if ui.stored(P).get("mask_text") == LS.EXAMPLES["mask_text"] and "mask_text" not in st.query_params:
        ui.remember(P, "mask_text", LS.OWN_MASK_TEXT)       # BERT's example means nothing to it
    with st.form("lang_own_form"):
        text = ui.kept_or(P, "mask_text", LS.OWN_MASK_TEXT, st.text_area, "Sentence with [MASK]",
                          height=80, max_chars=T.MAX_CHARS)
        c1, c2 = st.columns([3, 1])
        words = ui.kept_or(P, "mask_words", "", c1.text_input, "Candidate words, separated by "
                           "commas (empty: the most frequent words of Genesis)",
                           max_chars=FB.MAX_WORDS_CHARS, placeholder="e.g. earth, land, light, water")
        k = ui.kept_or(P, "mask_k", 5, c2.slider, "Frequent words to show", 3, 10)
        st.form_submit_button("Rank the candidates", key="lang_own_go", type="primary")
    try:
        res = ui.memo("lang_own", (lm.ident, text, words, k),
                      lambda: FB.rank(lm, text, words, CG.load_text(), k))
    except T.InputError as exc:
        st.info(str(exc))
        return
    n = len(res.rows)
    where = ("your words" if res.typed else f"the {n} likeliest of the {res.pool} most frequent "
             "words of Genesis (type your own words to compare others)")
    bert = "" if ui.hub_usable("fill_mask") else (" BERT, which reads both sides of the blank at "
                                                    "once, needs the internet (a one-time download).")
    st.markdown(f"**{FB.verdict(res)}**{bert}")
    left, right = st.columns([1, 1])
    fig = LF.prob_bars([(r.word, r.share) for r in res.rows],
                       f"Probability among these {n} candidates only", full_range=False)
    ui.plotly(left, fig, key="lang_own_chart")
    left.caption(f"Candidates: {where}. Normalised over these {n} candidates only: other words "
                 f"could be likelier still. Scored in {res.seconds * 1000:.0f} ms.")
    right.dataframe({"word": [r.word for r in res.rows],
                     "log P(sentence)": [round(r.logprob, 2) for r in res.rows],
                     "per character": [round(r.per_char, 3) for r in res.rows],
                     "share": [f"{r.share:.1%}" for r in res.rows]},
                    hide_index=True, key="lang_own_table")
    right.caption("log P(sentence): the natural log of the probability the model gives every "
                  "character of the sentence, each from the 64 before it. A longer word has more "
                  "characters to predict, so the per-character average is shown too.")
    for note in res.notes:
        st.caption(note)


with tab_mask, ui.section("Fill in the mask"):
    st.write("Masked language models are trained to guess hidden words. Write a sentence with "
             "[MASK] (or ___) where a word is missing.")
    mask_model, own_lm, _ = ui.lm_choice(P, ["fill_mask"])
    if own_lm is not None:
        own_fill_blank(own_lm)
    else:
        st.caption("BERT fills up to three blanks at once.")
        if ui.stored(P).get("mask_text") == LS.OWN_MASK_TEXT and "mask_text" not in st.query_params:
            ui.remember(P, "mask_text", LS.EXAMPLES["mask_text"])
        with st.form("lang_mask_form"):
            text = ui.kept_or(P, "mask_text", LS.EXAMPLES["mask_text"], st.text_area,
                              "Sentence with [MASK]", height=80, max_chars=T.MAX_CHARS)
            k = ui.kept_or(P, "mask_k", 5, st.slider, "Candidates to show", 3, 10)
            go = st.form_submit_button("Guess the word", key="lang_mask_go", type="primary")
        if go:
            run("fill_mask", "lang_mask_out", lambda lm: T.fill_mask(lm, text, top_k=k))
        out = state.get("lang_mask_out")
        if isinstance(out, str):
            st.info(out)
        elif out is not None:
            show_notice(out, 512)
            for note in out.notes:
                st.caption(note)
            cols = st.columns(len(out.candidates))
            for i, (col, cands) in enumerate(zip(cols, out.candidates)):
                title = "Top candidates" if len(out.candidates) == 1 else f"Blank {i + 1}"
                fig = LF.prob_bars([(w, p) for w, p, _ in cands], title, full_range=False)
                ui.plotly(col, fig, key=f"lang_mask_chart_{i}")
            st.dataframe({"sentence": [c[2] for c in out.candidates[0]],
                          "probability": [f"{c[1]:.1%}" for c in out.candidates[0]]},
                         hide_index=True, key="lang_mask_table")
            st.caption(f"{out.fitted.n_kept} tokens read in {out.seconds * 1000:.0f} ms.")
        show_cost("fill_mask", "lang_mask_out")
