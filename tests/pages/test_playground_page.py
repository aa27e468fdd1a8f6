"""AppTest: the playground page loads, and its main controls change the state."""
import json

PAGE = "pages/playground.py"


def runs(at):
    return at.session_state["pg_runs"]


def test_loads_and_transport_buttons(open_page):
    at = open_page(PAGE)
    at.session_state["pg_max_frames"] = 2  # bound the animation loop in tests
    assert runs(at)["A"].epoch == 0
    assert any("Epoch **0**" in m.value for m in at.markdown)
    at.button(key="pg_step").click().run()
    assert runs(at)["A"].epoch == 1 and not at.exception
    at.button(key="pg_play").click().run()
    assert at.session_state["pg_playing"] is True
    assert runs(at)["A"].epoch == 1 + 2 * 5  # two frames of 5 epochs (the default speed)
    at.button(key="pg_play").click().run()
    assert at.session_state["pg_playing"] is False
    at.button(key="pg_reset").click().run()
    assert runs(at)["A"].epoch == 0 and not at.exception


def test_settings_rebuild_the_network(open_page):
    at = open_page(PAGE)
    at.selectbox(key="pg_dataset").select("spiral").run()
    assert runs(at)["A"].cfg["dataset"] == "spiral"
    at.number_input(key="pg_nlayers").set_value(3).run()
    assert runs(at)["A"].net.sizes == [2, 4, 2, 2, 1]
    at.selectbox(key="pg_act_0").select("relu").run()
    assert runs(at)["A"].net.activations[0] == "relu"
    at.radio(key="pg_problem").set_value("regression").run()
    assert runs(at)["A"].kind == "regression" and not at.exception
    assert at.query_params["dataset"] in ("reg_plane", ["reg_plane"])


def test_url_state_and_hidden_groups(open_page):
    at = open_page(PAGE, query={"dataset": "xor", "layers": "8,8", "acts": "relu,tanh", "lr": "0.1",
                                "hide": "data,training"})
    r = runs(at)["A"]
    assert r.cfg["dataset"] == "xor" and r.net.sizes == [2, 8, 8, 1] and r.cfg["lr"] == 0.1
    keys = {w.key for w in at.sidebar.selectbox} | {w.key for w in at.sidebar.slider}
    assert "pg_dataset" not in keys and "pg_batch" not in keys
    assert "pg_loss" in keys


def test_multiclass_and_compare(open_page):
    at = open_page(PAGE, query={"dataset": "spiral3", "compare": "true", "b_act": "relu"})
    r = runs(at)
    assert set(r) == {"A", "B"} and r["A"].net.sizes[-1] == 3
    assert r["B"].net.activations[:2] == ["relu", "relu"]
    at.button(key="pg_step").click().run()
    assert r["A"].epoch == 1 and at.session_state["pg_runs"]["B"].epoch == 1
    assert not at.exception


def test_divergence_is_explained_not_raised(open_page):
    at = open_page(PAGE, query={"dataset": "reg_gauss", "layers": "8,8", "acts": "relu,relu",
                                "lr": "10", "features": "x1,x2,x1sq,x2sq,x1x2", "speed": "100"})
    at.session_state["pg_max_frames"] = 5
    for _ in range(3):
        at.button(key="pg_play").click().run() if not at.session_state["pg_playing"] else at.run()
        if runs(at)["A"].status == "diverged":
            break
    assert runs(at)["A"].status == "diverged"
    assert any("diverged" in e.value for e in at.error)
    assert at.session_state["pg_playing"] is False and not at.exception


def test_edit_a_weight_by_hand(open_page):
    at = open_page(PAGE)
    at.session_state["pg_selected"] = (1, 0)
    at.run()
    w_key = [n.key for n in at.number_input if n.key and n.key.startswith("pg_edit_w_1_0_0")][0]
    at.number_input(key=w_key).set_value(2.5)
    at.button(key="pg_edit_apply").click().run()
    assert runs(at)["A"].net.W(1)[0, 0] == 2.5 and not at.exception


def test_cost_panel_counts_the_network(open_page):
    at = open_page(PAGE, query={"layers": "8,8"})
    texts = " ".join(str(m.value) for m in at.metric)
    # 2-8-8-1: 2*8 + 8*8 + 8*1 = 88 multiply-accumulates, 88 + 17 = 105 parameters
    assert "88" in texts and "105" in texts, texts


def _link_texts(at) -> str:
    for c in at.get("plotly_chart"):
        spec = json.loads(c.proto.spec)
        for trace in spec["data"]:
            if trace.get("name") == "links":
                return " ".join(trace["text"])
    raise AssertionError("no network diagram")


def test_gradient_links_and_flow_chart(open_page):
    at = open_page("pages/playground.py", query={"grad_links": "true"})
    assert at.toggle(key="pg_grad_links").value is True
    assert "∂L/∂w" in _link_texts(at)
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert any(a.get("text") == "Gradient size per layer"
               for s in specs for a in s["layout"].get("annotations", []))
    assert any("Update ratio" in m.value for m in at.caption)
    at.toggle(key="pg_grad_links").set_value(False).run()
    assert "∂L/∂w" not in _link_texts(at) and "weight" in _link_texts(at)
