"""Next-token prediction: a decoder's distribution, reshaped by temperature, top-k and top-p,
and generation one token at a time with the newest token's attention."""
import numpy as np
import streamlit as st

from playground import ui
from playground.language.hub import ModelError
from playground.language.tasks import InputError
from playground.transformer import attention as A, figures as F, sampling as S, settings as TS

ui.page_setup()
P = "next"  # session-state prefix of this page
HUB = ["distilgpt2"]   # the app's own tiny GPT is always offered first
state = st.session_state

st.title("Next-token prediction")
for w in ui.load_query_once(P, TS.lm_from_query("next_token")):
    st.warning(w)
ui.lesson_gate("next_token")
st.caption("A decoder like GPT-2 reads a text and gives every token of its vocabulary a "
           "probability of coming next. Choosing one, appending it and repeating is all text "
           "generation is. Temperature, top-k and top-p change which tokens can be chosen.")

KEY, own_lm, spec = ui.lm_choice(P, HUB)
ui.stored(P).setdefault("prompt", TS.example_text("next_token", KEY))
if own_lm is not None and ui.stored(P)["prompt"] == TS.example_text("next_token", "distilgpt2") \
        and "prompt" not in st.query_params:    # the hub example, not a link's prompt
    ui.remember(P, "prompt", TS.example_text("next_token", "own"))
with st.form("next_form"):
    prompt = ui.kept_or(P, "prompt", ui.stored(P)["prompt"], st.text_area, "Prompt", height=80,
                        max_chars=A.MAX_CHARS, help=None if own_lm is None else
                        "The app's own GPT reads one character per token, "
                        f"{A.token_limit(own_lm)} at most: the first "
                        f"{A.token_limit(own_lm) - S.reserve(own_lm)} of your prompt are used.")
    go = st.form_submit_button("Predict the next token", key="next_go", type="primary")

c = st.columns([1, 1, 1, 0.8, 1.2])
temperature = ui.kept_or(P, "temperature", 1.0, c[0].slider, "Temperature", min_value=0.0,
                         max_value=2.0, step=0.05, help="Divides the scores before the softmax: "
                         "below 1 sharpens (0 = always the most likely), above 1 flattens.")
top_k = ui.kept_or(P, "top_k", 0, c[1].slider, "Top-k (0 = off)", min_value=0, max_value=50,
                   help="Only the k most likely tokens can be chosen.")
top_p = ui.kept_or(P, "top_p", 1.0, c[2].slider, "Top-p (1 = off)", min_value=0.05, max_value=1.0,
                   step=0.05, help="Only the most likely tokens that together reach p can be chosen.")
seed = ui.kept_or(P, "seed", 0, c[3].number_input, "Seed", min_value=0, max_value=9999,
                  help="The random draws of “Add one token”: the same seed, prompt and settings "
                       "give the same text.")
greedy = ui.kept_or(P, "greedy", False, c[4].toggle, "Greedy: the top token",
                    help="On: always take the most likely token. Off: draw a token at random from "
                         "the reshaped distribution (seeded).")
ui.link_settings(P, "next_token", lambda v: TS.lm_to_query("next_token", v))


def model():
    return own_lm or ui.hf_model(KEY)


if state.get("next__for") != KEY:              # another model: its own tokens from the start
    state["next__for"] = KEY
    state.pop("next_ids", None)
    go = go or own_lm is not None
if go:
    lm = model()
    if lm is not None:
        try:
            state["next_ids"] = S.start(lm, prompt, S.reserve(lm))
            state["next_history"], state["next_rows"] = [], {}
            state.pop("next_res", None)
        except (InputError, ModelError) as exc:
            st.info(str(exc))
            state.pop("next_ids", None)

ids = state.get("next_ids")
if not ids:
    st.info("Type a prompt and press **Predict the next token**.")
    st.stop()
lm = model()
if lm is None:
    st.stop()
res = state.get("next_res")
if res is None or res.tokens.ids != ids:
    try:
        res = state["next_res"] = A.analyse(lm, "", ids=ids, last_only=True)   # newest row only
    except (InputError, ModelError) as exc:
        st.info(str(exc))
        st.stop()
