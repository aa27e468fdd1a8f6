"""A variational autoencoder learns handwritten digits live: codes, reconstructions, samples."""

import streamlit as st

from playground import cost as C, render as R, ui
from playground.budget import thin
from playground.cnn import digits as D
from playground.generative import figures as F, settings as S, vae as V
from playground.threads import few_threads

ui.page_setup()
P = "vae"
MAP_SECONDS = 1.0       # the code map while playing (~10 KB); status 4×/s, pictures every 5 s
state = st.session_state

st.title("Variational autoencoder")
st.caption("The encoder squeezes each digit into a code z of a few numbers, the decoder draws a "
           "digit from a code. A VAE also asks the codes to look like random draws from N(0, I), so "
           "any code you pick (or sample) decodes into something digit-like. β sets how hard it asks.")
for w in ui.load_query_once(P, S.from_query(S.VAE_PARSERS)):
    st.warning(w)
cfg = {**S.VAE_DEFAULTS, **ui.stored(P)}


@st.cache_resource(max_entries=4, show_spinner=False)
def dataset(key: str, stamp: str) -> D.DigitData:
    """One read-only copy per server (training never changes it)."""
    return D.load(key, 0)


sb = st.sidebar
sb.subheader("Data")
src = ui.kept_or(P, "data", cfg["data"], sb.selectbox, "Data set", ["digits8", "mnist"],
                 format_func=lambda k: D.SOURCES[k].label)
if src == "mnist" and not D.is_downloaded("mnist"):
    st.info("MNIST is not on this server yet. It is downloaded once on the **Train a CNN** page "
            "(or a teacher copies the files there); until then the bundled 8×8 digits are used.")
    src = "digits8"
try:
    data = dataset(src, str(D.data_root()))
except D.DataError as exc:
    st.error(str(exc))
    st.stop()
sb.subheader("Model")
latent = ui.kept_or(P, "latent", cfg["latent"], sb.select_slider, "Code size (latent dimensions)",
                    options=V.LATENTS, help="2 can be drawn as a map; more keep more detail (the map "
                    "then shows the first two).")
width = ui.kept_or(P, "width", cfg["width"], sb.select_slider, "Units per hidden layer", options=V.WIDTHS)
lr = ui.kept_or(P, "lr", cfg["lr"], sb.select_slider, "Learning rate (Adam)", options=V.LRS)
seed = ui.kept_or(P, "seed", cfg["seed"], sb.number_input, "Seed", min_value=0, max_value=9999, step=1)
beta = ui.kept_or(P, "beta", cfg["beta"], st.select_slider, "β (weight of the KL term)", options=V.BETAS,
                  help="Loss = reconstruction + β·KL. β = 1 is the true ELBO. Changes apply while it "
                       "trains.")
settings = V.Settings(latent=latent, width=width, beta=beta, lr=lr, seed=int(seed))
run_key = (src, latent, width, int(seed))


def build():
    state["vae_run"], state["vae_key"] = V.VAERun(data, settings), run_key
    state["vae_playing"] = False


if state.get("vae_key") != run_key:
    build()
run: V.VAERun = state["vae_run"]
run.set_beta(beta)
run.set_lr(lr)
ui.lesson_gate("vae")
ui.transport(P, "vae_run", build, S.SPEEDS, S.VAE_DEFAULTS["speed"], "mini-batches")
ui.write_query(S.to_query(ui.stored(P), S.VAE_DEFAULTS))
with sb:
    ui.lesson_link(P, "vae")


def speed() -> int:
    return int(ui.stored(P).get("speed", S.VAE_DEFAULTS["speed"]))


@ui.live_fragment(P, run_key="vae_run", n=speed)   # each frame: its share of the server, then draw
def status_view():
    if run.status != "ok":
        st.error(run.message)
    st.markdown(f"Step **{run.steps:,}** · on test images: reconstruction **{run.recon:.2f}** + "
                f"β·KL **{run.s.beta:g} × {run.kl:.2f}** = loss **{run.loss:.2f}** nats per image "
                f"(−ELBO = {run.recon + run.kl:.2f})")


