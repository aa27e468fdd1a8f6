"""Loss landscapes: the loss of a network over a plane through its weights, and optimizers on it.

A landscape is (network, data X and T, origin theta0, directions d1 and d2). The point (α, β)
of the plane stands for the weights theta = theta0 + α·d1 + β·d2, so

    loss(α, β) = net.data_loss(X, T) at those weights, and
    ∇ in the plane = (g·d1, g·d2), g = Network.gradient (the compiled training engine).

With d1, d2 unit vectors along two parameters the plane *is* a two-parameter model; with random
directions it is a 2-D slice through a bigger network. The optimizers are the engine's own
``kernel.optimizer_step`` (torch.optim rules) on the 2-vector (α, β), full-batch, so a
trajectory is deterministic.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import datasets as D
from . import kernel as K
from .network import OPTIMIZER_LABELS, OPTIMIZERS, Network, Optimizer, train_epoch

OPT_KEYS = list(OPTIMIZERS)  # sgd, momentum, rmsprop, adam
LEARNING_RATES = (0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0,
                  50.0)
MAX_STEPS = 300
REACHED = 0.01   # "at the minimum": 99 % of the way down from the start loss to the lowest loss
BLOWUP = 10.0    # a loss above 10x the map's largest loss counts as exploding
FAR = 1.0        # leaving the map by more than its own width counts as diverging


@dataclass(frozen=True)
class Landscape:
    key: str
    title: str
    sizes: tuple
    acts: tuple
    loss: str
    X: np.ndarray
    T: np.ndarray
    theta0: np.ndarray
    d1: np.ndarray
    d2: np.ndarray
    extent: tuple          # (α min, α max, β min, β max)
    labels: tuple          # axis titles
    start: tuple           # default start (α, β)
    lrs: dict              # default learning rate per optimizer
    steps: int = 100
    note: str = ""
    extra: dict = field(default_factory=dict)

    def probe(self) -> Network:
        """A private network to evaluate with (the landscape itself is shared and never changes)."""
        return Network(list(self.sizes), list(self.acts), self.loss, self.theta0.copy())

    def theta(self, a: float, b: float) -> np.ndarray:
        return self.theta0 + a * self.d1 + b * self.d2

    def loss_at(self, a: float, b: float, net: Network | None = None) -> float:
        net = net or self.probe()
        net.theta[:] = self.theta(a, b)
        return net.data_loss(self.X, self.T)

    def grad_at(self, a: float, b: float, net: Network | None = None):
        """(loss, [dL/dα, dL/dβ]) from the engine's gradient, projected on the plane."""
        net = net or self.probe()
        net.theta[:] = self.theta(a, b)
        loss, g = net.gradient(self.X, self.T)
        return float(loss), np.array([g @ self.d1, g @ self.d2])

    def inside(self, a: float, b: float, margin: float = 0.0) -> bool:
        a0, a1, b0, b1 = self.extent
        wa, wb = (a1 - a0) * margin, (b1 - b0) * margin
        return a0 - wa <= a <= a1 + wa and b0 - wb <= b <= b1 + wb


def grid(land: Landscape, n: int = 61):
    """(alphas, betas, Z) with Z[j, i] = loss(alphas[i], betas[j]) on an n x n grid."""
    a0, a1, b0, b1 = land.extent
    alphas, betas = np.linspace(a0, a1, n), np.linspace(b0, b1, n)
    net, Z = land.probe(), np.empty((n, n))
    for j, b in enumerate(betas):
        for i, a in enumerate(alphas):
            Z[j, i] = land.loss_at(a, b, net)
    return alphas, betas, Z


def clamp_start(land: Landscape, a: float, b: float):
    """The start point moved into the map, and a message when it had to be moved (else None)."""
    a0, a1, b0, b1 = land.extent
    ca, cb = float(np.clip(a, a0, a1)), float(np.clip(b, b0, b1))
    if not (np.isfinite(a) and np.isfinite(b)):
        ca, cb = land.start
    if (ca, cb) == (a, b):
        return (ca, cb), None
    return (ca, cb), (f"The start ({a:g}, {b:g}) is outside the map "
                      f"[{a0:g}, {a1:g}] × [{b0:g}, {b1:g}]; using ({ca:g}, {cb:g}).")


