"""Grid worlds: a maze you can edit, its exact values (value iteration) and tabular Q-learning.

A maze is text, one row per line: ``S`` start, ``G`` goal (+1, ends the episode), ``T`` trap
(−1, ends the episode), ``#`` wall, ``.`` floor. Every move also earns the step reward. On a
slippery floor a move goes sideways (left or right of the intended direction, half each) with
the slip probability; walking into a wall or the border leaves the agent where it is.
"""
from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass

import numpy as np

from .budget import Stepped

ACTIONS = ("up", "right", "down", "left")
ARROWS = ("↑", "→", "↓", "←")
MOVES = ((-1, 0), (0, 1), (1, 0), (0, -1))
CHARS = {".": "floor", "#": "wall", "S": "start", "G": "goal", "T": "trap"}
MIN_SIDE, MAX_SIDE = 2, 10
GOAL_REWARD, TRAP_REWARD = 1.0, -1.0
PRESETS = {
    "maze4": ("4×4 maze", "S...\n.##.\n.T#.\n...G"),
    "cliff": ("Cliff walk", "........\n........\n........\nSTTTTTTG"),
    "rooms": ("Two rooms", "S..#...\n...#...\n.......\n...#...\n..T#..G"),
}


class MazeError(ValueError):
    """A maze that cannot be played; the message says what to change."""


