"""Attention in language models: BERT and GPT-2 attention on your own text, made visible."""
import streamlit as st

from playground import ui
from playground.language.hub import ModelError
from playground.language.tasks import InputError
from playground.transformer import attention as A, figures as F, settings as TS

ui.page_setup()
P = "attn"  # session-state prefix of this page
state = st.session_state
MODELS = ["bert", "distilgpt2"]     # hub models; the app's own tiny GPT is always offered first
MEAN = -1   # "head" choice: the mean over all heads of the layer
ALL = -1    # "focus" choice: the lines of every token
TABS = {"head": ":material/grid_view: Head view", "model": ":material/apps: Model view (all heads)",
        "avg": ":material/functions: Averaged and rollout",
        "token": ":material/flashlight_on: One token, every layer", "tokens": ":material/abc: Tokens"}

st.title("Attention in language models")
for w in ui.load_query_once(P, TS.lm_from_query("attention")):
    st.warning(w)
for name, value in {"pair": "", "layer": 0, "head": 0, "focus": ALL}.items():
    ui.stored(P).setdefault(name, value)
ui.lesson_gate("attention")
st.caption("A transformer reads all tokens at once; in every layer each head decides how much "
           "each token looks at every other token. Type a text and see those weights — the "
           "model is the app's own tiny GPT (trained here, one token per character), BERT (an "
           "encoder: every token sees every other) or DistilGPT-2 (a decoder: a token only sees "
           "the ones before it).")

key, own_lm, spec = ui.lm_choice(P, MODELS)
encoder = spec.task == "encoder"
ui.stored(P).setdefault("text", TS.example_text("attention", key))
if own_lm is not None and ui.stored(P)["text"] == TS.example_text("attention", "bert") \
        and "text" not in st.query_params:      # the hub example, not a link's text
    ui.remember(P, "text", TS.example_text("attention", "own"))
with st.form("attn_form"):
    text = ui.kept_or(P, "text", ui.stored(P)["text"], st.text_area, "Your text", height=90,
                      max_chars=A.MAX_CHARS,
                      help="Any language, accents and emoji welcome: see how they become tokens.")
    if encoder:
        pair = ui.kept_or(P, "pair", "", st.text_input, "Optional second sentence (segment B)",
                          max_chars=A.MAX_CHARS, help="BERT was trained on pairs of sentences: "
                          "[CLS] A [SEP] B [SEP]. Does a pronoun in B look back at A?")
    else:
        pair = ""
    go = st.form_submit_button("Show attention", key="attn_go", type="primary")
ui.link_settings(P, "attention", lambda v: TS.lm_to_query("attention", v))

if go or (own_lm is not None and state.get("attn_out", (None,))[0] != key):
    lm = own_lm or ui.hf_model(key)
    if lm is not None:
        try:
            with st.spinner("Running the model…"):
                state["attn_out"] = (key, A.analyse(lm, text, pair if encoder else None, compact=True))
        except (InputError, ModelError) as exc:
            state["attn_out"] = (key, str(exc))

out = state.get("attn_out")
if out is None or out[0] != key:
    st.info("Type a text and press **Show attention**.")
    st.stop()
res = out[1]
if isinstance(res, str):
    st.info(res)
    st.stop()
if res.notice():
    st.warning(res.notice(), icon=":material/content_cut:")
tokens, attn = res.tokens, res.attn
labels = [f"{s}" for s in tokens.labels()]
n = len(tokens)
st.caption(f"{n} tokens · {res.layers} layers × {res.heads} heads · computed in {res.seconds:.2f} s"
           + (" · decoder: a token can only look at itself and earlier tokens (upper triangle empty)"
              if res.causal else ""))


def clamp(name: str, hi: int, lo: int = 0):
    """Keep a stored choice valid for this model and text."""
    v = ui.stored(P).get(name)
    if v is not None and not lo <= v < hi:
        ui.remember(P, name, min(max(v, lo), hi - 1))


clamp("layer", res.layers)
clamp("head", res.heads, MEAN)
clamp("focus", n, ALL)


def open_clicked():
    """Model view click: open that layer and head in the head view."""
    ev = state.get("attn_grid")
    pts = (ev or {}).get("selection", {}).get("points", []) if ev else []
    if pts:
        ui.remember(P, "layer", int(pts[0]["y"]))
        ui.remember(P, "head", int(pts[0]["x"]))


t_head, t_model, t_avg, t_token, t_tok = ui.kept_tabs(P, "view", TABS, "attn_tab", "head")

