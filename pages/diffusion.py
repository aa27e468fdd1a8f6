"""Diffusion on 2-D points and on digits: noise added step by step, a denoiser trained live."""

import numpy as np
import streamlit as st

from playground import cost as C, render as R, ui
from playground.budget import thin
from playground.cnn import digits as D
from playground.generative import data2d as D2, diffusion as Df, figures as F, sampling as Sm, settings as S
from playground.threads import few_threads

ui.page_setup()
P = "dif"
QUIET_SHARE = 0.05      # a frame's training share (s) above which the server counts as quiet (≤ 5 playing)
state = st.session_state

st.title("Diffusion models")
st.caption("Destroying data is easy: add a little Gaussian noise, again and again, until nothing "
           "but noise is left. A diffusion model learns to undo one small step of that, and then "
           "generates by starting from pure noise and denoising step by step.")
for w in ui.load_query_once(P, S.from_query(S.DIFF_PARSERS)):
    st.warning(w)
cfg = {**S.DIFF_DEFAULTS, **ui.stored(P)}
LABELS = {**D2.TARGETS, "digits": "Handwritten digits 8×8"}


@st.cache_resource(max_entries=2, show_spinner=False)
def digits_data() -> D.DigitData:
    return D.load("digits8", 0)


sb = st.sidebar
sb.subheader("Data")
data = ui.kept_or(P, "data", cfg["data"], sb.selectbox, "Data", S.DIFF_DATA, format_func=LABELS.get)
points = None
if data in D2.USER_TARGETS:
    points = ui.user_points(P, data, sb)
    if points is None:
        st.info(("Draw a shape on the black square" if data == "draw" else "Upload a CSV file of "
                 "points (x, y per row)") + " in the sidebar. Until then: two moons.")
        data = "moons"
sb.subheader("Noise schedule")
T = ui.kept_or(P, "T", cfg["T"], sb.select_slider, "Diffusion steps T", options=Df.STEPS)
schedule = ui.kept_or(P, "schedule", cfg["schedule"], sb.radio, "Schedule", list(Df.SCHEDULES),
                      format_func=Df.SCHEDULES.get)
sb.subheader("Training")
lr = ui.kept_or(P, "lr", cfg["lr"], sb.select_slider, "Learning rate (Adam)", options=Df.LRS)
seed = ui.kept_or(P, "seed", cfg["seed"], sb.number_input, "Seed", min_value=0, max_value=9999, step=1)
digits = data == "digits"
settings = Df.Settings(data=data, T=T, schedule=schedule, lr=lr, seed=int(seed),
                       width=256 if digits else 128, batch=128 if digits else 256)
run_key = (data, T, schedule, int(seed), D2.fingerprint(points))


def build():
    d = digits_data() if digits else None
    state["dif_run"] = Df.DiffusionRun(settings, d.x_train if d else None, d.y_train if d else None, points)
    state["dif_key"], state["dif_playing"] = run_key, False


if state.get("dif_key") != run_key:
    build()
run: Df.DiffusionRun = state["dif_run"]
run.set_lr(lr)