@dataclass(frozen=True)
class Maze:
    rows: tuple[str, ...]

    @property
    def shape(self) -> tuple[int, int]:
        return len(self.rows), len(self.rows[0])

    @property
    def n(self) -> int:
        return self.shape[0] * self.shape[1]

    def char(self, s: int) -> str:
        return self.rows[s // self.shape[1]][s % self.shape[1]]

    def cells(self, ch: str) -> list[int]:
        return [s for s in range(self.n) if self.char(s) == ch]

    @property
    def start(self) -> int:
        return self.cells("S")[0]

    @property
    def text(self) -> str:
        return "\n".join(self.rows)

    def terminal(self) -> np.ndarray:
        return np.array([self.char(s) in "GT" for s in range(self.n)])

    def open(self) -> np.ndarray:
        return np.array([self.char(s) != "#" for s in range(self.n)])


def parse(text: str) -> Maze:
    """A maze from text, or MazeError saying what is wrong (never echoes the whole text)."""
    lines = [ln.strip().replace(" ", "") for ln in str(text).strip().splitlines() if ln.strip()]
    if not lines:
        raise MazeError("The maze is empty: type rows of . # S G T.")
    if not MIN_SIDE <= len(lines) <= MAX_SIDE or not all(MIN_SIDE <= len(ln) <= MAX_SIDE for ln in lines):
        raise MazeError(f"A maze has {MIN_SIDE} to {MAX_SIDE} rows of {MIN_SIDE} to {MAX_SIDE} cells.")
    if len({len(ln) for ln in lines}) != 1:
        raise MazeError("Every row needs the same number of cells.")
    bad = sorted({ch for ln in lines for ch in ln.upper()} - set(CHARS))
    if bad:
        shown = ", ".join(repr(c) for c in bad[:3])
        raise MazeError(f"Unknown cell {shown}: use . (floor) # (wall) S (start) G (goal) T (trap).")
    maze = Maze(tuple(ln.upper() for ln in lines))
    if all(maze.char(s) == "#" for s in range(maze.n)):
        raise MazeError("The maze is all walls: there is nowhere to walk.")
    if len(maze.cells("S")) != 1:
        raise MazeError("Put exactly one start S in the maze.")
    if not maze.cells("G"):
        raise MazeError("Put at least one goal G in the maze.")
    if not reachable_goal(maze):
        raise MazeError("No path leads from the start S to a goal G (walls and traps block it): "
                        "open a wall so the agent can get there.")
    return maze


def loose(text: str) -> Maze | None:
    """The maze's cells even when it cannot be played yet (for the click editor), else None."""
    lines = [ln.strip().replace(" ", "").upper() for ln in str(text).strip().splitlines() if ln.strip()]
    if (not lines or len(lines) > MAX_SIDE or len({len(ln) for ln in lines}) != 1
            or len(lines[0]) > MAX_SIDE or {ch for ln in lines for ch in ln} - set(CHARS)):
        return None
    return Maze(tuple(lines))


def paint(text: str, cell: int, ch: str) -> str:
    """The maze text with one cell changed; a new start replaces the old one."""
    maze = loose(text)
    if maze is None or ch not in CHARS or not 0 <= cell < maze.n:
        return text
    cols = maze.shape[1]
    grid = [list(r.replace("S", ".") if ch == "S" else r) for r in maze.rows]
    grid[cell // cols][cell % cols] = ch
    return "\n".join("".join(r) for r in grid)


def neighbour(maze: Maze, s: int, a: int) -> int:
    rows, cols = maze.shape
    r, c = divmod(s, cols)
    r2, c2 = r + MOVES[a][0], c + MOVES[a][1]
    if 0 <= r2 < rows and 0 <= c2 < cols and maze.rows[r2][c2] != "#":
        return r2 * cols + c2
    return s


def reachable_goal(maze: Maze) -> bool:
    seen, todo = {maze.start}, deque([maze.start])
    while todo:
        s = todo.popleft()
        if maze.char(s) == "G":
            return True
        if maze.char(s) == "T":
            continue
        for a in range(4):
            t = neighbour(maze, s, a)
            if t not in seen:
                seen.add(t)
                todo.append(t)
    return False


def check_discount(gamma: float, step_reward: float) -> tuple[float, str]:
    """γ the learners can use, and a notice when the one asked for makes no sense."""
    gamma = float(np.clip(gamma, 0.0, 1.0))
    if gamma >= 1.0 and step_reward >= 0:
        return 0.99, ("With γ = 1 and a step reward ≥ 0 nothing rewards finishing: wandering "
                      "forever is worth as much as the goal and the values never settle. γ = 0.99 "
                      "is used instead (or make the step reward negative).")
    return gamma, ""


@dataclass(frozen=True)
class Dynamics:
    """Where each action can lead: ``nxt[s, a, k]`` with probability ``prob[k]``."""
    nxt: np.ndarray      # (S, 4, 3) int
    prob: np.ndarray     # (3,)
    reward: np.ndarray   # (S,) reward for entering a cell (step reward included)
    done: np.ndarray     # (S,) entering this cell ends the episode

    @classmethod
    def of(cls, maze: Maze, slip: float, step_reward: float) -> "Dynamics":
        slip = float(np.clip(slip, 0.0, 1.0))
        nxt = np.array([[[neighbour(maze, s, a), neighbour(maze, s, (a + 3) % 4),
                          neighbour(maze, s, (a + 1) % 4)] for a in range(4)] for s in range(maze.n)])
        bonus = np.array([{"G": GOAL_REWARD, "T": TRAP_REWARD}.get(maze.char(s), 0.0)
                          for s in range(maze.n)])
        return cls(nxt, np.array([1 - slip, slip / 2, slip / 2]), bonus + step_reward,
                   maze.terminal())

    def sample(self, s: int, a: int, rng: np.random.Generator) -> tuple[int, float, bool]:
        k = rng.choice(3, p=self.prob) if self.prob[0] < 1 else 0
        t = int(self.nxt[s, a, k])
        return t, float(self.reward[t]), bool(self.done[t])


def value_iteration(dyn: Dynamics, gamma: float, tol: float = 1e-10, max_iter: int = 20_000) -> np.ndarray:
    """Q*(s, a) of the maze (terminal cells 0)."""
    S = dyn.nxt.shape[0]
    V = np.zeros(S)
    cont = ~dyn.done
    for _ in range(max_iter):
        Q = (dyn.prob * (dyn.reward[dyn.nxt] + gamma * V[dyn.nxt] * cont[dyn.nxt])).sum(-1)
        V2 = np.where(dyn.done, 0.0, Q.max(1))
        if np.max(np.abs(V2 - V)) < tol:
            V = V2
            break
        V = V2
    return (dyn.prob * (dyn.reward[dyn.nxt] + gamma * V[dyn.nxt] * cont[dyn.nxt])).sum(-1)


def greedy_path(maze: Maze, Q: np.ndarray, limit: int | None = None) -> tuple[list[int], str]:
    """Cells visited by always taking the best action (no slipping) and how it ended."""
    s, path, seen = maze.start, [maze.start], {maze.start}
    for _ in range(limit or maze.n):
        if not np.all(np.isfinite(Q[s])):
            return path, "undefined"
        s = neighbour(maze, s, int(np.argmax(Q[s])))
        path.append(s)
        if maze.char(s) == "G":
            return path, "goal"
        if maze.char(s) == "T":
            return path, "trap"
        if s in seen:
            return path, "loop"
        seen.add(s)
    return path, "loop"


def greedy_return(maze: Maze, dyn: Dynamics, Q: np.ndarray, gamma: float) -> float | None:
    """The discounted return of walking the greedy path from S (no slipping); None unless it
    reaches the goal (a class board's grid world score)."""
    path, end = greedy_path(maze, Q)
    if end != "goal":
        return None
    return float(sum(gamma ** t * dyn.reward[s] for t, s in enumerate(path[1:])))


def greedy_actions(Q: np.ndarray) -> np.ndarray:
    """The best action per cell, −1 where every action is worth the same (nothing learned)."""
    best = Q.argmax(1)
    return np.where(np.ptp(Q, axis=1) > 0, best, -1)


def describe_paths(named: dict[str, tuple[list[int], str]]) -> str:
    """One sentence comparing greedy paths, derived from their cells and ends."""
    items = list(named.items())
    parts = [f"{name}: {len(p) - 1} steps to the {'goal' if end == 'goal' else end}"
             if end in ("goal", "trap") else f"{name}: never arrives (it walks in a circle or "
             "keeps bumping into a wall)"
             for name, (p, end) in items]
    distinct = {tuple(p) for _, (p, _) in items}
    verdict = (f"the {len(items)} settings choose {len(distinct)} different paths" if len(distinct) > 1
               else "all settings choose the same path")
    return f"On this maze {verdict} — " + "; ".join(parts) + "."


class TableLearner:
    """Q-learning with a table: Q(s,a) += α (r + γ max Q(s',·) − Q(s,a))."""
    kind = "table"

    def __init__(self, n_states: int, alpha: float, gamma: float, seed: int):
        self.Q = np.zeros((n_states, 4))
        self.alpha, self.gamma = float(alpha), float(gamma)

    def act(self, s: int, eps: float, rng: np.random.Generator) -> int:
        if rng.random() < eps:
            return int(rng.integers(4))
        q = self.Q[s]
        return int(rng.choice(np.flatnonzero(q == q.max())))

    def update(self, s: int, a: int, r: float, t: int, done: bool) -> float:
        target = r + (0.0 if done else self.gamma * self.Q[t].max())
        err = target - self.Q[s, a]
        self.Q[s, a] += self.alpha * err
        return float(err)

    def q_table(self) -> np.ndarray:
        return self.Q


@dataclass(frozen=True)
class GridSettings:
    maze: str = PRESETS["maze4"][1]
    method: str = "table"     # table | network
    gamma: float = 0.95
    step_reward: float = -0.04
    slip: float = 0.0
    alpha: float = 0.5        # table learning rate
    lr: float = 0.003         # network learning rate (Adam)
    eps: float = 0.2
    seed: int = 0


class GridRun(Stepped):
    """One learner on one maze, trained an episode at a time."""

    def __init__(self, s: GridSettings):
        self.s = s
        self.maze = parse(s.maze)
        self.gamma, self.notice = check_discount(s.gamma, s.step_reward)
        self.dyn = Dynamics.of(self.maze, s.slip, s.step_reward)
        self.rng = np.random.default_rng(s.seed)
        if s.method == "network":
            from .qnet import NetLearner
            self.learner = NetLearner(self.maze, s.lr, self.gamma, s.seed)
        else:
            self.learner = TableLearner(self.maze.n, s.alpha, self.gamma, s.seed)
        self.max_steps = 4 * self.maze.n
        # |any return| ≤ 1 + |step reward| × steps; a TD error 10× beyond that means divergence
        self.bound = 10 * (1 + abs(s.step_reward) * self.max_steps)
        self.episodes = self.steps = 0
        self.returns: list[float] = []
        self.last_path: list[int] = [self.maze.start]
        self.status, self.message = "ready", ""
        self._open, self._deadline = None, None     # an episode paused by the time budget
        self._qstar = None

    def unit(self) -> bool:
        """One unit of training: an episode."""
        return self.episode()

    def step(self, n: int = 1, max_seconds: float | None = None) -> int:
        """``n`` episodes within ``max_seconds``; a long episode that runs out of time is paused
        mid-way and goes on at the next call (a frame never waits for a whole episode)."""
        self._deadline = None if max_seconds is None else time.monotonic() + max_seconds
        return super().step(n, max_seconds)

    def episode(self) -> bool:
        if self._open is None:
            self._open = (self.maze.start, [self.maze.start], 0.0, 1.0)
        s, path, total, disc = self._open
        for k in range(self.max_steps - (len(path) - 1)):
            if k and self._deadline is not None and time.monotonic() > self._deadline:
                self._open = (s, path, total, disc)        # go on next time
                return True
            a = self.learner.act(s, self.s.eps, self.rng)
            t, r, done = self.dyn.sample(s, a, self.rng)
            err = self.learner.update(s, a, r, t, done)
            total += disc * r
            disc *= self.gamma
            path.append(t)
            self.steps += 1
            if not np.isfinite(err) or abs(err) > self.bound:
                self.status = "diverged"
                self.message = (f"The Q-values blew up in episode {self.episodes + 1} (a TD error of "
                                f"{abs(err):.3g}, while no return on this maze can exceed {self.bound / 10:.3g} "
                                "in size): the learning rate is too high. Lower it and press Reset.")
                return False
            s = t
            if done:
                break
        self._open = None
        self.episodes += 1
        self.returns.append(total)
        self.last_path = path
        self.status = "training"
        return True

    def q_table(self) -> np.ndarray:
        return self.learner.q_table()

    def optimal_q(self) -> np.ndarray:
        if self._qstar is None:            # exact, so once per run
            self._qstar = value_iteration(self.dyn, self.gamma)
        return self._qstar

    def policy_matches_optimal(self, tol: float = 1e-6) -> np.ndarray:
        """Per cell: is the greedy action one of the optimal ones? (walls and ends: True)"""
        Qs, Q = self.optimal_q(), self.q_table()
        best = Qs >= Qs.max(1, keepdims=True) - tol
        ok = best[np.arange(self.maze.n), Q.argmax(1)]
        return ok | ~self.maze.open() | self.maze.terminal()
