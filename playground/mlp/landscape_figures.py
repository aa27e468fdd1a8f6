"""Figures of a loss landscape: a map and a 3-D surface with the optimizers' paths.

Plain Plotly dicts. The paths are animated in the browser with Plotly frames (a Play button and
a step slider inside the figure): one server render, no round trip per frame. The page shows
map and surface in one figure (:func:`landscape_figure`), so one Play moves both. The map is a
banded image under the axes (Plotly blanks contour traces during an animation) with an
invisible grid of markers on top, so a click anywhere reports a point (the start).
"""
from __future__ import annotations

import numpy as np

from .landscape import Landscape, Trajectory

COLORS = {"sgd": "#d62728", "momentum": "#f59322", "rmsprop": "#2ca02c", "adam": "#0877bd"}
MAX_FRAMES = 30    # the animation shows at most this many frames (steps are sampled evenly)
CLICK_STRIDE = 2   # every 2nd point of the loss grid is a clickable (invisible) marker
SURFACE_STRIDE = 2  # every 2nd point of the loss grid in the animated 3-D surface


def _r(values, digits=3):
    return np.round(np.asarray(values, dtype=float), digits).tolist()


def frame_steps(trajs: list, max_frames: int = MAX_FRAMES) -> list[int]:
    """The step shown by each frame: 0, then every 1, 2, 5, 10, 20, 25, 50… steps (round numbers
    on the slider, at most ``max_frames`` + 1 frames), and the longest trajectory's last step."""
    longest = max((len(t.points) - 1 for t in trajs), default=0)
    if longest <= 0:
        return [0]
    every = next(k for k in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 10 ** 9)
                 if longest <= k * max_frames)
    return sorted(set(range(0, longest + 1, every)) | {longest})


def _path2d(t: Trajectory, upto: int) -> dict:
    p = t.points[:upto + 1]
    return dict(type="scatter", x=_r(p[:, 0]), y=_r(p[:, 1]))


def _path3d(t: Trajectory, upto: int, lift: float) -> dict:
    p, z = t.points[:upto + 1], t.losses[:upto + 1] + lift
    return dict(type="scatter3d", x=_r(p[:, 0]), y=_r(p[:, 1]), z=_r(z, 5))


def _animation(steps: list[int], duration: int = 120) -> dict:
    """updatemenus (Play / Pause) and a step slider for frames named by their step."""
    play = dict(frame=dict(duration=duration, redraw=True), fromcurrent=True,
                transition=dict(duration=0), mode="immediate")
    menus = [dict(type="buttons", direction="left", x=0.0, y=-0.2, xanchor="left", yanchor="top",
                  pad=dict(t=0, r=10), showactive=False,
                  buttons=[dict(label="Play", method="animate", args=[None, play]),
                           dict(label="Pause", method="animate",
                                args=[[None], dict(frame=dict(duration=0, redraw=False),
                                                   mode="immediate")])])]
    slider = dict(active=len(steps) - 1, x=0.22, len=0.78, y=-0.2, yanchor="top",
                  currentvalue=dict(prefix="step ", visible=True, xanchor="right"), pad=dict(t=0),
                  steps=[dict(label=str(s), method="animate",
                              args=[[str(s)], dict(mode="immediate", frame=dict(duration=0, redraw=True),
                                                   transition=dict(duration=0))]) for s in steps])
    return dict(updatemenus=menus, sliders=[slider])


VIRIDIS = ("#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779",
           "#6ece58", "#b5de2b", "#fde725")
BANDS = 28          # colour bands of the map (like filled contours)
MAP_PIXELS = 256    # the map image is drawn at this resolution (smooth band edges)


def _colorscale() -> list:
    """Viridis reversed (low loss = yellow), as a Plotly colorscale."""
    cols = VIRIDIS[::-1]
    return [[i / (len(cols) - 1), c] for i, c in enumerate(cols)]


