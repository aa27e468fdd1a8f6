"""A GAN on 2-D points, trained live: D's opinion as a heatmap, G's gradient as arrows."""
from dataclasses import replace

import streamlit as st

from playground import cost as C, ui
from playground.budget import thin
from playground.threads import few_threads
from playground.generative import data2d as D2, figures as F, gan as G, settings as S

ui.page_setup()
P = "gan"
PLANE_SECONDS = 1.0     # the plane (D map, points, arrows: ~15 KB) while playing; status 4×/s
PLANE_CELLS, PLANE_POINTS, ARROWS = 32, 300, 64
state = st.session_state

st.title("GAN on 2-D data")
st.caption("Two networks play a game. The generator G turns random numbers into points; the "
           "discriminator D tries to tell them from the real data. D's opinion is the background "
           "colour (blue: \"real\", orange: \"fake\"); each arrow shows where G's gradient pushes a "
           "generated point. Train them together, or one at a time with Step D and Step G.")
for w in ui.load_query_once(P, S.from_query(S.GAN_PARSERS)):
    st.warning(w)


def load_preset():
    for k, v in S.preset_values(state["gan_preset"]).items():
        ui.remember(P, k, v)


p1, p2, p3 = st.columns([1.4, 0.6, 3])
p1.selectbox("Preset", list(G.PRESETS), format_func=lambda k: G.PRESETS[k][0], key="gan_preset")
p2.button("Load", key="gan_load", on_click=ui.once("gan_click_load", load_preset), width="stretch",
          help="Set every control to this preset (and restart).")
p3.info(G.PRESET_TEXT[state["gan_preset"]])

cfg = {**S.GAN_DEFAULTS, **ui.stored(P)}
sb = st.sidebar
sb.subheader("Data")
target = ui.kept_or(P, "target", cfg["target"], sb.selectbox, "Target distribution",
                    list(D2.TARGETS), format_func=D2.TARGETS.get)
points = None
if target in D2.USER_TARGETS:
    points = ui.user_points(P, target, sb)
    if points is None:
        st.info(("Draw a shape on the black square" if target == "draw" else "Upload a CSV file of "
                 "points (two numbers per row, x and y)") + " in the sidebar. Until then the ring of "
                "Gaussians is used.")
        target = "ring"
sb.subheader("Networks (both)")
ui.kept_or(P, "width", cfg["width"], sb.select_slider, "Units per hidden layer", options=G.WIDTHS)
ui.kept_or(P, "depth", cfg["depth"], sb.slider, "Hidden layers", min_value=1, max_value=4)
ui.kept_or(P, "latent", cfg["latent"], sb.slider, "Latent size (G's random inputs)", min_value=1,
           max_value=8)
sb.subheader("Training")
ui.kept_or(P, "optimizer", cfg["optimizer"], sb.radio, "Optimizer", ["adam", "sgd"], horizontal=True,
           format_func={"adam": "Adam (β₁ 0.5)", "sgd": "SGD"}.get)
lr_g = ui.kept_or(P, "lr_g", cfg["lr_g"], sb.select_slider, "Learning rate of G", options=G.LRS)
lr_d = ui.kept_or(P, "lr_d", cfg["lr_d"], sb.select_slider, "Learning rate of D", options=G.LRS)
ui.kept_or(P, "d_steps", cfg["d_steps"], sb.slider, "D steps per G step", min_value=1, max_value=5)
ui.kept_or(P, "seed", cfg["seed"], sb.number_input, "Seed", min_value=0, max_value=9999, step=1)
values = {**S.GAN_DEFAULTS, **ui.stored(P)}
settings = S.gan_settings({**values, "target": target})
run_key = (replace(settings, lr_g=0, lr_d=0), D2.fingerprint(points))   # learning rates apply to a running GAN


def build():
    state["gan_run"], state["gan_key"] = G.GANRun(settings, points), run_key
    state["gan_playing"] = False


if state.get("gan_key") != run_key:
    build()
run: G.GANRun = state["gan_run"]
run.set_lrs(lr_g, lr_d)

ui.lesson_gate("gan")
ui.transport(P, "gan_run", build, S.SPEEDS, S.GAN_DEFAULTS["speed"], "rounds",
             step_help="One chunk of rounds (each: D steps, then one G step).")
ui.write_query(S.to_query(ui.stored(P), S.GAN_DEFAULTS))
with sb:
    ui.lesson_link(P, "gan")


def step_one(which: str):
    state["gan_playing"] = False
    (run.step_d if which == "d" else run.step_g)(1)