@dataclass
class Trajectory:
    opt: str
    lr: float
    points: np.ndarray     # (k + 1, 2): the start and every point reached
    losses: np.ndarray     # (k + 1,)
    status: str = "ok"     # ok | diverged | left
    stopped_at: int | None = None

    @property
    def label(self) -> str:
        return OPTIMIZER_LABELS[self.opt]

    def message(self) -> str | None:
        if self.status == "diverged":
            return (f"{self.label} with lr {self.lr:g} diverged at step {self.stopped_at} (the loss "
                    "exploded) — lower the learning rate.")
        if self.status == "left":
            return (f"{self.label} with lr {self.lr:g} shot far off the map at step "
                    f"{self.stopped_at} — lower the learning rate.")
        return None


def run(land: Landscape, opt: str, lr: float, start, steps: int, max_loss: float | None = None,
        hyper: np.ndarray = K.DEFAULT_HYPER) -> Trajectory:
    """``steps`` full-batch updates of (α, β) from ``start`` with one optimizer.

    Stops early when the loss becomes non-finite or exceeds BLOWUP x ``max_loss`` (the map's
    largest loss), or the point leaves the map by more than its width."""
    net, p = land.probe(), np.array(start, dtype=float)
    state = Optimizer(opt, 2)
    loss, g = land.grad_at(p[0], p[1], net)
    points, losses = [p.copy()], [loss]
    traj = Trajectory(opt, float(lr), None, None)
    limit = BLOWUP * max_loss if max_loss is not None and np.isfinite(max_loss) else np.inf
    for step in range(1, int(steps) + 1):
        K.optimizer_step(p, g, OPTIMIZERS[opt], float(lr), hyper, state.m, state.v, step)
        with np.errstate(all="ignore"):
            loss, g = land.grad_at(p[0], p[1], net) if np.all(np.isfinite(p)) else (np.nan, g)
        if not (np.isfinite(loss) and np.all(np.isfinite(g))) or loss > limit:
            traj.status, traj.stopped_at = "diverged", step
            break
        if not land.inside(p[0], p[1], FAR):
            traj.status, traj.stopped_at = "left", step
            break
        points.append(p.copy())
        losses.append(loss)
    traj.points, traj.losses = np.array(points), np.array(losses)
    return traj


def race(land: Landscape, lrs: dict, start, steps: int, Z: np.ndarray, opts=OPT_KEYS) -> list:
    """One trajectory per optimizer, all from the same start."""
    top = float(np.nanmax(Z))
    return [run(land, o, lrs[o], start, steps, top) for o in opts]


def ranking(trajs: list, Z: np.ndarray) -> tuple[list[dict], float]:
    """Who reaches the minimum first: rows sorted by the first step at which the loss has come
    99 % of the way down from the start to the lowest loss found (over the map and every
    trajectory): loss <= low + REACHED x (start loss - low). Returns (rows, that level)."""
    low = min([float(np.nanmin(Z))] + [float(t.losses.min()) for t in trajs if len(t.losses)])
    first = float(trajs[0].losses[0]) if trajs else low
    level = low + REACHED * max(first - low, 0.0)
    rows = []
    for t in trajs:
        hit = np.flatnonzero(t.losses <= level)
        rows.append({"optimizer": t.label, "learning rate": t.lr,
                     "reached at step": int(hit[0]) if hit.size else None,
                     "final loss": float(t.losses[-1]), "steps run": len(t.losses) - 1,
                     "status": {"ok": "", "diverged": f"diverged at step {t.stopped_at}",
                                "left": f"left the map at step {t.stopped_at}"}[t.status]})
    rows.sort(key=lambda r: (r["reached at step"] is None,
                             r["reached at step"] if r["reached at step"] is not None else 0,
                             r["final loss"] if np.isfinite(r["final loss"]) else np.inf))
    for i, r in enumerate(rows):
        r["rank"] = i + 1 if r["reached at step"] is not None else None
    return rows, level