# ---- the forward process: no training needed --------------------------------------------
st.subheader("Forward process: adding noise")
ab = Df.alpha_bar(schedule, T).numpy()
other = next(k for k in Df.SCHEDULES if k != schedule)
marks = sorted({0, T // 10, T // 4, T // 2, (3 * T) // 4, T})
f1, f2 = st.columns([1, 2])
ui.plotly(f1, F.schedule_figure(ab, other=Df.alpha_bar(other, T).numpy(),
                                other_name=Df.SCHEDULES[other].split(" (")[0].lower()), key="dif_sched")
f1.caption(f"x_t = √ᾱ_t·x₀ + √(1−ᾱ_t)·ε. At t = T: √ᾱ_T = {np.sqrt(ab[-1]):.3f}, almost nothing of "
           "the data is left.")
if digits:
    x0 = digits_data().x_train[:6].flatten(1).numpy() * 2 - 1
    snaps = Df.forward_steps(x0, schedule, T, int(seed), marks)
    imgs = np.concatenate([(snaps[t].reshape(-1, 8, 8) + 1) / 2 for t in marks])
    order = np.arange(len(imgs)).reshape(len(marks), -1).T.ravel()
    f2.image(R.data_uri(R.png_bytes(F.tiles(imgs[order], cols=len(marks), cell=32)[..., 0])), width="content",
             caption="Each row: one digit at t = " + ", ".join(map(str, marks)) + " (noise added one "
                     "step at a time; values shown clipped to black…white).")
else:
    x0 = D2.sample(data, 300, np.random.default_rng(int(seed)), points)   # sent on every click: small
    snaps = Df.forward_steps(x0, schedule, T, int(seed), marks)
    ui.plotly(f2, F.snapshots_2d([(t, snaps[t]) for t in marks]), key="dif_forward")
    f2.caption(f"{len(x0)} data points, with the noise of steps " + ", ".join(map(str, marks)) + " added "
               "one step at a time. At t = T they are a standard normal cloud, whatever the data.")

# ---- training -------------------------------------------------------------------------------
st.subheader("Reverse process: a denoiser trained live")
ui.lesson_gate("diffusion")
ui.transport(P, "dif_run", build, S.SPEEDS, S.DIFF_DEFAULTS["speed"], "mini-batches")
c1, c2, c3, c4 = st.columns(4)
sampler = ui.kept_or(P, "sampler", cfg["sampler"], c1.number_input, "Sampler steps (0 = all T, DDPM)",
                     min_value=0, max_value=500, step=5,
                     help="0 or ≥ T: DDPM, one random denoising step per t. Fewer: DDIM, a "
                          "deterministic sampler that jumps over steps.")
sample_seed = ui.kept_or(P, "sample_seed", cfg["sample_seed"], c2.number_input, "Sampling seed", min_value=0,
                         max_value=9999, step=1)
if digits:
    digit = ui.kept_or(P, "digit", cfg["digit"], c3.selectbox, "Digit to generate", list(range(10)))
    guidance = ui.kept_or(P, "guidance", cfg["guidance"], c4.slider, "Guidance w", min_value=0.0,
                          max_value=8.0, step=0.5, help="Classifier-free guidance: ε̂ = ε̂(∅) + (1 + w)"
                          "·(ε̂(digit) − ε̂(∅)). 0 = the conditional model alone.")
else:
    if state.get("dif_field_t", 0) > T:      # T became smaller: the field's step follows
        state["dif_field_t"] = T
    field_t = ui.kept_or(P, "field_t", min(cfg["field_t"], T), c3.slider, "Field at step t",
                         min_value=1, max_value=T)
ui.write_query(S.to_query(ui.stored(P), S.DIFF_DEFAULTS))
with sb:
    ui.lesson_link(P, "diffusion")


def speed() -> int:
    return int(ui.stored(P).get("speed", S.DIFF_DEFAULTS["speed"]))


@ui.live_fragment(P, run_key="dif_run", n=speed)   # each frame: its share of the server, then draw
def status_view():
    if run.status != "ok":
        st.error(run.message)
    st.markdown(f"Training step **{run.steps:,}** · denoising loss **"
                f"{'—' if run.loss != run.loss else f'{run.loss:.4f}'}** (predicting pure noise scores 1.0)")


@ui.live_fragment(P, ui.CHART_SECONDS)
def chart_view():
    if run.history:
        ui.plotly(st, F.loss_line(thin(run.history)), key="dif_loss")
    else:
        st.info("Press Play or Step to train the denoiser; its loss is drawn here.")


status_view()
chart_view()

# ---- samples: one sampling spread over frames (a slice of the server's time each) ------------
steps = sampler if 0 < sampler < T else T
how = f"DDPM, all {T} steps" if steps == T else f"DDIM, {steps} of {T} steps"
if digits:
    sample_key = (steps, int(sample_seed), digit, guidance)
    specs = [dict(n=6, seed=int(sample_seed), sampler_steps=steps, c=digit, guidance=guidance, keep=8),
             dict(n=20, seed=int(sample_seed) + 1, sampler_steps=steps)]
else:   # the work of one sampling stays bounded for any T
    n_samples = max(100, min(200, 40_000 // steps))
    sample_key = (steps, int(sample_seed))
    specs = [dict(n=n_samples, seed=int(sample_seed), sampler_steps=steps, keep=min(steps + 1, 30))]
live = state.setdefault("dif_live", Sm.LiveSamples())


def sample_slice(most: float, factor: float, wait: float):
    """Advance the sampling by this session's share of the server (``factor`` × a training
    share, at most ``most`` s) in one of its frame slots (waiting at most ``wait`` s for one);
    a pending click (Pause) skips it. True when a sampling finished."""
    budget = ui.frame_budget()
    seconds = min(most, factor * budget.share(budget.active()))
    with budget.gate(timeout=wait, cancel=ui.rerun_pending) as got, few_threads():
        if got and live.update(run, sample_key, specs, seconds, ui.rerun_pending):
            return True
    return False


def finish_sampling():
    """On request: the rest of this sampling, a slice at a time in the server's frame slots."""
    def slices():
        while not live.update(run, sample_key, specs, 0.1):
            yield
    with few_threads():
        for _ in ui.shared_steps(slices()):
            pass


# A full run (a first visit, Play, Pause, Step, a setting) samples a slice when it has nothing
# to show, or when the server is quiet (then a short sampling is done at once); with a class
# playing, a click's run stays short (30 Pauses at once) and the samples come with the next
# playing frames, or on request. (A timer that went on sampling after Pause delayed every
# student's Pause answer to ~2 s.)
_budget = ui.frame_budget()
if live.showing(run, sample_key) is None or (
        live.pending(run, sample_key) and _budget.share(_budget.active()) >= QUIET_SHARE):
    sample_slice(0.4, 2.0, 0.05)   # no long wait for a slot: other students' clicks come first
state["dif_sliced"] = True


@st.fragment(run_every=ui.frame_every(P, ui.CHART_SECONDS))
def samples_view():
    playing = state["dif_playing"]
    if not state.pop("dif_sliced", False) and playing:   # a frame of this fragment alone
        sample_slice(0.15, 2.0, 2.0)
    if not playing and live.pending(run, sample_key):
        place = st.empty()
        if place.button("Sample the current weights", key="dif_finish", icon=":material/refresh:",
                        help="Finish sampling from the weights of this training step (the samples "
                             "shown are older)."):
            with st.spinner("Sampling…"):
                finish_sampling()
            place.empty()
    shown = live.showing(run, sample_key)
    if shown is None:
        st.info(f"Sampling from the model at training step {run.steps:,} ({how}): "
                f"{live.progress():.0%} done.")
    elif digits:
        draw_digits(shown)
    else:
        draw_points(shown)


def stale_note(shown) -> str:
    if shown.at == run.steps:
        return ""
    if state["dif_playing"]:
        return (f" Sampled from the weights of training step {shown.at:,}; the samples of step "
                f"{run.steps:,} are {live.progress():.0%} done (a busy server takes several frames).")
    return f" Sampled from the weights of training step {shown.at:,} (the model is at step {run.steps:,})."


def draw_digits(shown):
    (_, snaps_), (allx, _) = shown.parts
    imgs = np.stack([s for _, s in snaps_], 1).reshape(-1, 8, 8)
    a, b = st.columns([1.1, 1])
    a.image(R.data_uri(R.png_bytes(F.tiles(imgs, cols=len(snaps_), cell=40)[..., 0])), width="content",
            caption=f"Six samples of the digit {digit} ({how}, guidance w = {guidance:g}), from "
                    "noise (left, t = " + ", ".join(str(t) for t, _ in snaps_) + ") to digit.")
    b.image(R.data_uri(R.png_bytes(F.tiles(allx, cols=5, cell=40)[..., 0])), width="content",
            caption="Twenty samples without a class (the unconditional model, ∅).")
    if shown.at != run.steps:
        st.caption(stale_note(shown).strip())


def draw_points(shown):
    x, snaps_ = shown.parts[0]
    n = len(x)
    verdict = ("matches the target as closely as a second sample of the data would"
               if D2.matches(shown.dist, shown.floor) else "does not match the target yet")
    st.markdown(f"{n} samples ({how}): MMD to the target **{shown.dist:.4f}** (0 = the same "
                f"distribution; two samples of the target itself: {shown.floor:.4f}), so the model "
                f"{verdict}." + stale_note(shown))
    a, b = st.columns(2)
    with a:
        ui.plotly(st, F.trajectories(snaps_, run.real_eval[:200]), key="dif_traj")
        st.caption("Reverse process: 40 points from noise (grey) along their denoising paths to "
                   "samples (purple); green: the real data. " + (
                       "DDPM adds fresh noise at every step, so the paths wiggle; set fewer sampler "
                       "steps for DDIM's smooth, deterministic paths." if steps == T else
                       "DDIM is deterministic: the same noise always ends at the same sample."))
    with b:
        t = int(min(field_t, T))
        noisy = ui.memo("dif_noisy", (id(run), schedule, T, t), lambda: Df.forward_steps(
            run.real_eval[:300], schedule, T, 1, [t])[t], keep=4)
        with few_threads():
            p, v = run.field(t)
        ui.plotly(st, F.field_figure(p, v, noisy, t), key="dif_field")
        st.caption(f"What the denoiser says at step {t} (now, at training step {run.steps:,}): "
                   "arrows point from x_t towards likelier (less noisy) points, −ε̂/√(1−ᾱ_t), the "
                   "estimated score. Small t: towards the data; large t: towards the centre.")


samples_view()

if not state["dif_playing"]:
    with st.expander("What the denoiser costs (one denoising step)"):
        import torch
        x1, t1 = torch.zeros(1, run.dim), torch.ones(1, dtype=torch.long)
        ui.cost_on_request(
            f"diffusion:{run.dim}:{settings.width}:{settings.depth}",
            lambda: C.measure("Diffusion denoiser", run.model, lambda: run.model(x1, t1, T),
                              f"one {'8×8 image' if digits else '2-D point'} and its step t"), key="dif_cost")
        st.caption(f"Generating one sample runs it once per sampler step ({T} for DDPM here), twice "
                   "per step with guidance.")