b1, b2, b3 = st.columns([1, 1, 3.5])
b1.button("Step D", key="gan_step_d", on_click=ui.once("gan_click_d", step_one, "d"), width="stretch",
          help="One update of the discriminator only: watch the background change, the points stay.")
b2.button("Step G", key="gan_step_g", on_click=ui.once("gan_click_g", step_one, "g"), width="stretch",
          help="One update of the generator only: the points move along the arrows.")
with b3:
    if run.steps_g and run.status == "ok":
        run.evaluate()                    # the MMD of the generator as it is now (once per G step)
    if run.quality and run.quality[-1][0] == run.steps_g > 0 and run.status == "ok":
        mmd = run.quality[-1][1]
        ui.submit_run("gan", S.to_query(ui.stored(P), S.GAN_DEFAULTS), None, None,
                      sum(p.numel() for p in [*run.G.parameters(), *run.D.parameters()]), run.steps_g,
                      key="gan_board", score=mmd, score_text=f"MMD to the target {mmd:.4f}",
                      unit="generator steps")


def speed() -> int:
    return int(ui.stored(P).get("speed", S.GAN_DEFAULTS["speed"]))


run.eval_seconds = 1.0   # while playing: the MMD to the target at most once a second (paused: at once)


@ui.live_fragment(P, run_key="gan_run", n=speed)   # each frame: its share of the server, then draw
def status_view():
    if run.status != "ok":
        st.error(run.message)
    loss = lambda v: "—" if v != v else f"{v:.3f}"  # noqa: E731  (NaN = not trained yet)
    st.markdown(f"Generator steps **{run.steps_g:,}** · discriminator steps **{run.steps_d:,}** · "
                f"D loss **{loss(run.loss_d)}** · G loss **{loss(run.loss_g)}**")


@ui.live_fragment(P, PLANE_SECONDS)
def plane_view():
    with few_threads():
        xs, dmap = run.d_map(PLANE_CELLS)
        a_from, a_vec = run.g_arrows(ARROWS)
        fake = run.generated()[:PLANE_POINTS]
    ui.plotly(st, F.gan_plane(xs, dmap, run.real_shown[:PLANE_POINTS], fake, a_from, a_vec),
              key="gan_plane")
    st.caption(f"{PLANE_POINTS} real and {PLANE_POINTS} generated points (the same random inputs z "
               f"every frame, so you see them move); arrows on the first {ARROWS}.")


@ui.live_fragment(P, ui.CHART_SECONDS)
def chart_view():
    if run.history:
        ui.plotly(st, F.gan_losses(thin(run.history)), key="gan_losses")
    else:
        st.info("Press Play, Step, Step D or Step G: both losses are drawn here as they train.")
    ui.plotly(st, F.distance_curve(thin(run.quality)), key="gan_dist")
    for line in G.describe(run):
        st.markdown(line)


status_view()
left, right = st.columns([1.25, 1])
with left:
    plane_view()
with right:
    chart_view()

with st.expander("How to read this, and why GANs fail"):
    st.markdown(
        "- **D's loss** is −log D(real) − log(1 − D(fake)). When D cannot tell the two apart it says "
        "½ everywhere and its loss is 2 ln 2 ≈ 1.386 (dotted line); G's loss −log D(fake) is then "
        "ln 2 ≈ 0.693. Unlike most training curves, these do **not** go to zero when it works: they "
        "settle near those lines.\n"
        "- **MMD** (maximum mean discrepancy, Gaussian kernel of width 0.2) compares the generated "
        "points with the target (0 = the same distribution). It is the honest measure of progress "
        "here.\n"
        "- **Mode collapse:** G only has to fool the current D. If it learns much faster than D, "
        "putting every point on the one spot D likes most is a quick win; D then learns that spot is "
        "fake and G hops to the next. Load the *Mode collapse* preset and count the covered modes.\n"
        "- **Non-convergence:** the two networks solve different problems; with large steps each "
        "overshoots the other's last move and they circle around the balance point instead of "
        "reaching it. Load *Never settles* and watch the distance swing.")

if not state["gan_playing"]:
    with st.expander("What the generator costs"):
        z1 = run.z_shown[:1]
        ui.cost_on_request(
            f"gan:G:{settings.latent}:{settings.width}:{settings.depth}",
            lambda: C.measure("GAN generator", run.G, lambda: run.G(z1),
                              f"one latent vector of {settings.latent} numbers"), key="gan_cost")