if t_head.open:
    with t_head, ui.section("Head view"):
        c1, c2, c3 = st.columns(3)
        layer = ui.kept_or(P, "layer", 0, c1.selectbox, "Layer", list(range(res.layers)),
                           format_func=lambda l: f"layer {l}")
        head = ui.kept_or(P, "head", 0, c2.selectbox, "Head", [MEAN] + list(range(res.heads)),
                          format_func=lambda h: "mean of all heads" if h == MEAN else f"head {h}")
        focus = ui.kept_or(P, "focus", ALL, c3.selectbox, "Lines of one token only",
                           [ALL] + list(range(n)),
                           format_func=lambda i: "all tokens" if i == ALL else f"#{i} {labels[i]}")
        a = A.head_mean(attn, layer) if head == MEAN else attn[layer, head]
        name = f"layer {layer}, " + ("mean of heads" if head == MEAN else f"head {head}")
        left, right = st.columns([1.2, 1])
        ui.plotly(left, F.head_heatmap(a, labels, f"{name}: row looks at column"), key="attn_heat")
        ui.plotly(right, F.lines_view(a, labels, f"{name}: lines (hover a token)",
                                      None if focus == ALL else focus),
                  key="attn_lines")
        st.caption("Each row sums to 1: it is how one token shares its attention. Lines: left "
                   "tokens look at right tokens; darker and thicker = more attention (links under "
                   "5 % are not drawn).")
        pick = ui.lm_other(P, key, MODELS)
        if pick is not None:       # the same text through a second model, same layer if it has it
            k2, lm2 = pick
            try:
                res2 = ui.memo("attn_other", (lm2.ident, text, k2),
                               lambda: A.analyse(lm2, text, None, compact=True))
            except (InputError, ModelError) as exc:
                st.info(str(exc))
            else:
                l2 = min(layer, res2.layers - 1)
                s1, s2 = st.columns(2)
                ui.plotly(s1, F.head_heatmap(a, labels, f"{spec.label}: {name}"), key="attn_cmp_a")
                ui.plotly(s2, F.head_heatmap(A.head_mean(res2.attn, l2), res2.tokens.labels(),
                                             f"{lm2.spec.label}: layer {l2}, mean of heads"),
                          key="attn_cmp_b")
                st.caption(f"The same text: {n} tokens for {spec.label}, {len(res2.tokens)} for "
                           f"{lm2.spec.label} — each model cuts text into its own tokens.")

if t_model.open:
    with t_model, ui.section("Model view"):
        st.caption("Every layer (rows) and head (columns), the same colours as the head view "
                   "(white 0 → dark blue 1). Click a map to open it in the head view.")
        sel = ui.stored(P)
        chosen = (sel["layer"], sel["head"]) if sel.get("head", MEAN) != MEAN else None
        ui.plotly(st, F.model_grid(attn, chosen), key="attn_grid", on_select=open_clicked,
                  selection_mode="points", width="content")
        if chosen:
            st.markdown(f"**Opened: layer {chosen[0]}, head {chosen[1]}** (also in the head view)")
            ui.plotly(st, F.head_heatmap(attn[chosen], labels, f"layer {chosen[0]}, head {chosen[1]}"),
                      key="attn_grid_open")

if t_avg.open:
    with t_avg, ui.section("Averages and rollout"):
        what = ui.kept_or(P, "avg", "layer", st.radio, "Show", ["layer", "all", "rollout"],
                          horizontal=True, format_func={"layer": "mean of the heads of one layer",
                                                        "all": "mean of all layers and heads",
                                                        "rollout": "rollout across layers"}.get)
        if what == "layer":
            lay = st.slider("Layer", 0, res.layers - 1, 0, key="attn_avg_layer")
            a, title = A.head_mean(attn, lay), f"layer {lay}, mean of {res.heads} heads"
        elif what == "all":
            a, title = attn.mean(axis=(0, 1)), "mean of all layers and heads"
        else:
            a, title = A.rollout(attn), "attention rollout through all layers"
            st.caption("Rollout (Abnar & Zuidema, 2020) multiplies the layers' head-averaged "
                       "attention, adding the residual connection, to estimate how much of each "
                       "input token flows into each token's final representation — the same "
                       "function the image pages use.")
        ui.plotly(st, F.head_heatmap(a, labels, title), key="attn_avg_heat")

if t_token.open:
    with t_token, ui.section("One token"):
        c1, c2 = st.columns(2)
        tok = c1.selectbox("Token", list(range(n)), key="attn_token",
                           index=min(n - 1, 1 if n > 2 else 0),
                           format_func=lambda i: f"#{i} {labels[i]}")
        hsel = c2.selectbox("Heads", [MEAN] + list(range(res.heads)), key="attn_token_head",
                            format_func=lambda h: "mean of all heads" if h == MEAN else f"head {h}")
        h = None if hsel == MEAN else hsel
        ui.plotly(st, F.token_by_layer(A.attended_by_layer(attn, tok, h), labels, tok),
                  key="attn_token_heat")
        top = A.top_attended(attn, tok, 3, h)
        st.dataframe([{"layer": l, **{f"top {k + 1}": f"#{j} {labels[j]} ({w:.2f})"
                                      for k, (j, w) in enumerate(row)}}
                      for l, row in enumerate(top)], hide_index=True, key="attn_token_table")

if t_tok.open:
    with t_tok, ui.section("Tokens"):
        n_special = sum(tokens.special)
        st.markdown(f"**{n} tokens**, {n_special} of them special "
                    f"({', '.join(sorted({p for p, s in zip(tokens.pieces, tokens.special) if s})) or 'none'}). "
                    + ("`##` marks a piece that continues a word; `[UNK]` = a character the "
                       "vocabulary does not know." if encoder else
                       ("One token per character; a character the training text never uses (an "
                        "emoji, Ω, é) becomes the one unknown token �." if own_lm is not None else
                        "`Ġ` marks a leading space; an emoji or a non-Latin character can take "
                        "several byte tokens.")))
        ui.plotly(st, F.token_strip(tokens), key="attn_strip")
        st.caption("Each chip is one token (hover it for the tokenizer's spelling and the id); "
                   "grey = special tokens" + (", orange = sentence B." if 1 in tokens.segments else "."))
        st.dataframe(tokens.rows(), hide_index=True, key="attn_tokens_table",
                     column_config={"text": "your text", "token": "token (tokenizer's spelling)"})

lm = own_lm or ui.hf_model(key)  # shared and already in memory: the cost panel of this model
if lm is not None:
    ui.hf_cost(P, lm)