# ---- the scenarios ----------------------------------------------------------------------

def _unit(n: int, i: int) -> np.ndarray:
    e = np.zeros(n)
    e[i] = 1.0
    return e


def valley(seed: int = 0) -> Landscape:
    """A linear neuron on two strongly correlated inputs: a long, narrow valley."""
    rng = np.random.default_rng(seed)
    x1 = rng.normal(0, 1, 200)
    x2 = 0.98 * x1 + np.sqrt(1 - 0.98 ** 2) * rng.normal(0, 1, 200)
    X = np.column_stack([x1, x2])
    T = (X @ np.array([1.5, -1.0]) + rng.normal(0, 0.1, 200))[:, None]
    return Landscape(
        "valley", "Stretched valley", (2, 1), ("linear",), "squared", X, T, np.zeros(3),
        _unit(3, 0), _unit(3, 1), (-3.0, 3.0, -3.0, 3.0), ("weight w₁", "weight w₂"), (-2.5, 0.5),
        {"sgd": 0.5, "momentum": 0.1, "rmsprop": 0.05, "adam": 0.1}, 100,
        "A linear neuron y = w₁x₁ + w₂x₂ (bias fixed at 0) fitted to 200 points whose two inputs are "
        "98 % correlated. The loss is a bowl stretched into a long, narrow valley: steep across, "
        "almost flat along it, so plain SGD must keep its steps small and then crawls.")


def sigmoid_neuron(seed: int = 0) -> Landscape:
    """One sigmoid neuron on overlapping 1-D classes: flat plateaus where it saturates."""
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.normal(-1.0, 1.0, 50), rng.normal(1.0, 1.0, 50)])
    T = np.concatenate([np.zeros(50), np.ones(50)])[:, None]
    return Landscape(
        "sigmoid", "Sigmoid neuron (w, b)", (1, 1), ("sigmoid",), "squared", x[:, None], T,
        np.zeros(2), _unit(2, 0), _unit(2, 1), (-8.0, 8.0, -8.0, 8.0), ("weight w", "bias b"),
        (-7.0, -2.0), {"sgd": 10.0, "momentum": 1.0, "rmsprop": 0.2, "adam": 0.5}, 150,
        "One neuron a = sigmoid(w·x + b) with squared error on 100 points of two overlapping "
        "classes (x around −1 → 0, around +1 → 1). Where w·x + b is large for every point the "
        "sigmoid saturates: the loss is a flat plateau with almost no gradient.")


def network_slice(seed: int = 0) -> Landscape:
    """A 2-3-1 tanh network trained briefly on XOR; a plane through its weights along two random
    directions of the same length as the weight vector."""
    data = D.generate("xor", 0.0, seed)
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(data), 200, replace=False)
    X, T = data.X[idx] / 6.0 * 2.0, data.y[idx][:, None]  # inputs scaled to about [-2, 2]
    net = Network([2, 3, 1], ["tanh", "tanh"], "squared", init="xavier", seed=seed)
    opt = Optimizer("adam", net.n_params)
    for _ in range(150):
        train_epoch(net, opt, X, T, 20, 0.03)
    theta0 = net.theta.copy()
    norm = np.linalg.norm(theta0)
    d1, d2 = rng.normal(0, 1, theta0.size), rng.normal(0, 1, theta0.size)
    d1, d2 = d1 / np.linalg.norm(d1) * norm, d2 / np.linalg.norm(d2) * norm
    return Landscape(
        "network", "A small network, 2-D slice", (2, 3, 1), ("tanh", "tanh"), "squared", X, T,
        theta0, d1, d2, (-1.0, 1.0, -1.0, 1.0), ("α (random direction 1)", "β (random direction 2)"),
        (-0.8, -0.5), {"sgd": 0.2, "momentum": 0.05, "rmsprop": 0.01, "adam": 0.02}, 150,
        f"A 2-3-1 tanh network ({theta0.size} weights) trained for 150 epochs on exclusive-or "
        "sits at (0, 0). Every other point of the map is those weights plus α and β times two "
        "random directions as long as the weight vector: a 2-D slice of a 13-D landscape. "
        "The optimizers move only within this slice.",
        {"train_loss": net.data_loss(X, T)})