def map_image(logz: np.ndarray, lo: float, hi: float) -> str:
    """log₁₀ loss on the grid (rows: β from low to high) as a banded PNG data URI, top row = high β.

    The map is a picture under the axes, not a contour trace: Plotly does not redraw contour or
    heatmap traces during an animation, so the map went blank while the paths moved."""
    import base64
    import io

    from PIL import Image

    img = Image.fromarray(np.asarray(logz, dtype=np.float32)[::-1], mode="F")
    z = np.asarray(img.resize((MAP_PIXELS, MAP_PIXELS), Image.BILINEAR), dtype=float)
    t = np.clip((z - lo) / max(hi - lo, 1e-12), 0, 1)
    t = (np.minimum(np.floor(t * BANDS), BANDS - 1) + 0.5) / BANDS   # banded, like filled contours
    stops = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in VIRIDIS[::-1]], float)
    pos = t * (len(stops) - 1)
    k = np.minimum(pos.astype(int), len(stops) - 2)
    frac = (pos - k)[..., None]
    rgb = (stops[k] * (1 - frac) + stops[k + 1] * frac).round().astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(rgb, mode="RGB").save(buf, format="PNG", optimize=True)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def contour_figure(land: Landscape, alphas, betas, Z, trajs: list, start, height: int = 560) -> dict:
    """log₁₀ loss as a banded map (an image under the axes), the paths of every optimizer
    (animated) and a grid of invisible markers that reports a click (it also carries the colour
    bar and the hover text)."""
    logz = np.log10(np.maximum(Z, 1e-12))
    lo, hi = float(np.nanmin(logz)), float(np.nanmax(logz))
    a0, a1, b0, b1 = land.extent
    ga, gb = np.meshgrid(alphas[::CLICK_STRIDE], betas[::CLICK_STRIDE])
    data = [dict(type="scatter", x=_r(ga.ravel(), 3), y=_r(gb.ravel(), 3), mode="markers",
                 name="click to start here", showlegend=False,
                 customdata=_r(Z[::CLICK_STRIDE, ::CLICK_STRIDE].ravel(), 5),
                 marker=dict(size=11, opacity=0, color=_r(logz[::CLICK_STRIDE, ::CLICK_STRIDE].ravel(), 3),
                             colorscale=_colorscale(), cmin=lo, cmax=hi, showscale=True,
                             colorbar=dict(title=dict(text="log₁₀ loss", side="right"), len=0.8,
                                           thickness=10)),
                 hovertemplate=f"{land.labels[0]} %{{x:.3g}}<br>{land.labels[1]} %{{y:.3g}}"
                               "<br>loss %{customdata:.4g}<br>click: start here<extra></extra>")]
    image = dict(source=map_image(logz, lo, hi), xref="x", yref="y", x=a0, y=b1,
                 sizex=a1 - a0, sizey=b1 - b0, xanchor="left", yanchor="top", sizing="stretch",
                 layer="below")
    j, i = np.unravel_index(np.nanargmin(Z), Z.shape)
    data.append(dict(type="scatter", x=[float(alphas[i])], y=[float(betas[j])], mode="markers",
                     name="lowest point of the map", hoverinfo="name", showlegend=False,
                     marker=dict(symbol="x", size=13, color="white", line=dict(color="black", width=1.5))))
    data.append(dict(type="scatter", x=[float(start[0])], y=[float(start[1])], mode="markers",
                     name="start", hoverinfo="name", showlegend=False,
                     marker=dict(symbol="star", size=17, color="yellow", line=dict(color="black", width=1))))
    first = len(data)
    steps = frame_steps(trajs)
    for t in trajs:
        data.append({**_path2d(t, steps[-1]), "mode": "lines+markers", "name": t.label,
                     "line": dict(color=COLORS[t.opt], width=2.5),
                     "marker": dict(size=5, color=COLORS[t.opt]),
                     "hovertemplate": f"{t.label}<br>(%{{x:.3g}}, %{{y:.3g}})<extra></extra>"})
    traces = list(range(first, first + len(trajs)))
    frames = [dict(name=str(s), data=[_path2d(t, s) for t in trajs], traces=traces)
              for s in steps]
    layout = dict(height=height, margin=dict(l=55, r=10, t=50, b=150), plot_bgcolor="white",
                  xaxis=dict(title=dict(text=land.labels[0]), range=[a0, a1], showgrid=False,
                             zeroline=False),
                  yaxis=dict(title=dict(text=land.labels[1]), range=[b0, b1], showgrid=False,
                             zeroline=False),
                  legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0), hovermode="closest",
                  clickmode="event+select", dragmode=False, images=[image],
                  **_animation(steps))
    return {"data": data, "layout": layout, "frames": frames}


