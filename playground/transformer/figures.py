"""Plotly figures (plain dicts, see ``ui.plotly``) for attention: head view heatmap, BertViz-like
lines view, the layers × heads grid (one PNG behind clickable markers), per-layer focus of one
token, next-token bars, and the tiny transformer's learning curve.

Kept light: token axes are numeric with the tokens as tick labels (equal tokens stay apart),
the lines view draws at most a few hundred links in five opacity groups, and the model view is
a single small image however many layers and heads there are.
"""
from __future__ import annotations

import io

import numpy as np
from PIL import Image

from .. import render

BLUE, ORANGE, GREEN, GREY = "#0877bd", "#f59322", "#2ca02c", "#888888"
# absolute weights 0-1, with more colour steps for small weights (1/64 = uniform over 64 tokens)
SCALE = [[0, "#ffffff"], [0.03, "#e3eef9"], [0.12, "#b5d4e9"], [0.3, "#6baed6"], [0.6, "#2171b5"],
         [1, "#08306b"]]
_M = {"l": 10, "r": 10, "t": 40, "b": 10}
_RGB = np.array([[255, 255, 255], [227, 238, 249], [181, 212, 233], [107, 174, 214], [33, 113, 181],
                 [8, 48, 107]], dtype=np.float32)
_STOPS = np.array([s for s, _ in SCALE])
MAX_HOVER_TEXT = 128   # tokens; above this the heatmap's hover shows positions only


def _axis(labels, side: str) -> dict:
    n = len(labels)
    step = max(1, int(np.ceil(n / 64)))          # at most 64 tick labels
    ticks = list(range(0, n, step))
    ax = {"tickmode": "array", "tickvals": ticks, "ticktext": [labels[i] for i in ticks],
          "showgrid": False, "zeroline": False, "automargin": True, "tickfont": {"size": 11}}
    if side == "y":
        ax["autorange"] = "reversed"
    else:
        ax.update(side="top", tickangle=-60)
    return ax


def head_heatmap(a: np.ndarray, labels: list[str], title: str, height: int | None = None,
                 zmax: float | None = None) -> dict:
    """(T, T) attention: row = the token that looks (query), column = the token it looks at.
    Colours on the absolute 0-1 scale unless ``zmax`` is given."""
    a = np.asarray(a, dtype=np.float32)
    n = a.shape[0]
    trace = {"type": "heatmap", "z": np.round(a, 4).tolist(), "colorscale": SCALE, "zmin": 0,
             "zmax": float(zmax if zmax is not None else 1.0),
             "colorbar": {"thickness": 10, "len": 0.6},
             "hovertemplate": "#%{y} looks at #%{x}<br>weight %{z:.3f}<extra></extra>"}
    if n <= MAX_HOVER_TEXT:
        trace["customdata"] = [[[labels[i], labels[j]] for j in range(n)] for i in range(n)]
        trace["hovertemplate"] = ("#%{y} “%{customdata[0]}” → #%{x} “%{customdata[1]}”<br>"
                                  "weight %{z:.3f}<extra></extra>")
    side = int(np.clip(160 + 14 * n, 320, 760))
    return {"data": [trace], "layout": {
        "height": height or side, "margin": {**_M, "t": 90}, "title": {"text": title, "y": 0.99},
        "xaxis": _axis(labels, "x"), "yaxis": {**_axis(labels, "y"), "scaleanchor": "x"},
        "plot_bgcolor": "white"}}


