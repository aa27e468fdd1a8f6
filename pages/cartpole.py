"""Balance a pole: a policy network learns CartPole live (REINFORCE); then take the controls."""
import numpy as np
import streamlit as st

from playground import ui
from playground.games import cartpole as C, figures as F, settings as S
from playground.games.costs import policy_cost
from playground.games.reinforce import Reinforce, describe_policy

ui.page_setup()
P = "cart"
DEMO_STEPS = 12         # physics steps of the animated cart per frame (0.24 s of its time)
DEMO_SECONDS = 0.5      # its frames: half real time, a small figure twice a second on the wire
YOU_SECONDS = 0.2       # your game: two 0.02 s steps per 0.2 s, five times slower than real
YOU_STEPS = 2
state = st.session_state

st.title("Balance a pole")
st.caption("The classic CartPole game: push the cart left or right to keep the pole upright. "
           "The game ends when the pole leans more than 12° or the cart leaves the track, and "
           f"is won after {C.MAX_STEPS} steps (4 s). A small policy network learns it from the "
           "four numbers of the state (position, velocity, angle, angular velocity) by REINFORCE: "
           "moves of episodes that went better than expected become more likely.")
for w in ui.load_query_once(P, lambda q: S.from_query(q, S.CART_PARSERS)):
    st.warning(w)
vals = {**S.CART_DEFAULTS, **ui.stored(P)}
sb = st.sidebar
sb.subheader("Learner")
lr = ui.kept_or(P, "lr", vals["lr"], sb.select_slider, "Learning rate (Adam)", options=S.LRS)
gamma = ui.kept_or(P, "gamma", vals["gamma"], sb.select_slider, "Discount γ", options=S.GAMMAS[4:])
seed = ui.kept_or(P, "seed", vals["seed"], sb.number_input, "Seed", min_value=0, max_value=9999, step=1)
ui.write_query(S.to_query({**S.CART_DEFAULTS, **ui.stored(P)}, S.CART_DEFAULTS))
key = (float(lr), float(gamma), int(seed))


def build():
    state["cart_run"], state["cart_key"] = Reinforce(lr=lr, gamma=gamma, seed=int(seed)), key
    state["cart_playing"] = False
    state["cart_demo"] = C.Game(int(seed) + 100)


if state.get("cart_key") != key:
    build()
run: Reinforce = state["cart_run"]
ui.lesson_gate("cartpole")
ui.transport(P, "cart_run", build, S.CART_SPEEDS, S.CART_DEFAULTS["speed"], "updates of 8 episodes")
if len(run.returns) >= C.SOLVED_WINDOW and run.status != "diverged":
    avg = run.average(C.SOLVED_WINDOW)
    ui.submit_run("cartpole", S.to_query({**S.CART_DEFAULTS, **ui.stored(P)}, S.CART_DEFAULTS), None,
                  None, sum(p.numel() for p in run.policy.parameters()), run.episodes, key="cart_board",
                  score=avg, score_text=f"average episode {avg:.1f} steps (last {C.SOLVED_WINDOW})",
                  unit="episodes")
watching = sb.toggle("Animate the current policy while paused", key="cart_watch")
with sb:
    ui.lesson_link(P, "cartpole")


def speed() -> int:
    return int(ui.stored(P).get("speed", S.CART_DEFAULTS["speed"]))


@ui.live_fragment(P, run_key="cart_run", n=speed)   # each frame: its share of the server, then draw
def live_view():
    if run.status == "diverged":
        st.error(run.message)
    solved = run.solved_at()
    st.markdown(f"Episodes **{run.episodes:,}** · average return of the last "
                f"{min(len(run.returns), C.SOLVED_WINDOW)} **{run.average():.1f}** (solved: ≥ "
                f"{C.SOLVED_RETURN:g} over {C.SOLVED_WINDOW}) · "
                + (f"**solved after {solved:,} episodes**" if solved else "not solved yet"))


@st.fragment(run_every=ui.frame_every(P, DEMO_SECONDS) or (DEMO_SECONDS if watching else None))
def demo_view():
    """The current policy balancing one cart (a few policy calls and one small figure)."""
    demo: C.Game = state["cart_demo"]
    if demo.over:
        demo = state["cart_demo"] = C.Game(int(demo.rng.integers(1 << 30)))
    push = None
    for _ in range(DEMO_STEPS if (state["cart_playing"] or watching) else 0):
        push = run.act(demo.state)
        if not demo.push(push):
            break
    ui.plotly(st, F.cartpole_figure(demo.state, f"The current policy playing: step {demo.steps}",
                                    push), key="cart_anim")


@ui.live_fragment(P, ui.CHART_SECONDS)
def chart_view():
    ui.plotly(st, F.returns_chart(run.returns, "Steps balanced per episode",
                                  window=C.SOLVED_WINDOW, goal=C.SOLVED_RETURN), key="cart_returns")


@ui.live_fragment(P, ui.CHART_SECONDS)
def policy_view():
    th, om, p = run.policy_grid()
    l2, r2 = st.columns([1, 1])
    ui.plotly(l2, F.policy_heatmap(th, om, p), key="cart_policy")
    r2.markdown("**What it has learned.** " + describe_policy(th, p))


live_view()
left, right = st.columns([1, 1])
with left:
    demo_view()
with right:
    chart_view()
policy_view()

st.subheader("Your turn: take the controls")
st.caption("The game runs five times slower than real time. The force is always on, as in "
           "CartPole: choose its direction with the buttons.")


@st.fragment(run_every=YOU_SECONDS if state.get("cart_you_live") else None)
def your_game():
    c = st.columns([1, 1, 1, 3])
    if c[0].button("Start", key="cart_you_start", icon=":material/play_arrow:", width="stretch"):
        state["cart_you_n"] = state.get("cart_you_n", 0) + 1      # a new start each game, seeded
        state["cart_you"] = C.Game(10_000 * int(seed) + state["cart_you_n"])
        state["cart_you_live"], state["cart_you_dir"] = True, 1
        st.rerun(scope="app")
    if c[1].button("Push left", key="cart_you_left", icon=":material/arrow_back:", width="stretch"):
        state["cart_you_dir"] = 0
    if c[2].button("Push right", key="cart_you_right", icon=":material/arrow_forward:", width="stretch"):
        state["cart_you_dir"] = 1
    game: C.Game | None = state.get("cart_you")
    if game is None:
        st.info("Press Start, then steer with Push left / Push right.")
        return
    if state.get("cart_you_live"):
        for _ in range(YOU_STEPS):
            if not game.push(state.get("cart_you_dir", 1)):
                break
        if game.over:
            state["cart_you_live"] = False
            st.rerun(scope="app")
    ui.plotly(st, F.cartpole_figure(game.state, f"You: step {game.steps}", state.get("cart_you_dir")),
              key="cart_you_fig")
    if game.over:
        agent = run.average(20)
        st.markdown(f"You kept the pole up for **{game.steps} steps**: {game.ending}. The agent's "
                    f"last 20 episodes averaged **{agent:.0f} steps** "
                    + ("(better than you)." if agent > game.steps else "(you did better, for now)."))


your_game()

with st.expander("What the policy network costs"):
    ui.cost_on_request("cart_policy", lambda: policy_cost(run), key="cart_cost")