def surface_figure(land: Landscape, alphas, betas, Z, trajs: list, height: int = 560) -> dict:
    """The loss as a 3-D surface with the same paths riding on it (animated)."""
    lift = 0.01 * float(np.nanmax(Z) - np.nanmin(Z))  # keep the paths visible above the surface
    data = [dict(type="surface", x=_r(alphas), y=_r(betas), z=_r(Z, 5), colorscale=_colorscale(),
                 opacity=0.9, showscale=False,
                 hovertemplate="(%{x:.3g}, %{y:.3g})<br>loss %{z:.4g}<extra></extra>")]
    steps = frame_steps(trajs)
    for t in trajs:
        data.append({**_path3d(t, steps[-1], lift), "mode": "lines+markers", "name": t.label,
                     "line": dict(color=COLORS[t.opt], width=6),
                     "marker": dict(size=2.5, color=COLORS[t.opt])})
    traces = list(range(1, 1 + len(trajs)))
    frames = [dict(name=str(s), data=[_path3d(t, s, lift) for t in trajs], traces=traces)
              for s in steps]
    a0, a1, b0, b1 = land.extent
    layout = dict(height=height, margin=dict(l=0, r=0, t=50, b=150), showlegend=True,
                  legend=dict(orientation="h", y=1.02, yanchor="bottom", x=0),
                  scene=dict(xaxis=dict(title=dict(text=land.labels[0]), range=[a0, a1]),
                             yaxis=dict(title=dict(text=land.labels[1]), range=[b0, b1]),
                             zaxis=dict(title=dict(text="loss")),
                             camera=dict(eye=dict(x=1.5, y=-1.5, z=1.1)),
                             aspectmode="manual", aspectratio=dict(x=1, y=1, z=0.6)),
                  **_animation(steps))
    return {"data": data, "layout": layout, "frames": frames}


def race_chart(trajs: list, level: float, height: int = 300) -> dict:
    """Loss against step for every optimizer (log scale) with the 'reached' level."""
    data = [dict(type="scatter", x=list(range(len(t.losses))), y=_r(t.losses, 6), mode="lines",
                 name=t.label, line=dict(color=COLORS[t.opt], width=2)) for t in trajs]
    longest = max((len(t.losses) for t in trajs), default=1)
    data.append(dict(type="scatter", x=[0, longest - 1], y=[level, level], mode="lines",
                     name="“at the minimum”", line=dict(color="#777", dash="dot", width=1)))
    layout = dict(height=height, margin=dict(l=55, r=10, t=30, b=40), plot_bgcolor="white",
                  xaxis=dict(title=dict(text="step"), gridcolor="#eee"),
                  yaxis=dict(title=dict(text="loss"), type="log", gridcolor="#eee"),
                  legend=dict(orientation="h", y=1.12, x=0))
    return {"data": data, "layout": layout}


def landscape_figure(land: Landscape, alphas, betas, Z, trajs: list, start,
                     height: int = 600) -> dict:
    """The map (left) and the surface (right) in ONE figure: one Play button and one step
    slider move the paths on both. The map's traces come first, so trace 1 is still the click
    grid the page reads."""
    cmap = contour_figure(land, alphas, betas, Z, trajs, start, height)
    # The surface is redrawn in every frame (3-D cannot animate otherwise): a coarser mesh keeps
    # that quick on a laptop without a graphics card.
    k = SURFACE_STRIDE
    surf = surface_figure(land, alphas[::k], betas[::k], Z[::k, ::k], trajs, height)
    n = len(cmap["data"])
    data = cmap["data"] + [{**d, "scene": "scene", "showlegend": False} for d in surf["data"]]
    marker = data[0]["marker"]
    marker["colorbar"] = {**marker["colorbar"], "x": 0.45, "xanchor": "left"}
    frames = [dict(name=a["name"], data=a["data"] + b["data"],
                   traces=a["traces"] + [n + i for i in b["traces"]])
              for a, b in zip(cmap["frames"], surf["frames"])]
    layout = {**cmap["layout"], "scene": {**surf["layout"]["scene"], "domain": {"x": [0.55, 1], "y": [0, 1]}},
              "margin": dict(l=55, r=0, t=60, b=110)}
    layout["xaxis"] = {**layout["xaxis"], "domain": [0, 0.43]}
    layout["annotations"] = [
        dict(text="<b>Map</b> (colour: log₁₀ loss; ★ start, × lowest point; click to start there)",
             x=0, xanchor="left", y=1.0, yanchor="bottom", xref="paper", yref="paper",
             showarrow=False, yshift=4),
        dict(text="<b>Surface</b> (drag to turn it)", x=0.55, xanchor="left", y=1.0,
             yanchor="bottom", xref="paper", yref="paper", showarrow=False, yshift=4)]
    layout["legend"] = dict(orientation="h", y=1.09, yanchor="bottom", x=0)
    for menu in layout["updatemenus"]:
        menu["y"] = -0.12
    layout["sliders"] = [{**s, "y": -0.12} for s in layout["sliders"]]
    return {"data": data, "layout": layout, "frames": frames}
