"""What a class board accepts and how it ranks: input cleaning and the challenge rules."""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

MAX_NICK, MAX_TITLE, MAX_LINK = 24, 80, 2000

# challenge -> (label, rule text)
CHALLENGES = {
    "loss": ("Lowest test loss", "Lowest test loss wins; a tie goes to fewer parameters, then to "
                                 "the earlier run."),
    "accuracy": ("Highest test accuracy", "Highest test accuracy wins; a tie goes to fewer "
                                          "parameters, then to the earlier run."),
    "small": ("Smallest network that reaches 90 % test accuracy",
              "Only runs with at least 90 % test accuracy count; fewest parameters wins, then the "
              "lower test loss, then the earlier run."),
    "cartpole": ("Balance a pole: the longest average episode",
                 "Only runs of Balance a pole count: the highest average episode length (steps the "
                 "pole stayed up, last 100 training episodes) wins; a tie goes to fewer training "
                 "episodes, then to the earlier run."),
    "grid_world": ("Grid world: the best return along the arrows",
                   "Only Grid world runs whose arrows lead from S to the goal count: the highest "
                   "discounted return along the arrows wins (a shorter or safer path); a tie goes to "
                   "fewer training episodes, then to the earlier run."),
    "gan": ("GAN: the closest to the target (lowest MMD)",
            "Only GAN runs count: the lowest MMD between the generated points and the target wins "
            "(compare runs on one target: lock it in the lesson link); a tie goes to fewer "
            "generator steps, then to the earlier run."),
}
SMALL_MIN_ACC = 0.9
# Challenges on one page's own score:
# challenge -> (page, what the score is, higher is better, what its "epochs" count)
SCORED = {"cartpole": ("cartpole", "Average episode (steps)", True, "Episodes"),
          "grid_world": ("grid_world", "Return along the arrows", True, "Episodes"),
          "gan": ("gan", "MMD to the target", False, "Generator steps")}


class BoardError(ValueError):
    """A clear message for the person at the keyboard (shown as plain text, never as HTML)."""


def _plain(text: str, what: str, max_len: int) -> str:
    text = unicodedata.normalize("NFC", str(text or "")).strip()
    text = " ".join(text.split())
    if not text:
        raise BoardError(f"Please type a {what}.")
    if len(text) > max_len:
        raise BoardError(f"That {what} is too long: at most {max_len} characters "
                         f"(it has {len(text):,}).")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs") and ch not in "\u200d\ufe0f"
           for ch in text):
        raise BoardError(f"The {what} contains invisible control characters; please retype it.")
    return text


def clean_nickname(nick) -> str:
    """1-24 visible characters (letters of any script, digits, punctuation, emoji); no < or >."""
    text = _plain(nick, "nickname", MAX_NICK)
    if "<" in text or ">" in text:
        raise BoardError("Nicknames cannot contain < or >; use letters, digits or emoji.")
    return text


def clean_title(title) -> str:
    return _plain(title or "Class", "class title", MAX_TITLE)


def clean_link(link) -> str:
    """An in-app link: a path on this app (``/page?settings``), never another site."""
    link = str(link or "").strip()
    if not link:
        raise BoardError("The run has no settings link.")
    if len(link) > MAX_LINK:
        raise BoardError(f"The settings link is too long (over {MAX_LINK} characters).")
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or not link.startswith("/") or link.startswith("//"):
        raise BoardError("The settings link must point to a page of this app.")
    return link


def _key(challenge: str):
    inf = float("inf")
    if challenge in SCORED:
        sign = -1.0 if SCORED[challenge][2] else 1.0
        return lambda s: (sign * s["score"], s["epochs"], s["id"])
    if challenge == "accuracy":
        return lambda s: (-(s["test_acc"] if s["test_acc"] is not None else -inf), s["params"], s["id"])
    if challenge == "small":
        return lambda s: (s["params"], s["test_loss"] if s["test_loss"] is not None else inf, s["id"])
    return lambda s: (s["test_loss"] if s["test_loss"] is not None else inf, s["params"], s["id"])


def eligible(sub: dict, challenge: str) -> bool:
    if challenge in SCORED:
        return sub.get("page") == SCORED[challenge][0] and sub.get("score") is not None
    if challenge == "loss":
        return sub["test_loss"] is not None
    if challenge == "accuracy":
        return sub["test_acc"] is not None
    return sub["test_acc"] is not None and sub["test_acc"] >= SMALL_MIN_ACC


def rank(subs: list[dict], challenge: str, best_per_student: bool = True) -> list[dict]:
    """Submissions in leaderboard order with a ``rank`` (1 = best); optionally each student's best."""
    key = _key(challenge)
    ordered = sorted((s for s in subs if eligible(s, challenge)), key=key)
    if best_per_student:
        seen, best = set(), []
        for s in ordered:
            if s["student_id"] not in seen:
                seen.add(s["student_id"])
                best.append(s)
        ordered = best
    return [{**s, "rank": i + 1} for i, s in enumerate(ordered)]


def display_name(sub: dict, hide: bool) -> str:
    return f"Student {sub['student_id']}" if hide else sub["nickname"]
