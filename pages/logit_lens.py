"""Inside a language model's layers: the logit lens, a token's rank layer by layer, each head's
direct logit attribution, and the tokenizer."""
import numpy as np
import streamlit as st

from playground import ui
from playground.language.hub import ModelError
from playground.language.tasks import InputError
from playground.transformer import attention as A, figures as F, lens as LL, lens_figures as LF
from playground.transformer import settings as TS

ui.page_setup()
P = "lens"  # session-state prefix of this page
state = st.session_state
TABS = {"lens": "Top guess per layer", "rank": "One token's rank", "heads": "Which heads push it",
        "tokens": "Tokens"}

st.title("Inside a language model's layers")
for w in ui.load_query_once(P, TS.lm_from_query("logit_lens")):
    st.warning(w)
ui.lesson_gate("logit_lens")
st.caption("A decoder adds what each layer finds to one running vector per token, the residual "
           "stream; only at the end is it turned into scores for every token of the vocabulary. "
           "The logit lens applies that last step after every layer, as if the model stopped "
           "there: watch the guess for the next token take shape.")

key, own_lm, spec = ui.lm_choice(P, ["distilgpt2"])
if state.get("lens__for") != key:                 # another model: its own example text
    if state.get("lens__for") is not None or "text" not in ui.stored(P):   # (not a link's text)
        ui.remember(P, "text", TS.example_text("logit_lens", key))
    state["lens__for"] = key
    state.pop("lens_out", None)
with st.form("lens_form"):
    text = ui.kept_or(P, "text", ui.stored(P)["text"], st.text_area, "Your text", height=80,
                      max_chars=A.MAX_CHARS, help="The model reads it and guesses what comes next.")
    go = st.form_submit_button("Look inside", key="lens_go", type="primary",
                               icon=":material/layers:")
ui.link_settings(P, "logit_lens", lambda v: TS.lm_to_query("logit_lens", v))
lm = own_lm or ui.hf_model(key)
if lm is None:
    st.stop()
if go or "lens_out" not in state:
    try:
        with st.spinner("Running the model…"):
            state["lens_out"] = LL.run(lm, text)
    except (InputError, ModelError) as exc:
        state["lens_out"] = str(exc)
res = state["lens_out"]
if isinstance(res, str):
    st.info(res)
    st.stop()
if res.n_cut:
    st.warning(f"Your text has more tokens than this page reads; the last {res.n_cut:,} were "
               "cut off.", icon=":material/content_cut:")

tok = lm.tokenizer
decode = lambda i: tok.decode([int(i)])  # noqa: E731
labels = res.tokens.labels()
final = res.probs()[-1, -1]
best = int(np.argmax(final))
when = LL.first_layer_on_top(res)
names = LF.layer_names(res.layers)
st.markdown(f"After the whole model the next token is most likely **“{LF.show(decode(best))}”** "
            f"({final[best]:.1%}); " + ("it is the top guess already right after the embeddings, "
                                         "before any layer ran." if when == 0 else
                                         f"it becomes the top guess after layer {when - 1} and "
                                         "stays on top."))

t_lens, t_rank, t_heads, t_tok = ui.kept_tabs(P, "view", TABS, "lens_tab", "lens")
if t_lens.open:
    with t_lens:
        ui.plotly(st, LF.lens_grid(res, decode, labels), key="lens_grid")
        st.caption("Each column is a position of your text (the last 16), each row the residual "
                   "stream after one more layer, read through the final layer norm and the "
                   "unembedding. The cell shows the top guess for the token that comes next; "
                   "darker = surer. Hover for the top 3. The last row is the model's own output. "
                   + LL.describe_embedding_row(res))

order = [int(i) for i in np.argsort(-final, kind="stable")[:10]]
ui.stored(P)["best"] = best          # a link names the token to follow only when it is not this
if t_rank.open or t_heads.open:
    if ui.stored(P).get("target") not in order:
        ui.remember(P, "target", best)
    target = ui.kept_or(P, "target", best, st.selectbox, "Token to follow (the model's final "
                        "top 10)", order, format_func=lambda i: f"“{decode(i)}” ({final[i]:.1%})")
    if target not in order:
        target = best
    word = decode(target)
if t_rank.open:
    with t_rank:
        ranks = res.rank(target)
        ui.plotly(st, LF.rank_chart(ranks, res.probs()[:, -1, target], word), key="lens_rank")
        worst = int(np.argmax(ranks))
        st.caption(f"“{word}” ranks #{ranks[0] + 1:,} of {len(final):,} after the embeddings, "
                   f"#{ranks[worst] + 1:,} at its lowest ({names[worst]}) and #{ranks[-1] + 1} at "
                   "the end.")
if t_heads.open:
    with t_heads:
        dla = res.head_attribution(target)
        ui.plotly(st, LF.dla_heatmap(dla, word), key="lens_dla")
        st.markdown(LL.describe_heads(dla, word))
        parts = res.parts(target)
        total = float(dla.sum() + sum(parts.values()))
        ui.plotly(st, LF.parts_bars(parts, dla.sum(1)), key="lens_parts")
        st.caption(f"Direct logit attribution: the final score (logit) of “{word}” is "
                   f"{total:.2f}, exactly the sum of these bars: what each head, each MLP and "
                   "the embeddings wrote into the residual stream, read through the final layer "
                   "norm (its scale frozen) and the unembedding. It shows direct effects only: a "
                   "head can also help by feeding a later layer.")
if t_tok.open:
    with t_tok:
        toks = res.tokens
        st.markdown(f"**{len(toks)} tokens.** " + (
            "The app's own GPT reads one character per token; a character its training text "
            "never uses (an emoji, é, Ω, 漢) becomes the one unknown token �." if own_lm is not None
            else "GPT-2 splits text into pieces from a vocabulary of 50,257: `Ġ` marks a leading "
            "space; an emoji or a non-Latin character becomes several byte tokens (shown ⋯)."))
        ui.plotly(st, F.token_strip(toks), key="lens_strip")
        st.dataframe(toks.rows(), hide_index=True, key="lens_tokens_table",
                     column_config={"text": "your text", "token": "token (tokenizer's spelling)"})
        st.caption("Try “naïve café \U0001F600 Привет 你好” to see how a tokenizer handles emoji and "
                   "other scripts.")
ui.hf_cost(P, lm)
