"""Play against it: a value network learns tic-tac-toe by self-play; then you play it."""
import numpy as np
import streamlit as st

from playground import ui
from playground.games import figures as F, settings as S, tictactoe as T
from playground.games.costs import value_cost
from playground.games.selfplay import BATCH_GAMES, SelfPlay

ui.page_setup()
P = "ttt"
EVAL_EVERY = 1600     # self-play games between two matches against the random and perfect players
state = st.session_state

st.title("Play against it: tic-tac-toe")
st.caption("A value network looks at a board and guesses who will win. It learns only by playing "
           "against itself: after every move it nudges its guess toward what it expects after the "
           "opponent's best reply, and finished games tell it the truth. Every few hundred games "
           "it plays a random player and a perfect (minimax) player to show its progress.")
for w in ui.load_query_once(P, lambda q: S.from_query(q, S.TTT_PARSERS)):
    st.warning(w)
vals = {**S.TTT_DEFAULTS, **ui.stored(P)}
sb = st.sidebar
sb.subheader("Learner")
lr = ui.kept_or(P, "lr", vals["lr"], sb.select_slider, "Learning rate (Adam)", options=S.LRS)
eps = ui.kept_or(P, "eps", vals["eps"], sb.select_slider, "Exploration ε in self-play", options=S.EPSILONS)
seed = ui.kept_or(P, "seed", vals["seed"], sb.number_input, "Seed", min_value=0, max_value=9999, step=1)
first = ui.kept_or(P, "first", vals["first"], sb.radio, "Who starts (plays X)", ["you", "agent"],
                   format_func={"you": "You", "agent": "The agent"}.get, horizontal=True)
ui.write_query(S.to_query({**S.TTT_DEFAULTS, **ui.stored(P)}, S.TTT_DEFAULTS))
key = (float(lr), float(eps), int(seed))


def new_game():
    b = np.zeros(9, dtype=np.int8)
    if ui.stored(P).get("first", "you") == "agent":
        b = T.play(b, state["ttt_run"].agent(b))
    state["ttt_board"], state["ttt_msg"] = b, ""


def build():
    if not T.solved():
        with st.spinner("Solving tic-tac-toe for the perfect player (once per server, about a second)"):
            T.value(np.zeros(9, dtype=np.int8))
    state["ttt_run"], state["ttt_key"] = SelfPlay(lr=lr, eps=eps, seed=int(seed)), key
    state["ttt_playing"] = False
    state["ttt_run"].evaluate(100, 10)
    new_game()


if state.get("ttt_key") != key:
    build()
run: SelfPlay = state["ttt_run"]
ui.lesson_gate("tictactoe")
ui.transport(P, "ttt_run", build, S.TTT_SPEEDS, S.TTT_DEFAULTS["speed"],
             f"rounds of {BATCH_GAMES} games")
with sb:
    ui.lesson_link(P, "tictactoe")


def speed() -> int:
    return int(ui.stored(P).get("speed", S.TTT_DEFAULTS["speed"]))


@ui.live_fragment(P, run_key="ttt_run", n=speed)   # each frame: its share of the server, then draw
def training_view():
    behind = run.games - run.history[-1]["games"]
    if behind >= EVAL_EVERY or (behind and not state["ttt_playing"]):
        run.evaluate(100, 10)             # batched: well under a frame
    if run.status == "diverged":
        st.error(run.message)
    h = run.history[-1]
    r, p = h["random"], h["perfect"]
    st.markdown(f"Self-play games **{run.games:,}** · at {h['games']:,} games: against a random player "
                f"won **{r['win']:.0%}**, drew {r['draw']:.0%}, lost **{r['loss']:.0%}** of {r['games']}; "
                f"against perfect play drew **{p['draw']:.0%}**, lost {p['loss']:.0%} of {p['games']}")


@ui.live_fragment(P, ui.CHART_SECONDS)
def chart_view():
    ui.plotly(st, F.match_chart(run.history), key="ttt_chart")


training_view()
chart_view()

st.subheader("Your game")
if state.get("ttt_sides") != first:     # who starts changed: a new game with the new sides
    state["ttt_sides"] = first
    new_game()
board = state["ttt_board"]
you = 1 if ui.stored(P).get("first", "you") == "you" else -1


def click(cell: int):
    b = state["ttt_board"]
    try:
        if T.to_move(b) != you and not T.finished(b):
            raise T.MoveError("Wait for the agent's move.")
        b = T.play(b, cell)
        if not T.finished(b):
            b = T.play(b, run.agent(b))
        state["ttt_board"], state["ttt_msg"] = b, ""
    except T.MoveError as exc:
        state["ttt_msg"] = str(exc)


left, right = st.columns([1, 1.2])
with left:
    for r in range(3):
        cols = st.columns(3)
        for c in range(3):
            i = 3 * r + c
            cols[c].button(T.MARK[int(board[i])] or " ", key=f"ttt_cell_{i}", width="stretch",
                           on_click=ui.once(f"ttt_click_{i}", click, i))
    st.button("New game", key="ttt_new", icon=":material/refresh:", on_click=new_game)
    if state.get("ttt_msg"):
        st.warning(state["ttt_msg"])
    w = int(T.winner(board))
    if T.finished(board):
        st.success({you: "You won!", -you: "The agent won.", 0: "A draw."}[w] + " Press New game.")
    else:
        st.markdown(f"You play **{T.MARK[you]}**. Your move: click an empty cell.")
with right:
    values = run.move_values(board)
    ui.plotly(st, F.board_figure(board, values), key="ttt_board_fig")
    if not T.finished(board):
        best = int(np.nanargmax(values[:, 0] - values[:, 2]))
        st.caption(f"From your side: for each empty cell, the network's probability that whoever "
                   f"plays there wins. It thinks the best move for you is row {best // 3 + 1}, "
                   f"column {best % 3 + 1} (P(win) {values[best, 0]:.0%}, P(loss) {values[best, 2]:.0%}).")

with st.expander("What the value network costs"):
    ui.cost_on_request("ttt_value_net", lambda: value_cost(run), key="ttt_cost")