def lines_view(a: np.ndarray, labels: list[str], title: str, focus: int | None = None,
               min_weight: float = 0.05, max_links: int = 600) -> dict:
    """BertViz-style: tokens on the left look at tokens on the right; line opacity = weight.
    ``focus`` keeps only that token's lines. Hover a token for its strongest links, or the dot on
    a focused line for its weight."""
    a = np.asarray(a, dtype=np.float32)
    n = a.shape[0]
    rows = [focus] if focus is not None else list(range(n))
    links = [(i, j, float(a[i, j])) for i in rows for j in range(n) if a[i, j] >= min_weight]
    links.sort(key=lambda t: -t[2])
    links = links[:max_links]
    data = []
    for k, (lo, hi) in enumerate(zip([0, .2, .4, .6, .8], [.2, .4, .6, .8, 1.01])):
        xs, ys = [], []
        for i, j, w in links:
            if lo <= w < hi:
                xs += [0, 1, None]
                ys += [i, j, None]
        if xs:
            data.append({"type": "scatter", "mode": "lines", "x": xs, "y": ys, "hoverinfo": "skip",
                         "line": {"color": BLUE if focus is None else ORANGE, "width": 1 + 3 * lo},
                         "opacity": 0.15 + 0.85 * (lo + hi) / 2, "showlegend": False})
    if focus is not None and links:
        data.append({"type": "scatter", "mode": "markers", "x": [0.5] * len(links),
                     "y": [(i + j) / 2 for i, j, _ in links], "marker": {"size": 7, "color": ORANGE},
                     "text": [f"“{labels[i]}” → “{labels[j]}”: {w:.3f}" for i, j, w in links],
                     "hovertemplate": "%{text}<extra></extra>", "showlegend": False})

    def top(row):
        order = np.argsort(-row, kind="stable")[:4]
        return "<br>".join(f"#{j} “{labels[j]}” {row[j]:.3f}" for j in order)
    left = [f"#{i} “{labels[i]}” looks at<br>{top(a[i])}" for i in range(n)]
    right = [f"#{j} “{labels[j]}” is looked at by<br>{top(a[:, j])}" for j in range(n)]
    for x, pos, hover in ((0, "middle left", left), (1, "middle right", right)):
        color = [ORANGE if (x == 0 and i == focus) else "#333" for i in range(n)]
        data.append({"type": "scatter", "mode": "markers+text", "x": [x] * n, "y": list(range(n)),
                     "text": labels, "textposition": pos, "customdata": hover, "cliponaxis": False,
                     "textfont": {"color": color, "size": 12}, "marker": {"size": 6, "color": color},
                     "hovertemplate": "%{customdata}<extra></extra>", "showlegend": False})
    return {"data": data, "layout": {
        "height": int(np.clip(80 + 18 * n, 300, 1400)), "margin": {**_M, "l": 110, "r": 110},
        "title": {"text": title}, "plot_bgcolor": "white", "hovermode": "closest",
        "xaxis": {"visible": False, "range": [-0.05, 1.05]},
        "yaxis": {"visible": False, "autorange": "reversed"}}}


def _colors(a: np.ndarray) -> np.ndarray:
    """Values in [0, 1] → RGB uint8 with the heatmaps' white-to-blue scale."""
    v = np.clip(np.nan_to_num(a), 0, 1)
    return np.stack([np.interp(v, _STOPS, _RGB[:, c]) for c in range(3)], -1).astype(np.uint8)


def grid_png(attn: np.ndarray, cell: int = 44, gap: int = 4, levels: int = 64) -> bytes:
    """All layers × heads maps in one palette PNG, on the heatmaps' absolute 0-1 colour scale
    (64 colour levels keep a 12 × 12 grid of 64-token maps small)."""
    L, H, T, _ = attn.shape
    w, h = cell * H + gap * (H + 1), cell * L + gap * (L + 1)
    img = np.full((h, w), levels, dtype=np.uint8)                 # index ``levels`` = grey gap
    resample = Image.Resampling.NEAREST if T <= cell else Image.Resampling.BOX
    for l in range(L):
        for hd in range(H):
            m = np.asarray(Image.fromarray(attn[l, hd].astype(np.float32)).resize((cell, cell), resample))
            y, x = gap + l * (cell + gap), gap + hd * (cell + gap)
            img[y:y + cell, x:x + cell] = np.clip(np.rint(m * (levels - 1)), 0, levels - 1)
    pal = np.vstack([_colors(np.linspace(0, 1, levels)), [[235, 235, 235]]]).astype(np.uint8)
    im = Image.fromarray(img, mode="P")
    im.putpalette(pal.ravel().tolist())
    buf = io.BytesIO()
    im.save(buf, format="PNG", compress_level=6)
    return buf.getvalue()


