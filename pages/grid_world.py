"""Grid world: Q-learning (a table, then a small neural network) learns a maze while you watch."""
import numpy as np
import streamlit as st

from playground import ui
from playground.games import figures as F, gridworld as G, settings as S
from playground.games.costs import q_network_cost

ui.page_setup()
P = "grid"  # session-state prefix of this page
state = st.session_state

st.title("Grid world: values and policies")
st.caption("An agent starts at S knowing nothing. Every move costs the step reward; the goal G "
           "pays +1, a trap T costs −1. By trial and error (Q-learning) it estimates how good each "
           "move is in each cell. The colours are the values it has learned, the arrows the moves it "
           "would choose now, the line its latest episode.")
for w in ui.load_query_once(P, lambda q: S.from_query(q, S.GRID_PARSERS)):
    st.warning(w)
vals = {**S.GRID_DEFAULTS, **ui.stored(P)}


def widget(name, fn, label, **kw):
    return ui.kept_or(P, name, vals[name], fn, label, **kw)


sb = st.sidebar
sb.subheader("Maze")
preset = widget("preset", sb.selectbox, "Maze", options=[*G.PRESETS, "custom"],
                format_func=lambda k: G.PRESETS[k][0] if k in G.PRESETS else "Your own (edit the text)")
if preset == "custom":
    maze_text = widget("maze", sb.text_area, "Your maze", height=170, max_chars=240,
                       help="One row per line: . floor, # wall, S start, G goal (+1), T trap (−1). "
                            "2 to 10 rows and columns.")
else:
    maze_text = G.PRESETS[preset][1]
    ui.remember(P, "maze", maze_text)
    sb.code(maze_text, language=None)
gamma = widget("gamma", sb.select_slider, "Discount γ", options=S.GAMMAS,
               help="How much a reward one step later is worth: γ = 0.5 halves it per step.")
step_reward = widget("step_reward", sb.select_slider, "Reward per step", options=S.STEP_REWARDS)
slip = widget("slip", sb.select_slider, "Slippery floor (chance to slide sideways)", options=S.SLIPS)
sb.subheader("Learner")
method = widget("method", sb.radio, "Q-values in", options=["table", "network"], horizontal=True,
                format_func={"table": "a table", "network": "a neural network"}.get)
if method == "table":
    alpha = widget("alpha", sb.select_slider, "Learning rate α", options=S.ALPHAS)
else:
    lr = widget("lr", sb.select_slider, "Learning rate (Adam)", options=S.LRS)
eps = widget("eps", sb.select_slider, "Exploration ε (chance of a random move)", options=S.EPSILONS)
seed = widget("seed", sb.number_input, "Seed", min_value=0, max_value=9999, step=1)
v = {**S.GRID_DEFAULTS, **ui.stored(P)}
ui.write_query(S.to_query(v, S.GRID_DEFAULTS))

PAINTS = {"#": "wall", ".": "floor", "T": "trap", "G": "goal", "S": "start"}


def painted(key: str):
    """A click on the editor: paint that cell and switch to your own maze."""
    ev = state.get(key)
    pts = (ev or {}).get("selection", {}).get("points", []) if ev else []
    editable = G.loose(ui.stored(P).get("maze", ""))
    if pts and editable is not None:
        cell = int(round(pts[0]["y"])) * editable.shape[1] + int(round(pts[0]["x"]))
        ui.remember(P, "maze", G.paint(editable.text, cell, state.get("grid_paint", "#")))
        ui.remember(P, "preset", "custom")
        state["grid_paints"] = state.get("grid_paints", 0) + 1     # a fresh editor: no stale selection


editable = G.loose(maze_text)
with st.expander("Edit the maze: click cells to paint them", expanded=preset == "custom"):
    if editable is None:
        st.caption("Fix the maze text in the sidebar first (rows of . # S G T of equal length).")
    else:
        st.radio("Paint", list(PAINTS), format_func=PAINTS.get, horizontal=True, key="grid_paint")
        fig = F.grid_figure(editable, np.zeros(editable.n), None, height=260, clickable=True)
        fig["data"][0]["showscale"] = False
        ekey = f"grid_editor_{state.get('grid_paints', 0)}"
        ui.plotly(st, fig, key=ekey, on_select=lambda: painted(ekey), selection_mode="points")

try:
    maze = G.parse(maze_text)
except G.MazeError as exc:
    st.error(f"{exc}")
    st.stop()
settings = G.GridSettings(maze=maze.text, method=v["method"], gamma=float(v["gamma"]),
                          step_reward=float(v["step_reward"]), slip=float(v["slip"]),
                          alpha=float(v["alpha"]), lr=float(v["lr"]), eps=float(v["eps"]), seed=int(v["seed"]))


