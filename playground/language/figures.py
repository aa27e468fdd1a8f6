"""Plotly figures (plain dicts) for the language pages."""
from __future__ import annotations

BLUE, ORANGE, GREEN, RED = "#0877bd", "#f59322", "#2ca02c", "#d62728"
_LAYOUT = {"margin": {"l": 10, "r": 20, "t": 40, "b": 30}, "template": "plotly_white",
           "font": {"size": 13}}
_SENTIMENT_COLORS = {"positive": GREEN, "negative": RED}


def prob_bars(rows: list[tuple[str, float]], title: str, height: int | None = None,
              full_range: bool = True) -> dict:
    """Horizontal probability bars, best on top; ``rows`` = (label, probability). The x axis
    spans 0–100 % (``full_range``) or up to a little above the largest probability."""
    rows = list(rows)[::-1]
    top = 1.0 if full_range else min(1.0, max([0.05] + [1.15 * r[1] for r in rows]))
    colors = [_SENTIMENT_COLORS.get(r[0].lower(), BLUE) for r in rows]
    return {
        "data": [{"type": "bar", "orientation": "h", "x": [r[1] for r in rows],
                  "y": [f"{r[0]} " for r in rows], "marker": {"color": colors},
                  "text": [f"{r[1]:.1%}" for r in rows], "textposition": "auto",
                  "hovertemplate": "%{y}: %{x:.2%}<extra></extra>"}],
        "layout": {**_LAYOUT, "title": {"text": title}, "height": height or 90 + 36 * len(rows),
                   "xaxis": {"range": [0, top], "tickformat": ".0%", "title": {"text": "probability"}},
                   "yaxis": {"automargin": True}},
    }
