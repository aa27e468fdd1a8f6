"""Tic-tac-toe: rules on NumPy boards, perfect play (minimax) and a random player.

A board is 9 numbers, row by row: 1 = X, −1 = O, 0 = empty. X moves first, so the player to
move is X when both have played as often. Works on one board or on a batch (..., 9).
"""
from __future__ import annotations

import functools

import numpy as np

LINES = np.array([[0, 1, 2], [3, 4, 5], [6, 7, 8], [0, 3, 6], [1, 4, 7], [2, 5, 8],
                  [0, 4, 8], [2, 4, 6]])
MARK = {1: "X", -1: "O", 0: ""}


class MoveError(ValueError):
    """A move that is not allowed; the message says why."""


def to_move(board) -> int:
    b = np.asarray(board)
    return np.where((b == 1).sum(-1) == (b == -1).sum(-1), 1, -1)


def winner(board) -> np.ndarray:
    """1 (X has a line), −1 (O), 0 (nobody yet), for one board or a batch."""
    sums = np.asarray(board)[..., LINES].sum(-1)
    return np.where((sums == 3).any(-1), 1, np.where((sums == -3).any(-1), -1, 0))


def finished(board) -> np.ndarray:
    b = np.asarray(board)
    return (winner(b) != 0) | (b != 0).all(-1)


def legal(board) -> np.ndarray:
    return np.flatnonzero(np.asarray(board) == 0)


def play(board, cell: int) -> np.ndarray:
    """The board after the player to move marks ``cell``; MoveError explains a bad move."""
    b = np.array(board, dtype=np.int8)
    if bool(finished(b)):
        raise MoveError("The game is over: press “New game” to play again.")
    if not (isinstance(cell, (int, np.integer)) and 0 <= cell < 9):
        raise MoveError("Pick one of the 9 cells.")
    if b[cell] != 0:
        raise MoveError("That cell is taken: pick an empty one.")
    b[cell] = to_move(b)
    return b


def children(boards: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every board after each possible move of the player to move: (N, 9, 9) and legal (N, 9)."""
    boards = np.asarray(boards, dtype=np.int8).reshape(-1, 9)
    player = to_move(boards).astype(np.int8)
    ok = (boards == 0) & ~finished(boards)[:, None]
    kids = np.repeat(boards[:, None, :], 9, axis=1)
    idx = np.arange(9)
    kids[:, idx, idx] = np.where(ok, player[:, None], kids[:, idx, idx])
    return kids, ok


@functools.lru_cache(maxsize=None)
def _negamax(key: bytes) -> int:
    b = np.frombuffer(key, dtype=np.int8)
    w = int(winner(b))
    if w != 0:
        return w * int(to_move(b))     # the last mover won: −1 for the player to move
    if (b != 0).all():
        return 0
    return max(-_negamax(play(b, int(c)).tobytes()) for c in legal(b))


def solved() -> bool:
    """Whether perfect play is already known (the 5 478 positions are solved once per process)."""
    return _negamax.cache_info().currsize > 0


def value(board) -> int:
    """The game's value with perfect play for the player to move: 1 win, 0 draw, −1 loss."""
    return _negamax(np.asarray(board, dtype=np.int8).tobytes())


def best_moves(board) -> list[int]:
    b = np.asarray(board, dtype=np.int8)
    scores = {int(c): -value(play(b, int(c))) for c in legal(b)}
    top = max(scores.values())
    return [c for c, s in scores.items() if s == top]


def random_move(board, rng: np.random.Generator) -> int:
    return int(rng.choice(legal(board)))


def perfect_move(board, rng: np.random.Generator) -> int:
    """Minimax, choosing at random among equally good moves."""
    return int(rng.choice(best_moves(board)))


def play_game(x_player, o_player, rng: np.random.Generator) -> int:
    """Play one game; players are functions (board, rng) -> cell. Returns the winner (0 draw)."""
    b = np.zeros(9, dtype=np.int8)
    while not finished(b):
        mover = x_player if to_move(b) == 1 else o_player
        b = play(b, mover(b, rng))
    return int(winner(b))


def match(agent, opponent, games: int, seed: int) -> dict:
    """The agent against an opponent, half the games as X and half as O: win/draw/loss rates."""
    rng = np.random.default_rng(seed)
    res = {"win": 0, "draw": 0, "loss": 0}
    for g in range(games):
        as_x = g % 2 == 0
        w = play_game(agent, opponent, rng) if as_x else play_game(opponent, agent, rng)
        me = 1 if as_x else -1
        res["draw" if w == 0 else "win" if w == me else "loss"] += 1
    return {k: v / max(1, games) for k, v in res.items()} | {"games": games}


def match_batch(choose, opponent, games: int, seed: int) -> dict:
    """Like :func:`match`, but all games at once: ``choose(boards (n, 9)) -> cells`` moves for
    the agent in every game where it is to move (one network call per ply)."""
    rng = np.random.default_rng(seed)
    boards = np.zeros((games, 9), dtype=np.int8)
    me = np.where(np.arange(games) % 2 == 0, 1, -1)        # agent is X in even games
    for _ in range(9):
        live = ~finished(boards)
        if not live.any():
            break
        turn = to_move(boards)
        mine = np.flatnonzero(live & (turn == me))
        if mine.size:
            boards[mine, np.asarray(choose(boards[mine]))] = me[mine]
        for g in np.flatnonzero(live & (turn != me)):
            boards[g, opponent(boards[g], rng)] = -me[g]
    w = winner(boards)
    n = max(1, games)
    return {"win": float(np.sum(w == me)) / n, "draw": float(np.sum(w == 0)) / n,
            "loss": float(np.sum(w == -me)) / n, "games": games}
