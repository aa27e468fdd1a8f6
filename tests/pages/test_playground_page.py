"""AppTest: the playground page hands the browser component a correct setup, takes in its
reports (simulated here with the browser's own live session, run in Node), and keeps every
setting in the URL."""
import json
import subprocess
from pathlib import Path

from tests.unit.test_browser_engine import node

PAGE = "pages/playground.py"
LIVE = Path(__file__).resolve().parents[1] / "unit" / "js" / "run_live.js"


def runs(at):
    return at.session_state["pg_runs"]


def spec(at):
    return at.session_state["pg_spec"]


def browser(at, scenario="report", **extra):
    """What the component would report after training in the browser."""
    out = subprocess.run([node(), str(LIVE)], input=json.dumps({"spec": spec(at), "scenario": scenario,
                                                                "points": [0.0, 0.0], **extra}),
                         capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout)


def send(at, report, setting=None):
    at.session_state["pg_live"] = {"report": report, "setting": setting}
    at.run()
    assert not at.exception, at.exception


def test_the_component_gets_the_setup(open_page):
    at = open_page(PAGE)
    s = spec(at)
    r = runs(at)["A"]
    assert s["run_id"] == at.session_state["pg_run_id"] and s["resume"] is None
    assert s["nets"][0]["theta0"] == r.theta0.tolist() and s["nets"][0]["sizes"] == [2, 4, 2, 1]
    assert s["train"]["n"] == len(r.train) and s["test"]["n"] == len(r.test)
    assert s["view"]["speed"] == 5 and s["view"]["max_seconds"] == 600


def test_reports_update_the_run_export_and_sentences(open_page):
    at = open_page(PAGE, query={"dataset": "xor"})
    out = browser(at, epochs=40)
    send(at, out["report"])
    r = runs(at)["A"]
    assert r.epoch == 40 and r.net.theta.tolist() == out["report"]["nets"][0]["theta"]
    assert at.download_button(key="pg_export").proto.disabled is False
    caption = " ".join(c.value for c in at.caption)
    assert "gradient" in caption       # the flow sentence, from the reported numbers
    # a playing report disables the export until Pause
    playing = dict(out["report"], reason="tick", playing=True, seq=out["report"]["seq"] + 5, full=False)
    send(at, playing)
    assert at.download_button(key="pg_export").proto.disabled is True
    # after a page switch and back, the browser resumes from what Python heard
    at.switch_page("pages/home.py").run()
    at.switch_page(PAGE).run()
    assert spec(at)["resume"]["epoch"] == 40


def test_a_stale_report_changes_nothing(open_page):
    at = open_page(PAGE)
    out = browser(at, epochs=10)
    at.selectbox(key="pg_dataset").select("spiral").run()     # a new setup: a new run_id
    send(at, out["report"])
    assert runs(at)["A"].epoch == 0 and runs(at)["A"].cfg["dataset"] == "spiral"


def test_settings_rebuild_the_network(open_page):
    at = open_page(PAGE)
    rid = spec(at)["run_id"]
    at.select_slider(key="pg_lr").set_value(0.3).run()       # live: same run, new learning rate
    assert spec(at)["run_id"] == rid and spec(at)["nets"][0]["lr"] == 0.3
    at.selectbox(key="pg_dataset").select("spiral").run()
    assert runs(at)["A"].cfg["dataset"] == "spiral" and spec(at)["run_id"] != rid
    at.number_input(key="pg_nlayers").set_value(3).run()
    assert runs(at)["A"].net.sizes == [2, 4, 2, 2, 1] == spec(at)["nets"][0]["sizes"]
    at.selectbox(key="pg_act_0").select("relu").run()
    assert runs(at)["A"].net.activations[0] == "relu"
    at.radio(key="pg_problem").set_value("regression").run()
    assert runs(at)["A"].kind == "regression" == spec(at)["kind"] and not at.exception
    assert at.query_params["dataset"] in ("reg_plane", ["reg_plane"])


def test_diagram_clicks_change_features_and_layers(open_page):
    at = open_page(PAGE)
    send(at, None, {"key": "features", "value": ["x1", "x2", "x1x2"]})
    assert runs(at)["A"].features == ["x1", "x2", "x1x2"] and spec(at)["nets"][0]["sizes"][0] == 3
    send(at, None, {"key": "layers", "value": [6, 3, 2]})
    assert runs(at)["A"].net.sizes == [3, 6, 3, 2, 1]
    assert at.query_params["layers"] in ("6,3,2", ["6,3,2"])
    send(at, None, {"key": "layers", "value": [99, "x"]})     # refused: nothing changes
    assert runs(at)["A"].net.sizes == [3, 6, 3, 2, 1]


def test_url_state_and_hidden_groups(open_page):
    at = open_page(PAGE, query={"dataset": "xor", "layers": "8,8", "acts": "relu,tanh", "lr": "0.1",
                                "hide": "data,training,features"})
    r = runs(at)["A"]
    assert r.cfg["dataset"] == "xor" and r.net.sizes == [2, 8, 8, 1] and r.cfg["lr"] == 0.1
    keys = {w.key for w in at.selectbox} | {w.key for w in at.slider} | {w.key for w in at.select_slider}
    assert "pg_dataset" not in keys and "pg_batch" not in keys and "pg_lr" not in keys
    assert "pg_loss" in keys
    assert spec(at)["locks"] == {"features": True, "network": False, "view": False, "training": True}
    send(at, None, {"key": "features", "value": ["x1"]})       # hidden: the click is refused
    assert runs(at)["A"].features == ["x1", "x2"]


def test_multiclass_and_compare(open_page):
    at = open_page(PAGE, query={"dataset": "spiral3", "compare": "true", "b_act": "relu"})
    r = runs(at)
    assert set(r) == {"A", "B"} and r["A"].net.sizes[-1] == 3
    assert r["B"].net.activations[:2] == ["relu", "relu"]
    assert [n["name"] for n in spec(at)["nets"]] == ["A", "B"]
    loss = [w for w in at.selectbox if w.label == "Output and loss"][0]
    assert loss.value == "Softmax + cross-entropy" and loss.disabled      # not "squared error"
    out = browser(at, epochs=5)
    send(at, out["report"])
    assert r["A"].epoch == 5 and at.session_state["pg_runs"]["B"].epoch == 5


def test_divergence_is_explained_not_raised(open_page):
    at = open_page(PAGE, query={"dataset": "reg_plane", "layers": "8,8", "acts": "relu,relu", "lr": "10"})
    out = browser(at, "diverge")
    send(at, out["report"])
    r = runs(at)["A"]
    assert r.status == "diverged" and "learning rate (10)" in r.message
    assert at.download_button(key="pg_export").proto.disabled is True