@ui.live_fragment(P, ui.CHART_SECONDS)
def chart_view():
    ui.plotly(st, F.elbo_curves(thin(run.history)), key="vae_curves")
    st.markdown(V.describe(run))


@ui.live_fragment(P, MAP_SECONDS)
def map_view():
    with few_threads():
        mu, y = run.latent_means()
    dims = "z₁, z₂" if run.s.latent == 2 else f"z₁, z₂ (of {run.s.latent})"
    ui.plotly(st, F.latent_scatter(mu, y, data.classes, dims=dims, height=380), key="vae_chart_latent")
    st.caption(f"Each dot: the code μ(x) of one of {len(y):,} test images, coloured by its digit.")


status_view()
left, right = st.columns([1, 1])
with left:
    chart_view()
with right:
    map_view()


def img(picture, where, caption: str):
    """A gray picture as a one-channel PNG (a third of the bytes of RGB)."""
    where.image(R.data_uri(R.png_bytes(picture[..., 0])), caption=caption, width="stretch")


@ui.live_fragment(P, ui.SLOW_SECONDS)
def pictures():
    with few_threads():
        show_pictures()


def show_pictures():
    n = 10
    orig, rec = run.reconstruct(range(n))
    st.subheader("Reconstructions")
    img(F.tiles(list(orig) + list(rec), cols=n, cell=40), st,
        "Top: test images. Bottom: decoded from their codes μ(x).")
    g1, g2 = st.columns(2)
    with g1:
        st.subheader("Decoded from a grid of codes")
        img(F.tiles(run.decode_grid(10), cols=10, cell=28, pad=1), st,
            "z₁ from −2.5 (left) to 2.5 (right), z₂ from 2.5 (top) to −2.5 (bottom)"
            + ("" if run.s.latent == 2 else "; the other code numbers 0") + ". Compare with the map above.")
    with g2:
        st.subheader("Interpolation")
        a, b = st.columns(2)
        da = ui.kept_or(P, "from", cfg["from"], a.selectbox, "From digit", list(range(10)))
        db = ui.kept_or(P, "to", cfg["to"], b.selectbox, "To digit", list(range(10)))
        q = S.to_query(ui.stored(P), S.VAE_DEFAULTS)
        if any(st.query_params.get(k) != q.get(k) for k in ("from", "to")):
            st.rerun(scope="app")      # a fragment's run cannot change the address bar; the page's can
        i, j = run.first_of_class(da), run.first_of_class(db)
        img(F.tiles(run.interpolate(i, j, 8), cols=8, cell=40), st,
            f"Decoded along the straight line from test image #{i + 1}'s code to #{j + 1}'s.")
        st.subheader("Samples from the prior")
        k = state.setdefault("vae_sample_seed", 0)
        img(F.tiles(run.sample(16, int(seed) * 1000 + k), cols=8, cell=40), st,
            "Codes drawn from N(0, I), decoded.")
        st.button("New samples", key="vae_resample", icon=":material/refresh:",
                  on_click=lambda: state.update(vae_sample_seed=k + 1))


pictures()

with st.expander("The two terms of the ELBO"):
    st.markdown(
        "- **Reconstruction** −log p(x|z): how many nats the decoder needs to describe the image "
        "from the code (binary cross-entropy summed over the pixels).\n"
        "- **KL(q(z|x) ‖ p(z))** = ½ Σ (μ² + σ² − 1 − log σ²): how far the encoder's cloud of codes "
        "for this image is from the prior N(0, I).\n"
        "- The ELBO is −(reconstruction + KL), a lower bound on log p(x). β = 1 maximises it; "
        "β > 1 (β-VAE) trades detail for a tidier, more disentangled code space; β = 0 is a plain "
        "autoencoder whose codes can land anywhere, so samples from the prior become nonsense. "
        "Move β while it trains and watch the two curves trade places.")

if not state["vae_playing"]:
    with st.expander("What the decoder costs"):
        import torch
        z1 = torch.zeros(1, run.s.latent)
        ui.cost_on_request(
            f"vae:dec:{run.pixels}:{latent}:{width}",
            lambda: C.measure("VAE decoder", run.model.dec, lambda: run.model.decode(z1),
                              f"one code of {latent} numbers → {run.side}×{run.side} image"), key="vae_cost")