def model_grid(attn: np.ndarray, selected: tuple[int, int] | None = None, cell: int = 44) -> dict:
    """The model view: every layer (rows) × head (columns) as a thumbnail. Each thumbnail has an
    invisible marker on it, so clicking it selects (layer, head) = (y, x). Show it at its own
    pixel width (``width="content"``) so the thumbnails stay square under their markers."""
    L, H = attn.shape[:2]
    xs = [h for l in range(L) for h in range(H)]
    ys = [l for l in range(L) for h in range(H)]
    data = [{"type": "scatter", "mode": "markers", "x": xs, "y": ys,
             "marker": {"size": cell * 0.8, "symbol": "square", "color": "rgba(0,0,0,0.01)"},
             "hovertemplate": "layer %{y}, head %{x}<br>click to open<extra></extra>",
             "customdata": [[l, h] for l, h in zip(ys, xs)], "showlegend": False}]
    if selected is not None:
        data.append({"type": "scatter", "mode": "markers", "x": [selected[1]], "y": [selected[0]],
                     "marker": {"size": cell * 0.95, "symbol": "square-open", "color": ORANGE,
                                "line": {"width": 3}}, "hoverinfo": "skip", "showlegend": False})
    src = render.data_uri(grid_png(attn, cell))
    # L is at most 48 or so: the figure stays square-celled with a fixed pixel size per cell
    return {"data": data, "layout": {
        "height": 70 + (cell + 4) * L, "width": 60 + (cell + 4) * H, "margin": {"l": 50, "r": 10, "t": 30, "b": 10},
        "images": [{"source": src, "xref": "x", "yref": "y", "x": -0.5, "y": -0.5, "sizex": H,
                    "sizey": L, "xanchor": "left", "yanchor": "top", "sizing": "stretch",
                    "layer": "below"}],
        "xaxis": {"range": [-0.5, H - 0.5], "side": "top", "title": {"text": "head"},
                  "tickvals": list(range(H)), "showgrid": False, "zeroline": False, "fixedrange": True},
        "yaxis": {"range": [L - 0.5, -0.5], "title": {"text": "layer"}, "tickvals": list(range(L)),
                  "showgrid": False, "zeroline": False, "fixedrange": True},
        "plot_bgcolor": "white", "dragmode": False, "clickmode": "event+select"}}


def token_by_layer(rows: np.ndarray, labels: list[str], token: int, k: int = 3) -> dict:
    """(layers, T): where token ``token`` looks in each layer; the top ``k`` per layer labelled."""
    rows = np.asarray(rows, dtype=np.float32)
    L, n = rows.shape
    text = [["" for _ in range(n)] for _ in range(L)]
    for l in range(L):
        for j in np.argsort(-rows[l], kind="stable")[:k]:
            text[l][j] = f"{rows[l, j]:.2f}"
    return {"data": [{"type": "heatmap", "z": np.round(rows, 4).tolist(), "text": text,
                      "texttemplate": "%{text}", "textfont": {"size": 10}, "colorscale": SCALE,
                      "zmin": 0, "zmax": 1, "colorbar": {"thickness": 10},
                      "customdata": [labels] * L,
                      "hovertemplate": "layer %{y}: → #%{x} “%{customdata}” %{z:.3f}<extra></extra>"}],
            "layout": {"height": 150 + 26 * L, "margin": {**_M, "t": 90},
                       "title": {"text": f"Where #{token} “{labels[token]}” looks, layer by layer "
                                         f"(top {k} labelled)", "y": 0.99},
                       "xaxis": _axis(labels, "x"),
                       "yaxis": {"title": {"text": "layer"}, "autorange": "reversed", "dtick": 1},
                       "plot_bgcolor": "white"}}


def newest_by_step(rows_by_len: dict, labels: list[str], layer: int) -> dict:
    """One row per generation step: where the newest token looked in ``layer`` (heads' mean).
    ``rows_by_len``: {number of tokens: (layers, that many) weights}; later columns are empty."""
    lens = sorted(n for n in rows_by_len if n <= len(labels))
    z = np.full((len(lens), len(labels)), np.nan, dtype=np.float32)
    for r, n in enumerate(lens):
        z[r, :n] = np.asarray(rows_by_len[n], dtype=np.float32)[layer]
    ticks = [f"#{n - 1} {labels[n - 1]}" for n in lens]
    return {"data": [{"type": "heatmap", "z": [[None if np.isnan(v) else round(float(v), 4) for v in row]
                                               for row in z],
                      "colorscale": SCALE, "zmin": 0, "zmax": 1, "colorbar": {"thickness": 10},
                      "hovertemplate": "newest #%{y} → #%{x}: %{z:.3f}<extra></extra>",
                      "y": [n - 1 for n in lens]}],
            "layout": {"height": 160 + 24 * len(lens), "margin": {**_M, "t": 90},
                       "title": {"text": f"The newest token's attention, step by step (layer {layer})",
                                 "y": 0.99},
                       "xaxis": _axis(labels, "x"),
                       "yaxis": {"autorange": "reversed", "tickmode": "array",
                                 "tickvals": [n - 1 for n in lens], "ticktext": ticks,
                                 "automargin": True},
                       "plot_bgcolor": "#f4f4f4"}}


