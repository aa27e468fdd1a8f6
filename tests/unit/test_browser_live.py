"""The browser's live session (playground/mlp/web/live.js, run in Node) and the Python side of
the contract (playground/mlp/browser.py): reset, time budgets, stop-at, divergence, reports
that Python applies, resume after a page switch, the worker's frames, hand edits."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from playground.mlp import browser as B
from playground.mlp import export, settings as S
from playground.mlp.trainer import Run

from .test_browser_engine import node

DRIVER = Path(__file__).with_name("js") / "run_live.js"


def cfg(**kw):
    c = S.defaults()
    c.update(kw)
    return S.normalize(c)


def make(c, compare=False):
    runs = {"A": Run(c)}
    if compare:
        runs["B"] = Run(c, overrides={"acts": ["relu"] * len(c["layers"]), "lr": 0.1})
    rid = B.run_id(c, "", 0)
    return runs, rid, B.spec(runs, c, rid, set())


def live(spec, scenario, **extra):
    out = subprocess.run([node(), str(DRIVER)], input=json.dumps({"spec": spec, "scenario": scenario, **extra}),
                         capture_output=True, text=True, timeout=120, check=True)
    return json.loads(out.stdout)


def test_reset_returns_to_the_seeded_start_and_replays_identically():
    runs, rid, spec = make(cfg(dataset="xor"))
    r = live(spec, "reset")
    assert r["after_reset_epoch"] == 0
    assert r["after_reset_theta"] == spec["nets"][0]["theta0"] == runs["A"].theta0.tolist()
    assert r["first"] == r["second"] and r["first"] != r["after_reset_theta"]


def test_the_frame_budget_changes_the_pace_never_the_numbers():
    _, _, spec = make(cfg(dataset="spiral", layers=[6, 6]))
    r = live(spec, "budget")
    assert r["frames"] > 5            # the budget really cut the work into many frames
    assert r["a"] == r["b"]           # ... and the run is the same, to the last bit
    assert r["history_len"] == r["frames"] + 1


def test_stop_at_epoch_stops_exactly_there():
    _, _, spec = make(cfg(dataset="circle"))
    r = live(spec, "stop")
    assert r["ran"] == 25 and r["epoch"] == 25 and r["status"] == "done" and r["more"] == 0
    assert "25" in r["message"]


def test_divergence_pauses_with_the_page_explanation():
    c = cfg(dataset="reg_plane", lr=10.0, layers=[8, 8], acts=["relu", "relu"])
    runs, rid, spec = make(c)
    r = live(spec, "diverge")
    assert r["status"] == "diverged"
    assert r["message"] == runs["A"].divergence_message(r["epoch"])
    assert "learning rate (10)" in r["message"]
    B.apply_report(runs, r["report"], rid)    # non-finite weights are the truth to keep
    assert runs["A"].status == "diverged" and runs["A"].epoch == r["epoch"]


def test_a_report_applied_in_python_reproduces_the_browser_network():
    """Export right after Pause = what the student sees: Python's network after the report
    predicts exactly what the browser draws."""
    c = cfg(dataset="spiral", layers=[8, 8], acts=["tanh", "relu"], optimizer="adam", lr=0.01)
    runs, rid, spec = make(c)
    pts = np.random.default_rng(0).uniform(-6, 6, (50, 2))
    r = live(spec, "report", points=pts.ravel().tolist())
    rep = r["report"]
    assert rep["reason"] == "pause" and rep["epoch"] == 40 and rep["full"]
    B.apply_report(runs, rep, rid)
    run = runs["A"]
    assert run.epoch == 40 and run.net.theta.tolist() == rep["nets"][0]["theta"]
    assert run.opt.step == rep["nets"][0]["step"] > 0 and run.opt.m.tolist() == rep["nets"][0]["m"]
    assert len(run.history) == len(rep["nets"][0]["history"]) >= 2
    assert np.allclose(run.net.predict(pts)[:, 0], r["grid"][0], rtol=0, atol=1e-12)
    assert export.state_dict(run.net)["layers.0.weight"].T.ravel().tolist() == rep["nets"][0]["theta"][:16]
    # ticks carry only what is new
    assert r["tick"]["nets"][0]["history"] == [] and not r["tick"]["full"]
    assert [h[0] for h in r["tick2"]["nets"][0]["history"]] == [43]
    B.apply_report(runs, r["tick2"], rid)
    assert run.epoch == 43 and run.history[-1][0] == 43


def test_python_refuses_reports_it_cannot_trust():
    c = cfg(dataset="xor")
    runs, rid, spec = make(c)
    rep = live(spec, "report", points=[0.0, 0.0])["report"]
    before = runs["A"].net.theta.copy()
    bad = [
        {**rep, "run_id": "another setup"},
        {**rep, "reason": "format-disk"},
        {**rep, "epoch": -3},
        {**rep, "nets": []},
        {**rep, "nets": [{**rep["nets"][0], "theta": rep["nets"][0]["theta"][:-1]}]},
        {**rep, "nets": [{**rep["nets"][0], "theta": [None] * len(rep["nets"][0]["theta"])}]},
        {**rep, "nets": [{**rep["nets"][0], "theta": ["1e400"] * len(rep["nets"][0]["theta"])}]},
        {**rep, "nets": [{**rep["nets"][0], "status": "hacked"}]},
        {**rep, "nets": [{**rep["nets"][0], "history": [[10**9, 0.1, 0.1]]}]},
        "not even a dict",
    ]
    for b in bad:
        with pytest.raises(B.ReportError):
            B.apply_report(runs, b, rid)
        assert (runs["A"].net.theta == before).all() and runs["A"].epoch == 0


def test_resume_after_a_page_switch_continues_the_same_run():
    c = cfg(dataset="circle", optimizer="momentum", layers=[5, 3])
    runs, rid, spec = make(c)
    rep = live(spec, "report", epochs=20, points=[0.0, 0.0])["report"]
    B.apply_report(runs, rep, rid)
    again = B.spec(runs, c, rid, set())
    assert again["resume"]["epoch"] == 20
    r = live(again, "resume", resume=again["resume"])
    assert r["resumed"] and r["epoch"] == 30
    assert r["from_resume"] == r["continued"]   # optimizer moments came back too


def test_worker_frames_rebuild_the_pages_copy():
    _, _, spec = make(cfg(dataset="gauss"))
    r = live(spec, "mirror")
    assert r["same_theta"] and r["epoch"] == 105
    assert r["m_hist"] == r["w_hist"] and r["m_flow"] == r["w_flow"]


def test_hand_edits_are_clamped_and_update_the_loss():
    _, _, spec = make(cfg(dataset="xor"))
    r = live(spec, "edit")
    assert r["v_big"] == 100 and "±100" in r["note_big"]
    assert r["v_nan"] == 0 and "number" in r["note_nan"]
    assert r["v_ok"] == 0.25 and r["note_ok"] == ""
    assert r["hist_last"][1] == r["loss"]


@pytest.mark.parametrize("dataset", ["spiral3", "xor"])
def test_browser_confusion_and_accuracy_match_python(dataset):
    c = cfg(dataset=dataset, layers=[6], acts=["relu"])
    runs, rid, spec = make(c)
    r = live(spec, "confusion", epochs=30)
    run = runs["A"]
    run.net.theta[:] = r["theta"]
    assert np.array_equal(run.confusion("test"), np.array(r["cm"]))
    assert abs(run.accuracy("test") - r["acc"]) < 1e-12


def test_spec_carries_what_the_browser_needs():
    c = cfg(dataset="spiral3", compare=True, show_test=True, stop_at=300)
    runs, rid, spec = make(c, compare=True)
    assert spec["v"] == B.VERSION and spec["kind"] == "multiclass" and spec["n_classes"] == 3
    assert [n["name"] for n in spec["nets"]] == ["A", "B"]
    assert spec["nets"][0]["loss"] == 1 and spec["nets"][0]["sizes"][-1] == 3
    assert spec["train"]["n"] * 2 == len(spec["train"]["X"]) and spec["resume"] is None
    assert spec["view"]["show_test"] and spec["view"]["stop_at"] == 300
    assert "{epoch}" in spec["nets"][0]["diverged_text"]
    json.dumps(spec, allow_nan=False)   # valid JSON for the browser: no NaN anywhere


def test_run_id_changes_exactly_with_settings_that_restart():
    c = cfg()
    base = B.run_id(c, "", 0)
    assert B.run_id({**c, "lr": 0.3}, "", 0) == base          # applies live
    assert B.run_id({**c, "speed": 100}, "", 0) == base
    assert B.run_id({**c, "seed": 1}, "", 0) != base           # new data and weights
    assert B.run_id({**c, "layers": [3]}, "", 0) != base
    assert B.run_id(c, "file-2", 0) != base


def test_settings_clicked_in_the_diagram_go_through_the_settings_table():
    c = cfg()
    assert B.setting_change({"key": "features", "value": ["x2", "x1sq"]}, c, set()) == ("features", ["x2", "x1sq"])
    assert B.setting_change({"key": "features", "value": ["rm -rf"]}, c, set()) is None
    assert B.setting_change({"key": "features", "value": []}, c, set()) is None
    assert B.setting_change({"key": "features", "value": ["x1"]}, c, {"features"}) is None  # hidden
    assert B.setting_change({"key": "layers", "value": [3, 99]}, c, set()) == ("layers", [3, 8])
    assert B.setting_change({"key": "layers", "value": [1] * 20}, c, set()) == ("layers", [1] * 6)
    assert B.setting_change({"key": "layers", "value": ["x"]}, c, set()) is None
    assert B.setting_change({"key": "lr", "value": 1e9}, c, set()) is None
    assert B.setting_change(None, c, set()) is None
    assert B.setting_change({"key": "speed", "value": 37}, c, set()) == ("speed", 50)   # nearest allowed
    assert B.setting_change({"key": "show_test", "value": True}, c, set()) == ("show_test", True)
    assert B.setting_change({"key": "discretize", "value": "yes"}, c, set()) is None
    assert B.setting_change({"key": "grad_links", "value": True}, c, {"view"}) is None
