"""The image-classification page's controls, shared by its ImageNet models and the app's own
digits CNN: the model choice (the digits CNN when no ImageNet weights can be had), the section
tabs, and the explain / attack / corruption controls. Every one is a ``kept_or`` widget, so its
value lives in the page's URL settings (:mod:`playground.vision.settings`) and a lesson link can
hide or lock it."""
from __future__ import annotations

import streamlit as st

from ..vision import attacks as A, cam as CAM, corrupt as C, explain as E
from ..vision import models as _vm, settings as VS
from .core import kept_or, stored, write_query
from .vision import model_label


def imagenet_keys() -> list[str]:
    return [s.key for s in _vm.specs("classify")]


def weights_here(key: str) -> bool:
    """An ImageNet model's weights are on this server (cache, bundle or the student's file)."""
    return bool(st.session_state.get(f"vision__local__{key}")) \
        or _vm.weights_cached(_vm.REGISTRY[key])


def imagenet_usable(key: str) -> bool:
    """Whether an ImageNet model can run now: its weights are here, or a download is possible."""
    return weights_here(key) or _vm.can_download()


def label(key: str) -> str:
    return "The app's own digits CNN · trained here, works offline" if key == VS.DIGITS \
        else model_label(key)


def model_choice(prefix: str, where=st) -> str:
    """The model: an ImageNet classifier when its weights can be had, else the digits CNN
    (a link's ``model=`` or the student's earlier choice wins)."""
    keys = imagenet_keys()
    if "model" not in stored(prefix):
        here = [k for k in keys if weights_here(k)]
        stored(prefix)["model"] = here[0] if here else keys[0] if _vm.can_download() else VS.DIGITS
    return kept_or(prefix, "model", stored(prefix)["model"], where.selectbox, "Model",
                   options=[VS.DIGITS, *keys], format_func=label)


def fit(prefix: str, name: str, options, default):
    """Before drawing a choice whose options depend on the model: a stored value that is not
    one of them (another model's layer, a link's value) becomes ``default``."""
    key = f"{prefix}_{name}"
    if stored(prefix).get(name) not in options:
        stored(prefix)[name] = default
        st.session_state.pop(key, None)
    elif key in st.session_state and st.session_state[key] not in options:
        st.session_state[key] = stored(prefix)[name]


def tabs(prefix: str):
    """The three sections as tabs (only the open one runs); which one is open is a setting."""
    from .lessons import kept_tabs

    return kept_tabs(prefix, "tab", VS.TABS, f"{prefix}_tab", "why")


def why_controls(prefix: str, methods: list[str], layers: list[str] | None = None,
                 shapes: dict | None = None, default_layer: str | None = None):
    """Explanation method, heatmap opacity and (CNNs) the target layer: (method, opacity, layer
    or None for saliency / rollout)."""
    c1, c2 = st.columns([2, 1])
    fit(prefix, "method", methods, methods[0])
    method = kept_or(prefix, "method", methods[0], c1.radio, "Explanation", options=methods,
                     horizontal=True, format_func=lambda m: CAM.CAM_METHODS.get(m) or E.METHODS[m])
    opacity = kept_or(prefix, "opacity", 0.6, c2.slider, "Heatmap opacity", min_value=0.0,
                      max_value=1.0, step=0.05)
    if not layers:
        return method, opacity, None
    fit(prefix, "layer", layers, default_layer)
    st.session_state[f"{prefix}__layer_default"] = default_layer
    shapes = shapes or {}
    layer = kept_or(prefix, "layer", default_layer, c1.selectbox,
                    "Target layer (deeper = coarser map, more abstract features)", options=layers,
                    disabled=method not in CAM.CAM_METHODS,
                    format_func=lambda n: f"{n} · {' × '.join(map(str, shapes.get(n, ())))}")
    return method, opacity, (layer if method in CAM.CAM_METHODS else None)


def attack_controls(prefix: str, eps_name: str, eps_options, eps_label: str,
                    categories: list[str], default_target: int):
    """(attack, ε, steps, target class or None)."""
    c1, c2, c3 = st.columns([1.2, 1, 1])
    attack = kept_or(prefix, "attack", "fgsm", c1.radio, "Attack", options=list(A.ATTACKS),
                     format_func=A.ATTACKS.get)
    eps = kept_or(prefix, eps_name, VS.DEFAULTS[eps_name], c2.select_slider, eps_label,
                  options=list(eps_options))
    steps = kept_or(prefix, "steps", 8, c2.slider, "PGD steps", min_value=2, max_value=20,
                    disabled=attack != "pgd")
    targeted = kept_or(prefix, "targeted", False, c3.toggle, "Targeted: make it say…")
    target = c3.selectbox("Target class", range(len(categories)), index=default_target,
                          format_func=categories.__getitem__, disabled=not targeted,
                          key=f"{prefix}_target_{len(categories)}")
    return attack, eps, steps, (target if targeted else None)


def corruption_controls(prefix: str):
    """(kind, level index, the Corruption) and the two columns for the picture and the curve."""
    c1, c2 = st.columns([1.3, 1])
    kind = kept_or(prefix, "corruption", "noise", c1.radio, "Corruption",
                   options=list(C.CORRUPTIONS), horizontal=True,
                   format_func=lambda k: C.CORRUPTIONS[k].label)
    cor = C.CORRUPTIONS[kind]
    j = kept_or(prefix, "level", VS.LEVELS // 2, c2.select_slider, cor.unit,
                options=list(range(len(cor.levels))), format_func=lambda i: f"{cor.levels[i]:g}")
    return kind, int(j), cor


def save_settings(prefix: str):
    """The page's settings into the address bar (only what differs from the defaults)."""
    values = dict(stored(prefix))
    if values.get("layer") == st.session_state.get(f"{prefix}__layer_default"):
        values["layer"] = ""
    write_query(VS.to_query(values))


def why_caption(method: str, layer: str | None, info: dict) -> str:
    """What the explanation shows (CAM: at which layer, how, in how long)."""
    if layer is not None:
        name = CAM.CAM_METHODS[method]
        done = (f" It used the {info['channels']} most active of the layer's {info['of']} "
                "channels." if method == "scorecam" else "")
        return (f"{name} at {layer} {CAM.CAM_HELP[method]}{done} Computed in "
                f"{info['seconds']:.2f} s on this server.")
    return {"saliency": "The gradient of the class score with respect to every pixel: bright "
                        "pixels would change the answer most if they changed a little.",
            "rollout": "Attention rollout follows the class token's attention through all 12 "
                       "transformer layers (heads averaged, skip connections included).",
            }[method]
