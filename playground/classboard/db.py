"""The class board's storage: classes, students and their submitted runs.

SQLite by default (one file, WAL mode, so ``streamlit run app.py`` needs nothing else) or
PostgreSQL when ``PLAYGROUND_DB=postgresql://…`` (several server processes share one class).
Every operation opens its own short connection and transaction, so threads and processes never
share a connection; a student's rate limit is checked inside the transaction that inserts
(SQLite: ``BEGIN IMMEDIATE``; PostgreSQL: the student's row locked ``FOR UPDATE``).
"""
from __future__ import annotations

import contextlib
import hashlib
import hmac
import math
import os
import secrets
import sqlite3
import threading
import time
from pathlib import Path

from . import rules
from .rules import BoardError, clean_link, clean_nickname, clean_title

DB_ENV = "PLAYGROUND_DB"
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"   # no 0/O, 1/I/L: easy to read off a projector
CODE_LEN = 6
RATE_LIMIT, RATE_WINDOW = 10, 60.0                    # submissions per student per minute
_READY: set = set()                                    # databases whose tables this process made

# DOUBLE PRECISION and BIGINT: PostgreSQL's REAL is 4 bytes (a timestamp would lose minutes).
SCHEMA = """
CREATE TABLE IF NOT EXISTS classes (
  code TEXT PRIMARY KEY, title TEXT NOT NULL, challenge TEXT NOT NULL,
  secret_salt TEXT NOT NULL, secret_hash TEXT NOT NULL,
  hide_names INTEGER NOT NULL DEFAULT 0, closed INTEGER NOT NULL DEFAULT 0, created DOUBLE PRECISION NOT NULL);
CREATE TABLE IF NOT EXISTS students (
  id {pk}, code TEXT NOT NULL REFERENCES classes(code), nickname TEXT NOT NULL,
  nick_key TEXT NOT NULL, token_hash TEXT NOT NULL, created DOUBLE PRECISION NOT NULL,
  UNIQUE (code, nick_key));
CREATE TABLE IF NOT EXISTS submissions (
  id {pk}, code TEXT NOT NULL REFERENCES classes(code),
  student_id BIGINT NOT NULL REFERENCES students(id), page TEXT NOT NULL, link TEXT NOT NULL,
  test_loss DOUBLE PRECISION, test_acc DOUBLE PRECISION, params BIGINT NOT NULL,
  epochs DOUBLE PRECISION NOT NULL, created DOUBLE PRECISION NOT NULL,
  removed INTEGER NOT NULL DEFAULT 0, score DOUBLE PRECISION);
CREATE INDEX IF NOT EXISTS submissions_by_class ON submissions (code, removed);
CREATE INDEX IF NOT EXISTS submissions_by_student ON submissions (student_id, created);
"""
SCORE_COLUMN = "score DOUBLE PRECISION"   # a page's own score (added later: older files gain it)


def default_url() -> str:
    env = os.environ.get(DB_ENV, "").strip()
    if env:
        return env
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return str(cache / "deep-learning-playground" / "classes.sqlite3")


def _hash_secret(secret: str, salt: str) -> str:
    return hashlib.pbkdf2_hmac("sha256", secret.encode(), bytes.fromhex(salt), 100_000).hex()


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _number(value, name: str, lo: float, hi: float, optional: bool = False):
    if value is None and optional:
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise BoardError(f"The run's {name} is not a number.") from None
    if not math.isfinite(x) or not lo <= x <= hi:
        raise BoardError(f"The run's {name} must be between {lo:g} and {hi:g}.")
    return x


def _unavailable(exc: BaseException) -> bool:
    """A database that is down, restarting or locked for too long (not a bug in a query)."""
    if isinstance(exc, sqlite3.OperationalError):
        return True
    try:
        import psycopg
    except ImportError:  # pragma: no cover - SQLite only
        return False
    return isinstance(exc, psycopg.OperationalError)