p = S.reshape(res.logits, temperature, top_k, top_p)
cands = S.candidates(lm.tokenizer, res.logits, p, 10)
kept = int((p > 0).sum())


def add_token():
    rng = np.random.default_rng([int(seed), len(ids)])   # this seed's draw for this position
    tid = S.choose(p, greedy, rng)
    state["next_history"].append((lm.tokenizer.decode([tid]), float(p[tid]), float(S.softmax(res.logits)[tid])))
    state["next_ids"] = ids + [tid]


generated = len(state.get("next_history", []))
full = generated >= S.reserve(lm) or len(ids) >= A.token_limit(lm)
b1, b2 = st.columns([1, 3])
b1.button("Add one token", key="next_add", icon=":material/add:", type="primary", disabled=full,
          on_click=ui.once("next_click_add", add_token), width="stretch")
if full:
    b2.caption(f"{generated} tokens generated, as many as this model can read after your prompt: "
               "press Predict to start again.")

prompt_text = lm.tokenizer.decode(ids[:len(ids) - generated])
whole = lm.tokenizer.decode(ids)
new_text = whole[len(prompt_text):] if whole.startswith(prompt_text) else lm.tokenizer.decode(ids[len(ids) - generated:])
st.markdown("**Text so far:** " + f"`{prompt_text}`" + (f" + **`{new_text}`**" if generated else ""))
m = st.columns(4)
m[0].metric("Tokens in", len(ids))
m[1].metric("Tokens that can be chosen", f"{kept:,}", help=f"of {p.size:,} in the vocabulary")
m[2].metric("Entropy (model)", f"{S.entropy(S.softmax(res.logits)):.2f} bits",
            help="0 bits = certain; log2 of the vocabulary size = no idea")
m[3].metric("Entropy (after settings)", f"{S.entropy(p):.2f} bits")

left, right = st.columns(2)
ui.plotly(left, F.next_token_bars(cands, "Top 10 next tokens"), key="next_bars")
rows = A.attended_by_layer(res.attn, 0)
labels = res.tokens.labels()
ui.plotly(right, F.token_by_layer(rows, labels, len(ids) - 1), key="next_attn")
right.caption("Where the newest token looks in each layer (mean of the heads). Add tokens and "
              "watch the row move.")
pick = ui.lm_other(P, KEY, HUB)
if pick is not None:             # the same text so far, read by a second model
    k2, lm2 = pick
    try:
        text2 = whole[-A.token_limit(lm2):] if k2 == "own" else whole   # its last characters
        ids2 = ui.memo("next_other", (lm2.ident, text2), lambda: S.start(lm2, text2, 0))
        res2 = ui.memo("next_other_res", (lm2.ident, tuple(ids2)),
                       lambda: A.analyse(lm2, "", ids=ids2, last_only=True))
    except (InputError, ModelError) as exc:
        st.info(str(exc))
    else:
        p2 = S.reshape(res2.logits, temperature, top_k, top_p)
        o1, o2 = st.columns(2)
        ui.plotly(o1, F.next_token_bars(cands, f"{spec.label}"), key="next_cmp_a")
        ui.plotly(o2, F.next_token_bars(S.candidates(lm2.tokenizer, res2.logits, p2, 10),
                                        f"{lm2.spec.label}"), key="next_cmp_b")
        st.caption(f"The same text through both models, with the same settings: {len(ids)} tokens "
                   f"for {spec.label}, {len(ids2)} for {lm2.spec.label}.")
steps = state.setdefault("next_rows", {})
steps[len(ids)] = rows.astype("float16")        # one small row per layer and generated token
hist = state.get("next_history", [])
if hist:
    layer = st.slider("Layer", 0, res.layers - 1, res.layers - 1, key="next_layer")
    ui.plotly(st, F.newest_by_step(steps, labels, layer), key="next_steps")
    st.dataframe([{"step": i + 1, "token": t, "probability used": f"{q:.1%}",
                   "model probability": f"{pm:.1%}"} for i, (t, q, pm) in enumerate(hist)],
                 hide_index=True, key="next_table")
ui.hf_cost(P, lm)
