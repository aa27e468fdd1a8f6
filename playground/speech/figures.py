"""Plotly figures (plain dicts) of a clip: the waveform and the log-mel spectrogram."""
from __future__ import annotations

import numpy as np

from .audio import Clip, log_mel

BLUE = "#0877bd"
_LAYOUT = {"margin": {"l": 10, "r": 20, "t": 40, "b": 40}, "template": "plotly_white",
           "font": {"size": 13}}
MAX_COLUMNS = 1200     # points / spectrogram columns sent to the browser


def envelope(x: np.ndarray, columns: int = MAX_COLUMNS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(column index, min, max) per column: the outline of a long signal in few points."""
    x = np.asarray(x, dtype=np.float32)
    cols = max(1, min(columns, len(x)))
    edges = np.linspace(0, len(x), cols + 1).astype(int)
    lo = np.minimum.reduceat(x, edges[:-1]) if len(x) else np.zeros(cols)
    hi = np.maximum.reduceat(x, edges[:-1]) if len(x) else np.zeros(cols)
    return edges[:-1], lo, hi


def waveform(clip: Clip, height: int = 230) -> dict:
    idx, lo, hi = envelope(clip.samples)
    t = (idx / clip.sr).round(4).tolist()
    return {
        "data": [{"type": "scatter", "x": t, "y": hi.round(4).tolist(), "mode": "lines",
                  "line": {"color": BLUE, "width": 1}, "hoverinfo": "skip", "showlegend": False},
                 {"type": "scatter", "x": t, "y": lo.round(4).tolist(), "mode": "lines",
                  "line": {"color": BLUE, "width": 1}, "fill": "tonexty",
                  "fillcolor": "rgba(8,119,189,0.35)", "showlegend": False,
                  "hovertemplate": "%{x:.2f} s<extra></extra>"}],
        "layout": {**_LAYOUT, "height": height, "title": {"text": f"Waveform ({clip.seconds:.1f} s)"},
                   "xaxis": {"title": {"text": "time (s)"}, "range": [0, max(clip.seconds, 0.01)]},
                   "yaxis": {"range": [-1, 1], "title": {"text": "amplitude"}}},
    }


def spectrogram(clip: Clip, height: int = 300) -> dict:
    """Log-mel spectrogram (80 bands, 10 ms steps): the picture Whisper's encoder reads."""
    db, times, centres = log_mel(clip.samples, clip.sr)
    if db.shape[1] > MAX_COLUMNS:                       # keep the loudest value per column
        edges = np.linspace(0, db.shape[1], MAX_COLUMNS + 1).astype(int)
        db = np.maximum.reduceat(db, edges[:-1], axis=1)
        times = times[edges[:-1]]
    return {
        "data": [{"type": "heatmap", "z": db.round(1).tolist(), "x": times.round(3).tolist(),
                  "y": list(range(len(centres))), "colorscale": "Viridis", "zmin": -80, "zmax": 0,
                  "colorbar": {"title": {"text": "dB"}},
                  "hovertemplate": "%{x:.2f} s, mel band %{y}: %{z:.0f} dB<extra></extra>"}],
        "layout": {**_LAYOUT, "height": height,
                   "title": {"text": "Log-mel spectrogram: what Whisper hears (80 bands, 10 ms steps)"},
                   "xaxis": {"title": {"text": "time (s)"}},
                   "yaxis": {"title": {"text": "frequency (Hz, mel scale)"},
                             "tickvals": [i for i in range(0, len(centres), 16)],
                             "ticktext": [f"{centres[i]:.0f}" for i in range(0, len(centres), 16)]}},
    }