class Board:
    """One class board database (thread- and process-safe; cheap to create)."""

    def __init__(self, url: str | None = None):
        self.url = url or default_url()
        self._local = threading.local()   # PostgreSQL: one open connection per thread
        self.pg = self.url.startswith(("postgresql://", "postgres://"))
        if not self.pg:
            path = Path(self.url.removeprefix("sqlite:///")).expanduser()
            path.parent.mkdir(parents=True, exist_ok=True)
            self.path = str(path)
        self._create()

    # ---- connections ------------------------------------------------------------------------
    def _connect(self):
        """A connection; an unreachable database raises BoardError with a plain message."""
        try:
            return self._open()
        except Exception as exc:
            if _unavailable(exc):
                raise BoardError("The class board's database cannot be reached right now; please "
                                 "try again in a moment (or check PLAYGROUND_DB).") from exc
            raise

    def _open(self):
        if self.pg:
            import psycopg

            con = getattr(self._local, "con", None)
            if con is None or con.closed or con.broken:
                con = self._local.con = psycopg.connect(self.url, connect_timeout=10)
            return con
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        con.execute("PRAGMA busy_timeout = 30000")
        return con

    @contextlib.contextmanager
    def _tx(self, write: bool = True):
        """A connection inside one transaction, committed at the end (rolled back on error)."""
        con = self._connect()
        try:
            if not self.pg:
                con.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield _Cursor(con, self.pg)
            con.commit() if self.pg else con.execute("COMMIT")
        except BaseException as exc:
            with contextlib.suppress(Exception):
                con.rollback() if self.pg else con.execute("ROLLBACK")
            if _unavailable(exc):
                self._local.con = None
                raise BoardError("The class board's database cannot be reached right now (or is "
                                 "busy); please try again in a moment.") from exc
            raise
        finally:
            if not self.pg:   # a PostgreSQL connection stays open for this thread's next call
                con.close()

    def _create(self):
        if self.url in _READY:
            return
        pk = "BIGSERIAL PRIMARY KEY" if self.pg else "INTEGER PRIMARY KEY AUTOINCREMENT"
        con = self._connect()
        try:
            if self.pg:
                with con.cursor() as cur:   # one server process at a time creates the tables
                    cur.execute("SELECT pg_advisory_xact_lock(42424242)")
                    for stmt in SCHEMA.format(pk=pk).split(";"):
                        if stmt.strip():
                            cur.execute(stmt)
                    cur.execute("SELECT 1 FROM information_schema.columns WHERE table_schema = "
                                "current_schema() AND table_name = 'submissions' AND column_name = 'score'")
                    if cur.fetchone() is None:   # ALTER locks the table: only when it is missing
                        cur.execute(f"ALTER TABLE submissions ADD COLUMN {SCORE_COLUMN}")
                con.commit()
            else:
                con.execute("PRAGMA journal_mode = WAL")
                con.executescript(SCHEMA.format(pk=pk))
                if "score" not in [r[1] for r in con.execute("PRAGMA table_info(submissions)")]:
                    try:
                        con.execute(f"ALTER TABLE submissions ADD COLUMN {SCORE_COLUMN}")
                    except sqlite3.OperationalError as exc:   # another process added it just now
                        if "duplicate column" not in str(exc):
                            raise
        finally:
            con.close()
        _READY.add(self.url)

    # ---- teacher ----------------------------------------------------------------------------
    def create_class(self, title: str, challenge: str = "loss") -> tuple[str, str]:
        """A new class: (class code, teacher secret). The secret is shown once, stored hashed."""
        title = clean_title(title)
        if challenge not in rules.CHALLENGES:
            raise BoardError(f"Unknown challenge {challenge!r}.")
        secret = secrets.token_urlsafe(12)
        salt = secrets.token_hex(16)
        for _ in range(20):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LEN))
            with self._tx() as cur:
                if cur.one("SELECT 1 FROM classes WHERE code = ?", (code,)):
                    continue
                cur.run("INSERT INTO classes (code, title, challenge, secret_salt, secret_hash, "
                        "created) VALUES (?, ?, ?, ?, ?, ?)",
                        (code, title, challenge, salt, _hash_secret(secret, salt), time.time()))
            return code, secret
        raise BoardError("Could not find a free class code; try again.")  # pragma: no cover

    def _teacher(self, cur, code: str, secret: str) -> dict:
        info = self._class(cur, code)
        if not hmac.compare_digest(_hash_secret(str(secret or "").strip(), info["secret_salt"]),
                                   info["secret_hash"]):
            raise BoardError("That teacher secret is not right for this class.")
        return info

    def check_secret(self, code: str, secret: str) -> bool:
        try:
            with self._tx(write=False) as cur:
                self._teacher(cur, code, secret)
            return True
        except BoardError:
            return False

    def set_hide_names(self, code: str, secret: str, hide: bool):
        with self._tx() as cur:
            self._teacher(cur, code, secret)
            cur.run("UPDATE classes SET hide_names = ? WHERE code = ?", (int(bool(hide)), code))

    def close_class(self, code: str, secret: str):
        with self._tx() as cur:
            self._teacher(cur, code, secret)
            cur.run("UPDATE classes SET closed = 1 WHERE code = ?", (code,))

    def remove(self, code: str, secret: str, submission_id: int):
        with self._tx() as cur:
            self._teacher(cur, code, secret)
            n = cur.run("UPDATE submissions SET removed = 1 WHERE id = ? AND code = ?",
                        (int(submission_id), code))
            if n == 0:
                raise BoardError("No such submission in this class.")

    # ---- students -----------------------------------------------------------------------------
    def _class(self, cur, code: str) -> dict:
        code = str(code or "").strip().upper()
        row = cur.one("SELECT code, title, challenge, secret_salt, secret_hash, hide_names, closed "
                      "FROM classes WHERE code = ?", (code,)) if 0 < len(code) <= 12 else None
        if row is None:
            raise BoardError("There is no class with that code. Check the code on the board.")
        return dict(zip(("code", "title", "challenge", "secret_salt", "secret_hash",
                         "hide_names", "closed"), row))

    def info(self, code: str) -> dict:
        """Title, challenge and switches of a class (never its secret)."""
        with self._tx(write=False) as cur:
            c = self._class(cur, code)
        return {k: c[k] for k in ("code", "title", "challenge")} | {
            "hide_names": bool(c["hide_names"]), "closed": bool(c["closed"])}

    def join(self, code: str, nickname: str) -> dict:
        """A student joins: returns {code, nickname, student_id, token} (the token is their key)."""
        nick = clean_nickname(nickname)
        token = secrets.token_urlsafe(16)
        with self._tx() as cur:
            c = self._class(cur, code)
            if c["closed"]:
                raise BoardError("This class is closed; the teacher no longer takes runs.")
            key = nick.casefold()
            if cur.one("SELECT 1 FROM students WHERE code = ? AND nick_key = ?", (c["code"], key)):
                raise BoardError("Someone in this class already uses that nickname; pick another.")
            sid = cur.one("INSERT INTO students (code, nickname, nick_key, token_hash, created) "
                          "VALUES (?, ?, ?, ?, ?) RETURNING id",
                          (c["code"], nick, key, _hash_token(token), time.time()))[0]
        return {"code": c["code"], "nickname": nick, "student_id": int(sid), "token": token}

    def submit(self, student: dict, page: str, link: str, test_loss=None, test_acc=None,
               params: int = 0, epochs: float = 0, now: float | None = None, score=None) -> int:
        """Store one run of a joined student; returns its id. Raises BoardError with a reason.

        ``score``: the page's own measure for its challenge (:data:`rules.SCORED`)."""
        link = clean_link(link)
        page = str(page or "")[:40]
        loss = _number(test_loss, "test loss", 0, 1e9, optional=True)
        acc = _number(test_acc, "test accuracy", 0, 1, optional=True)
        score = _number(score, "score", -1e9, 1e9, optional=True)
        if loss is None and acc is None and score is None:
            raise BoardError("A run needs a test loss or a test accuracy (or its page's score).")
        n_params = int(_number(params, "number of parameters", 0, 1e12))
        n_epochs = _number(epochs, "number of epochs", 0, 1e9)
        now = time.time() if now is None else now
        with self._tx() as cur:
            c = self._class(cur, student.get("code"))
            lock = " FOR UPDATE" if self.pg else ""
            row = cur.one(f"SELECT id, token_hash FROM students WHERE id = ? AND code = ?{lock}",
                          (int(student.get("student_id", -1)), c["code"]))
            if row is None or not hmac.compare_digest(row[1], _hash_token(str(student.get("token")))):
                raise BoardError("You are not in this class: join it again with the class code.")
            if c["closed"]:
                raise BoardError("This class is closed; the teacher no longer takes runs.")
            recent = cur.one("SELECT COUNT(*) FROM submissions WHERE student_id = ? AND created > ?",
                             (row[0], now - RATE_WINDOW))[0]
            if recent >= RATE_LIMIT:
                raise BoardError(f"Slow down: at most {RATE_LIMIT} runs a minute per student. "
                                 "Improve your run a little, then submit again.")
            return int(cur.one(
                "INSERT INTO submissions (code, student_id, page, link, test_loss, test_acc, params, "
                "epochs, created, score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (c["code"], row[0], page, link, loss, acc, n_params, n_epochs, now, score))[0])

    def submissions(self, code: str) -> list[dict]:
        """Every submission of a class that was not removed, oldest first."""
        with self._tx(write=False) as cur:
            c = self._class(cur, code)
            rows = cur.all(
                "SELECT s.id, st.nickname, s.student_id, s.page, s.link, s.test_loss, s.test_acc, "
                "s.params, s.epochs, s.created, s.score FROM submissions s JOIN students st "
                "ON st.id = s.student_id WHERE s.code = ? AND s.removed = 0 ORDER BY s.id",
                (c["code"],))
        keys = ("id", "nickname", "student_id", "page", "link", "test_loss", "test_acc", "params",
                "epochs", "created", "score")
        return [dict(zip(keys, r)) for r in rows]

    def leaderboard(self, code: str, best_per_student: bool = True) -> list[dict]:
        info = self.info(code)
        return rules.rank(self.submissions(code), info["challenge"], best_per_student)


class _Cursor:
    """The few calls the board needs, with ``?`` placeholders on SQLite and PostgreSQL."""

    def __init__(self, con, pg: bool):
        self.con, self.pg = con, pg

    def _exec(self, sql: str, args: tuple):
        if self.pg:
            cur = self.con.cursor()
            cur.execute(sql.replace("?", "%s"), args)
            return cur
        return self.con.execute(sql, args)

    def one(self, sql: str, args: tuple = ()):
        return self._exec(sql, args).fetchone()

    def all(self, sql: str, args: tuple = ()) -> list:
        return self._exec(sql, args).fetchall()

    def run(self, sql: str, args: tuple = ()) -> int:
        return self._exec(sql, args).rowcount
