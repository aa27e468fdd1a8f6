"""Charts carry only their own trace types' part of the theme's template (a live page sends
charts to every student every few seconds)."""
import json

import plotly.graph_objects as go
import plotly.io as pio
import streamlit  # noqa: F401  (registers Streamlit's Plotly template as the default)

from playground.ui.core import _template_for


def test_the_template_keeps_only_the_figures_trace_types_and_all_of_its_layout():
    full = pio.templates[pio.templates.default].to_plotly_json()
    small = _template_for(("heatmap", "scatter"))
    assert set(small["data"]) == {"heatmap", "scatter"} < set(full["data"])
    assert small["data"]["heatmap"] == full["data"]["heatmap"]
    assert small["layout"] == full["layout"]
    fig = {"data": [{"type": "heatmap", "z": [[0, 1], [1, 0]]}], "layout": {}}
    whole = go.Figure(fig, _validate=False).to_json()
    trimmed = go.Figure({**fig, "layout": {"template": _template_for(("heatmap",))}},
                        _validate=False).to_json()
    assert len(trimmed) < len(whole) - 1500                  # ~2 KB less per chart
    a, b = json.loads(whole)["layout"]["template"], json.loads(trimmed)["layout"]["template"]
    assert a["layout"] == b["layout"] and a["data"]["heatmap"] == b["data"]["heatmap"]
