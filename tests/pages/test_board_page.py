"""Class board page and "Submit this run" on Train a CNN, on a fresh SQLite file."""
import sqlite3

import pytest

from playground.classboard import Board


@pytest.fixture
def db(tmp_path, monkeypatch):
    path = tmp_path / "classes.sqlite3"
    monkeypatch.setenv("PLAYGROUND_DB", str(path))
    return path


def form_button(at, form_id):
    return next(b for b in at.get("form_submit_button") if b.form_id == form_id)


def start_class(at) -> tuple[str, str]:
    form_button(at, "cb_new").click()
    at.run()
    assert not at.exception
    text = at.code[0].value
    code = text.split("Class code:")[1].split()[0]
    secret = text.split("Teacher secret:")[1].split()[0]
    return code, secret


def join(at, code, nick):
    """Fill the join form (the board page's, or the one in a page's "Submit this run")."""
    keys = [t.key for t in at.text_input]
    prefix = next(p for p in ("cb", "ct_board", "rnn_board") if f"{p}_code" in keys)
    at.text_input(key=f"{prefix}_code").set_value(code)
    at.text_input(key=f"{prefix}_nick").set_value(nick)
    form_button(at, f"{prefix}_join").click()
    at.run()


def test_teacher_starts_a_class_secret_shown_once_and_stored_hashed(open_page, db):
    at = open_page("pages/board.py")
    code, secret = start_class(at)
    assert len(code) == 6 and len(secret) >= 12
    stored = sqlite3.connect(db).execute("SELECT secret_hash FROM classes").fetchone()[0]
    assert secret not in stored
    at.run()
    assert not [c for c in at.code if secret in c.value]     # shown only once
    assert "No runs yet" in at.info[0].value


@pytest.mark.parametrize("nick, message", [
    ("", "Please type a nickname"), ("<b>Ana</b>", "cannot contain <"),
    ("n" * 10_000, "too long"),
])
def test_bad_nicknames_and_codes_get_clear_messages(open_page, db, nick, message):
    code, _ = Board(str(db)).create_class("c")
    at = open_page("pages/board.py")
    join(at, code, nick)
    assert not at.exception and message in at.error[0].value
    join(at, "WRONG1", "Ana")
    assert "no class with that code" in at.error[0].value


def test_submit_a_cnn_run_and_see_it_on_the_board_names_hidden_by_the_teacher(open_page, db):
    board = Board(str(db))
    code, secret = board.create_class("Digits")
    at = open_page("pages/cnn_train.py", query={"c1": "4"})
    join(at, code, "Zoë 🚀")
    assert not at.exception and not at.error
    at.button(key="ct_board_submit").click()
    at.run()
    assert not at.exception and "Submitted" in at.success[0].value
    sub = board.submissions(code)[0]
    assert sub["nickname"] == "Zoë 🚀" and sub["link"] == "/cnn_train?c1=4"
    assert sub["params"] > 0 and 0 <= sub["test_acc"] <= 1

    at.switch_page("pages/board.py")
    at.run()
    table = at.dataframe[0].value
    assert list(table["Name"]) == ["Zoë 🚀"] and table["Setup"][0].endswith("/cnn_train?c1=4")
    board.set_hide_names(code, secret, True)
    at.run()
    assert list(at.dataframe[0].value["Name"]) == [f"Student {sub['student_id']}"]


def test_teacher_removes_a_submission_and_closes_the_class(open_page, db):
    board = Board(str(db))
    code, secret = board.create_class("c")
    s = board.join(code, "Ana")
    board.submit(s, "cnn_train", "/cnn_train", 0.3, 0.9, 100, 1)
    at = open_page("pages/board.py")
    form = "cb_open"
    inputs = [t for t in at.text_input if t.form_id == form]
    inputs[0].set_value(code)
    inputs[1].set_value("wrong")
    form_button(at, form).click()
    at.run()
    assert "do not match" in at.error[0].value
    inputs = [t for t in at.text_input if t.form_id == form]
    inputs[1].set_value(secret)
    form_button(at, form).click()
    at.run()
    at.selectbox[-1].set_value(board.submissions(code)[0]["id"])
    at.run()
    at.button(key="cb_remove").click()
    at.run()
    assert board.submissions(code) == []
    at.button(key="cb_close").click()
    at.run()
    assert board.info(code)["closed"] and not at.exception


def test_submit_from_the_recurrent_page_with_its_settings_link(open_page, db):
    board = Board(str(db))
    code, _ = board.create_class("Memory", "accuracy")
    at = open_page("pages/recurrent.py", query={"task": "memory", "delay": "5"})
    join(at, code, "Ana")
    at.button(key="rnn_board_submit").click()
    at.run()
    assert not at.exception and "Submitted" in at.success[0].value
    sub = board.submissions(code)[0]
    assert sub["page"] == "recurrent" and "task=memory" in sub["link"] and "delay=5" in sub["link"]
    assert sub["test_acc"] is not None and sub["params"] > 0


def test_an_unreachable_database_is_a_message_not_a_traceback(open_page, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_DB", "postgresql://nobody:x@127.0.0.1:1/none")
    at = open_page("pages/board.py")
    assert "cannot be reached" in at.error[0].value
    at.switch_page("pages/cnn_train.py")
    at.run()
    assert not at.exception and "cannot be reached" in at.error[0].value