def token_strip(tokens, width: int = 90) -> dict:
    """The text as coloured token chips, wrapped like a paragraph: alternating shades per token,
    orange for segment B, grey for special tokens; hover shows the piece and its id."""
    x = y = 0
    xs, ys, shapes = [], [], []
    for i, lab in enumerate(tokens.labels()):
        w = len(lab) + 1.5
        if x + w > width and x > 0:
            x, y = 0, y + 1
        if tokens.special[i]:
            color = "#d9d9d9"
        elif tokens.segments[i]:
            color = ["#fdd9b5", "#fbb982"][i % 2]
        else:
            color = ["#cfe3f3", "#a6cde8"][i % 2]
        shapes.append({"type": "rect", "x0": x, "x1": x + w - 0.3, "y0": y - 0.4, "y1": y + 0.4,
                       "fillcolor": color, "line": {"width": 0}, "layer": "below"})
        xs.append(x + (w - 0.3) / 2)
        ys.append(y)
        x += w
    hover = [f"#{i} {p!r} → id {t}" for i, (p, t) in enumerate(zip(tokens.pieces, tokens.ids))]
    return {"data": [{"type": "scatter", "mode": "text", "x": xs, "y": ys, "text": tokens.labels(),
                      "customdata": hover, "hovertemplate": "%{customdata}<extra></extra>",
                      "textfont": {"size": 13, "family": "monospace"}, "showlegend": False}],
            "layout": {"height": 40 + 30 * (y + 1), "margin": {"l": 5, "r": 5, "t": 5, "b": 5},
                       "shapes": shapes, "plot_bgcolor": "white",
                       "xaxis": {"visible": False, "range": [-0.5, width + 0.5], "fixedrange": True},
                       "yaxis": {"visible": False, "range": [y + 0.6, -0.6], "fixedrange": True}}}


def next_token_bars(cands, title: str) -> dict:
    """The model's own probabilities (grey) and after temperature / top-k / top-p (blue)."""
    labels = [f"{c.text!r}"[1:-1].replace(" ", "·") or "∅" for c in cands][::-1]
    labels = [f"{s} " for s in labels]
    y = list(range(len(labels)))
    return {"data": [
        {"type": "bar", "orientation": "h", "y": y, "x": [c.p_model for c in cands][::-1],
         "name": "model (T = 1, no cut)", "marker": {"color": "#c7c7c7"},
         "hovertemplate": "%{x:.2%}<extra>model</extra>"},
        {"type": "bar", "orientation": "h", "y": y, "x": [c.p for c in cands][::-1],
         "name": "after your settings", "marker": {"color": BLUE}, "text": [f"{c.p:.1%}" for c in cands][::-1],
         "textposition": "outside", "hovertemplate": "%{x:.2%}<extra>sampled from</extra>"}],
        "layout": {"barmode": "group", "height": 110 + 34 * len(labels), "title": {"text": title},
                   "margin": {**_M, "r": 40}, "legend": {"orientation": "h", "y": -0.08},
                   "xaxis": {"tickformat": ".1%", "range": [0, min(1.12, 0.002 + 1.3 * max(
                       [c.p for c in cands] + [c.p_model for c in cands] + [0.01]))]},
                   "yaxis": {"tickvals": y, "ticktext": labels, "automargin": True},
                   "plot_bgcolor": "white"}}


def learning_curve(history, height: int = 260) -> dict:
    """Train loss (left axis) and test token accuracy (right axis) per training step."""
    h = np.asarray(history, dtype=float).reshape(-1, 3)
    mode = "lines" if len(h) > 1 else "markers"      # one evaluation: a dot, not an empty chart
    return {"data": [
        {"type": "scatter", "mode": mode, "x": h[:, 0].tolist(), "y": h[:, 1].tolist(),
         "name": "train loss", "line": {"color": "#333", "width": 2}, "marker": {"color": "#333"}},
        {"type": "scatter", "mode": mode, "x": h[:, 0].tolist(), "y": h[:, 2].tolist(),
         "name": "test accuracy", "yaxis": "y2", "line": {"color": GREEN, "width": 2},
         "marker": {"color": GREEN}}],
        "layout": {"height": height, "margin": {"l": 50, "r": 50, "t": 10, "b": 40},
                   "xaxis": {"title": {"text": "training step"}},
                   "yaxis": {"title": {"text": "loss"}, "rangemode": "tozero"},
                   "yaxis2": {"title": {"text": "accuracy"}, "overlaying": "y", "side": "right",
                              "range": [0, 1.02], "tickformat": ".0%", "tickmode": "array",
                              "tickvals": [0, 0.25, 0.5, 0.75, 1.0], "showgrid": False},
                   "legend": {"orientation": "h", "y": 1.12}, "uirevision": "tiny"}}
