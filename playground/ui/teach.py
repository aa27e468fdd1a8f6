"""Streamlit glue of "Teach a model yourself": the backbone choice (MobileNetV3, or the app's
own digits CNN from :mod:`.own`), and each class's pictures from the camera or uploads (cleaned by
:mod:`playground.images`, kept small in the session only)."""
from __future__ import annotations

import streamlit as st

from .. import images as _img
from ..cnn import digits as _dg, train as _tr
from ..teach import backbones as _bb, learner as _L
from .core import remember
from .own import own_digits_cnn
from .vision import vision_model


def teach_backbone(key: str, where=st):
    """The backbone ``key`` ("mobilenet" or "digits_cnn"), or None when MobileNetV3's weights
    are not on this server (its message says why and how to get them)."""
    if key == "mobilenet":
        loaded = vision_model("mobilenet_v3_large", where)
        return _bb.MobileNetBackbone(loaded) if loaded is not None else None
    model = own_digits_cnn().model
    return _bb.DigitsCNNBackbone(model)


def class_samples(prefix: str) -> list[list]:
    """Every class's pictures (lists of :class:`playground.teach.learner.Sample`)."""
    return st.session_state.setdefault(f"{prefix}__samples", [[] for _ in range(_L.MAX_CLASSES)])


def _add(prefix: str, i: int, files):
    box = class_samples(prefix)[i]
    errors = []
    for f in files:
        if len(box) >= _L.MAX_PER_CLASS:
            errors.append(f"This class is full ({_L.MAX_PER_CLASS} pictures); delete some first.")
            break
        try:
            clean = _img.clean_image(f.getvalue(), name=f.name or "photo")
        except _img.ImageError as exc:
            errors.append(str(exc))
            continue
        except Exception as exc:   # anything Pillow did not foresee: a message, never a trace
            errors.append(f"A picture could not be read ({type(exc).__name__}).")
            continue
        s = _L.shrink(clean.image)
        if all(s.digest != o.digest for o in box):
            box.append(s)
    st.session_state[f"{prefix}__errors_{i}"] = errors


def _on_camera(prefix: str, i: int):
    shot = st.session_state.get(f"{prefix}_cam_{i}")
    if shot is not None:
        _add(prefix, i, [shot])


def _on_upload(prefix: str, i: int, key: str):
    _add(prefix, i, st.session_state.get(key) or [])
    st.session_state[f"{prefix}__upgen_{i}"] = st.session_state.get(f"{prefix}__upgen_{i}", 0) + 1


def set_examples(prefix: str, classes) -> list[str]:
    """Replace the pictures by example classes [(name, [PIL images])]; their names."""
    box = class_samples(prefix)
    for i in range(_L.MAX_CLASSES):
        box[i] = [_L.shrink(im) for im in classes[i][1]] if i < len(classes) else []
    return [n for n, _ in classes]


def load_example(prefix: str, make, key: str):
    """on_click: the example ``make(key)`` becomes the classes (names, count, pictures); the
    last training is forgotten."""
    names = set_examples(prefix, make(key))
    for i, n in enumerate(names):
        st.session_state[f"{prefix}_name_{i}"] = n
    remember(prefix, "classes", len(names))
    st.session_state.pop(f"{prefix}__run", None)


def class_card(prefix: str, i: int, default_name: str, where=st) -> str:
    """One class: its name, camera or upload, the pictures so far (with Clear). Its name."""
    box = class_samples(prefix)[i]
    with where.container(border=True):
        name = st.text_input("Class name", key=f"{prefix}_name_{i}", max_chars=30,
                             placeholder=default_name)
        how = st.segmented_control("Add pictures", ["Upload", "Camera"], default="Upload",
                                   key=f"{prefix}_how_{i}", label_visibility="collapsed")
        if how == "Camera":
            st.camera_input("Take a picture (each one is added)", key=f"{prefix}_cam_{i}",
                            on_change=_on_camera, args=(prefix, i))
        else:
            key = f"{prefix}_up_{i}_{st.session_state.get(f'{prefix}__upgen_{i}', 0)}"
            st.file_uploader("Add pictures", type=_img.UPLOAD_TYPES, accept_multiple_files=True,
                             key=key, on_change=_on_upload, args=(prefix, i, key),
                             label_visibility="collapsed",
                             max_upload_size=_img.MAX_BYTES // 2**20)
        for err in st.session_state.pop(f"{prefix}__errors_{i}", []):
            st.error(err)
        if box:
            st.image([s.image for s in box[-12:]], width=48)
            c1, c2 = st.columns([3, 1], vertical_alignment="center")
            c1.caption(f"{len(box)} picture{'s' if len(box) != 1 else ''}"
                       + (" (the last 12 shown)" if len(box) > 12 else ""))
            if c2.button("", key=f"{prefix}_clear_{i}", icon=":material/delete:",
                         help="Delete this class's pictures"):
                box.clear()
                st.rerun()
        else:
            st.caption(f"No pictures yet: add at least {_L.MIN_TO_TRAIN}.")
    return name