# ---- the page's settings in the address bar ----------------------------------------------

def from_query(query) -> tuple[dict, list[str]]:
    """Page values (named as the page stores them) from URL parameters, and warnings.

    ``?scenario=sigmoid&start=-3,2&steps=200&opts=sgd,adam&lr_adam=0.2``; a bad value is
    dropped or moved to the nearest allowed one, with a warning."""
    values, warnings = {}, []
    s = query.get("scenario", "valley")
    if s not in SCENARIOS:
        warnings.append(f"Unknown landscape scenario={s} ignored; choose from {', '.join(SCENARIOS)}.")
        s = "valley"
    values["scenario"] = s
    if "opts" in query:
        opts = [o for o in str(query["opts"]).split(",") if o in OPT_KEYS]
        if len(opts) != len([o for o in str(query["opts"]).split(",") if o]):
            warnings.append(f"Unknown optimizer(s) in opts={query['opts']} ignored.")
        values["opts"] = [o for o in OPT_KEYS if o in opts]
    for o in OPT_KEYS:
        raw = query.get(f"lr_{o}")
        if raw is None:
            continue
        try:
            v = float(raw)
            if not np.isfinite(v):
                raise ValueError
        except ValueError:
            warnings.append(f"Ignored lr_{o}={raw} (not a number).")
            continue
        best = min(LEARNING_RATES, key=lambda x: abs(np.log(x) - np.log(max(v, 1e-12))))
        if best != v:
            warnings.append(f"lr_{o}={raw} is not on the slider; using {best:g}.")
        values[f"lr_{s}_{o}"] = best
    if "steps" in query:
        try:
            n = int(min(max(round(float(query["steps"]) / 10) * 10, 10), MAX_STEPS))
            if n != float(query["steps"]):
                warnings.append(f"steps={query['steps']} is out of range; using {n}.")
            values[f"steps_{s}"] = n
        except ValueError:
            warnings.append(f"Ignored steps={query['steps']} (not a number).")
    if "start" in query:
        try:
            a, b = (float(v) for v in str(query["start"]).split(","))
            if not (np.isfinite(a) and np.isfinite(b)):
                raise ValueError
            values[f"start_a_{s}"], values[f"start_b_{s}"] = a, b
        except ValueError:
            warnings.append(f"Ignored start={query['start']} (expected two numbers, e.g. -2,1.5).")
    return values, warnings


def to_query(values, land: Landscape) -> dict:
    """The page's values that differ from the landscape's defaults, as URL strings."""
    s, q = land.key, {}
    if s != "valley":
        q["scenario"] = s
    opts = list(values.get("opts", OPT_KEYS))
    if opts != OPT_KEYS:
        q["opts"] = ",".join(opts)
    start = (values.get(f"start_a_{s}", land.start[0]), values.get(f"start_b_{s}", land.start[1]))
    if tuple(map(float, start)) != tuple(map(float, land.start)):
        q["start"] = f"{start[0]:g},{start[1]:g}"
    if values.get(f"steps_{s}", land.steps) != land.steps:
        q["steps"] = str(values[f"steps_{s}"])
    for o in OPT_KEYS:
        v = values.get(f"lr_{s}_{o}", land.lrs[o])
        if v != land.lrs[o]:
            q[f"lr_{o}"] = f"{v:g}"
    return q


SCENARIOS = {"valley": valley, "sigmoid": sigmoid_neuron, "network": network_slice}
SCENARIO_LABELS = {"valley": "Stretched valley", "sigmoid": "Sigmoid neuron (w, b)",
                   "network": "A small network, 2-D slice"}
