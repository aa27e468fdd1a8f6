"""The classic cart-pole (Barto, Sutton & Anderson 1983; OpenAI Gym's CartPole-v0 constants).

State (x, ẋ, θ, θ̇): cart position (m) and velocity, pole angle from upright (rad) and angular
velocity. Each step pushes the cart left or right with 10 N for 0.02 s (explicit Euler). An
episode ends when the pole leans more than 12° or the cart leaves ±2.4 m, and stops after
200 steps. Reward: +1 per step the pole stays up. Vectorised over many carts at once.
"""
from __future__ import annotations

import math

import numpy as np

GRAVITY = 9.8
MASS_CART = 1.0
MASS_POLE = 0.1
TOTAL_MASS = MASS_CART + MASS_POLE
HALF_LENGTH = 0.5          # half the pole's length (m)
POLE_MASS_LENGTH = MASS_POLE * HALF_LENGTH
FORCE = 10.0
TAU = 0.02                 # seconds per step
THETA_LIMIT = 12 * 2 * math.pi / 360
X_LIMIT = 2.4
MAX_STEPS = 200
SOLVED_RETURN, SOLVED_WINDOW = 195.0, 100


def accelerations(state: np.ndarray, push_right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ẍ, θ̈) for states (..., 4) and actions (1 = push right, 0 = left)."""
    _, _, theta, theta_dot = np.moveaxis(np.asarray(state, dtype=float), -1, 0)
    force = np.where(np.asarray(push_right) == 1, FORCE, -FORCE)
    cos, sin = np.cos(theta), np.sin(theta)
    temp = (force + POLE_MASS_LENGTH * theta_dot ** 2 * sin) / TOTAL_MASS
    theta_acc = (GRAVITY * sin - cos * temp) / (
        HALF_LENGTH * (4.0 / 3.0 - MASS_POLE * cos ** 2 / TOTAL_MASS))
    x_acc = temp - POLE_MASS_LENGTH * theta_acc * cos / TOTAL_MASS
    return x_acc, theta_acc


def step(state: np.ndarray, push_right) -> np.ndarray:
    """One Euler step of 0.02 s (positions use the old velocities, as in Gym)."""
    state = np.asarray(state, dtype=float)
    x, x_dot, theta, theta_dot = np.moveaxis(state, -1, 0)
    x_acc, theta_acc = accelerations(state, push_right)
    return np.stack([x + TAU * x_dot, x_dot + TAU * x_acc,
                     theta + TAU * theta_dot, theta_dot + TAU * theta_acc], axis=-1)


def fallen(state: np.ndarray) -> np.ndarray:
    state = np.asarray(state, dtype=float)
    return (np.abs(state[..., 0]) > X_LIMIT) | (np.abs(state[..., 2]) > THETA_LIMIT)


def reset(rng: np.random.Generator, n: int | None = None) -> np.ndarray:
    """Start states: every component uniform in ±0.05."""
    return rng.uniform(-0.05, 0.05, size=(4,) if n is None else (n, 4))


def why_ended(state: np.ndarray, steps: int) -> str:
    x, _, theta, _ = np.asarray(state, dtype=float)
    if abs(theta) > THETA_LIMIT:
        return f"the pole leaned {math.degrees(abs(theta)):.0f}° (more than 12°)"
    if abs(x) > X_LIMIT:
        return f"the cart left the track at x = {x:+.2f} m (limit ±2.4 m)"
    if steps >= MAX_STEPS:
        return f"it balanced for all {MAX_STEPS} steps"
    return ""


class Game:
    """One cart for the animation and for a student at the controls."""

    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.state = reset(self.rng)
        self.steps, self.over, self.trail = 0, False, [self.state.copy()]

    def push(self, right: int) -> bool:
        """One step; returns whether the episode goes on."""
        if self.over:
            return False
        self.state = step(self.state, int(right))
        self.steps += 1
        self.trail = (self.trail + [self.state.copy()])[-MAX_STEPS:]
        self.over = bool(fallen(self.state)) or self.steps >= MAX_STEPS
        return not self.over

    @property
    def ending(self) -> str:
        return why_ended(self.state, self.steps) if self.over else ""
