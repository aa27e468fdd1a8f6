"""The class board: a teacher's class, students' submitted runs and the leaderboard."""
from .db import Board, default_url
from .rules import CHALLENGES, BoardError

__all__ = ["Board", "BoardError", "CHALLENGES", "default_url"]
