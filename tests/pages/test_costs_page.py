"""AppTest: the costs page and the data-efficiency page."""
from playground import catalog as K
from tests import language_models as LMB

float32_torch = LMB.float32_fixture()   # the app's default dtype, whatever other tests set

COSTS, EFF = "pages/costs.py", "pages/data_efficiency.py"


def test_costs_page_lists_every_model_and_measures_one(open_page, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_MEMORY_BUDGET_MB", "100000")    # the test process is not a server
    at = open_page(COSTS)
    table = at.dataframe[0].value
    assert len(table) == len(K.entries())
    row = table[table["Model"] == "Playground network (default settings)"].iloc[0]
    assert row["MACs per input"] == "18" and row["Parameters"] == "25"   # measured at once
    assert (table[table["Model"] != row["Model"]]["Latency (ms)"] == "—").all()   # not "None"
    assert {"Parameters", "MACs per input", "Latency", "Peak memory"} <= {m.label for m in at.metric}
    at.selectbox(key="cost_model").select("vision:mobilenet_v3_large")
    at.button(key="cost_measure").click().run()
    assert not at.exception
    table = at.dataframe[0].value
    row = table[table["Model"] == "MobileNetV3-Large"].iloc[0]
    assert row["MACs per input"] == "217 M"                      # torchvision publishes 0.217 GMACs
    assert row["Energy per 1000"].endswith("Wh") and "e-" not in row["Latency (ms)"]
    assert any("random weights" in c.value for c in at.caption)
    assert at.get("plotly_chart")                                   # the comparison chart


def test_costs_page_refuses_when_memory_is_short(open_page, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_MEMORY_BUDGET_MB", "1")
    at = open_page(COSTS)
    at.selectbox(key="cost_model").select("vision:resnet50")
    at.button(key="cost_measure").click().run()
    assert not at.exception and any("needs about" in w.value for w in at.warning)


def test_costs_page_shows_your_own_networks(open_page):
    at = open_page("pages/playground.py")
    at.switch_page(COSTS).run()
    assert not at.exception
    assert any("Your playground network A" in m.value for m in at.markdown)


def test_data_efficiency_runs_live_and_deterministic(open_page):
    at = open_page(EFF)
    at.select_slider(key="eff_updates").set_value(1000)
    at.button(key="eff_run").click().run()
    assert not at.exception
    first = [(p.n_train, p.test_acc) for p in at.session_state["eff_points"]]
    assert [n for n, _ in first] == [16, 80, 400, 1600]
    assert len(at.dataframe[0].value) == 4
    at.button(key="eff_run").click().run()
    assert [(p.n_train, p.test_acc) for p in at.session_state["eff_points"]] == first
    at.radio(key="eff_seeds").set_value(3)
    at.selectbox(key="eff_dataset").select("xor")
    at.button(key="eff_run").click().run()
    assert len(at.session_state["eff_points"]) == 12 and not at.exception