def build():
    state["grid_run"], state["grid_settings"] = G.GridRun(settings), settings
    state["grid_playing"] = False


if state.get("grid_settings") != settings:
    build()
run: G.GridRun = state["grid_run"]
if run.notice:
    st.info(run.notice)
ui.lesson_gate("grid_world")
ui.transport(P, "grid_run", build, S.GRID_SPEEDS, S.GRID_DEFAULTS["speed"], "episodes")
with sb:
    ui.lesson_link(P, "grid_world")
score = G.greedy_return(maze, run.dyn, run.q_table(), run.gamma) if run.status != "diverged" else None
if score is not None and run.episodes:
    ui.submit_run("grid_world", S.to_query(v, S.GRID_DEFAULTS), None, None,
                  sum(p.numel() for p in run.learner.net.parameters()) if settings.method == "network"
                  else 4 * int(maze.open().sum()), run.episodes, key="grid_board", score=score,
                  score_text=f"return along the arrows {score:+.3f}", unit="episodes")


def speed() -> int:
    return int(ui.stored(P).get("speed", S.GRID_DEFAULTS["speed"]))


@ui.live_fragment(P, run_key="grid_run", n=speed)   # each frame: its share of the server, then draw
def live_view():
    if run.status == "diverged":
        st.error(run.message)
    agree = run.policy_matches_optimal()
    open_cells = maze.open() & ~maze.terminal()
    last = f"{run.returns[-1]:+.3f}" if run.returns else "–"
    st.markdown(f"Episode **{run.episodes:,}** · moves **{run.steps:,}** · latest return **{last}** · "
                f"the greedy move is optimal in **{int(agree[open_cells].sum())} of "
                f"{int(open_cells.sum())}** cells (checked against value iteration)")


@ui.live_fragment(P, ui.CHART_SECONDS)
def chart_view():
    Q = run.q_table()
    left, right = st.columns([1, 1])
    values = np.where(maze.terminal(), 0.0, Q.max(1))
    ui.plotly(left, F.grid_figure(maze, values, G.greedy_actions(Q), run.last_path,
                                  "Learned values, greedy moves and the latest episode"), key="grid_map")
    ui.plotly(right, F.returns_chart(run.returns, "Discounted return per episode"), key="grid_returns")
    path, end = G.greedy_path(maze, Q)
    right.caption({"goal": f"Following its arrows from S the agent now reaches the goal in "
                           f"{len(path) - 1} moves.",
                   "trap": f"Following its arrows from S the agent now walks into a trap after "
                           f"{len(path) - 1} moves."}.get(end, "Following its arrows from S the agent "
                                                          "does not arrive yet (it circles or bumps into a wall)."))


live_view()
chart_view()

with st.expander("What γ and the step reward change: the best paths, computed exactly", expanded=False):
    st.caption("Value iteration solves this maze exactly for each setting (no learning). A steep "
               "step cost hurries the agent along the shortest path, even past traps; a small γ makes "
               "a far goal worth almost nothing; a positive step reward pays the agent never to finish.")
    variants = {"your settings": (run.gamma, settings.step_reward),
                "step reward −0.2": (run.gamma, -0.2), "step reward +0.1": (run.gamma, 0.1),
                "γ = 0.6": (0.6, settings.step_reward)}
    paths, cols = {}, st.columns(len(variants))
    for col, (name, (g, r)) in zip(cols, variants.items()):
        g, _ = G.check_discount(g, r)
        Qv = G.value_iteration(G.Dynamics.of(maze, settings.slip, r), g)
        paths[name] = G.greedy_path(maze, Qv)
        fig = F.grid_figure(maze, np.where(maze.terminal(), 0.0, Qv.max(1)), Qv.argmax(1),
                            paths[name][0], f"{name}: γ={g:g}, step {r:g}", height=260)
        fig["data"][0]["showscale"] = False
        ui.plotly(col, fig, key=f"grid_variant_{name}")
    st.markdown(G.describe_paths(paths))
    if len({tuple(p) for p, _ in paths.values()}) == 1 and settings.slip == 0:
        st.caption("Without slipping every shortest path is safe, so the settings agree. Try the "
                   "Cliff walk with a slippery floor of 0.1.")

if run.learner.kind == "network":
    with st.expander("What the Q-network costs"):
        ui.cost_on_request(f"grid_qnet_{maze.shape}", lambda: q_network_cost(run.learner),
                           key="grid_cost")
