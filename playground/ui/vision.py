"""Streamlit glue of the image pages: the one shared image input, and the pretrained torchvision
models (cached once per server, downloaded with a progress bar, or a local weights file when
offline)."""
from __future__ import annotations

import hashlib as _hashlib

import streamlit as st

from .. import images as _img
from ..vision import models as _vm
from .. import cost as _cost
from .. import inputs as _inputs
from .. import serverpaths as _paths
from . import guard as _guard
from .core import _store, model_store, read_upload, wkey

IMAGE_SOURCES = {"sample": ":material/photo_library: Sample image", "upload": ":material/upload: Upload", "camera": ":material/photo_camera: Camera"}


def _clean_upload(prefix: str, kind: str, up) -> "_img.CleanImage | str":
    """Clean an UploadedFile once (cached per file id in the session); error text on failure."""
    def clean(raw):
        try:
            return _img.clean_image(raw, name=up.name or "photo")
        except _img.ImageError:
            raise
        except Exception as exc:  # anything Pillow did not foresee: still a message, never a trace
            raise _img.ImageError(f"“{up.name}” could not be read ({type(exc).__name__}).") from None

    res, new = read_upload(f"{prefix}__img_{kind}", up, clean, _img.ImageError)
    if new and not isinstance(res, str):
        st.session_state["img__last_photo"] = res     # offered again on the other image pages
    return res


def _forget_photo():
    st.session_state.pop("img__last_photo", None)


def image_input(prefix: str, where=st, default_sample: str = "Cat") -> "_img.CleanImage | None":
    """The one image input of every image page: a bundled sample, an upload or the camera.

    Returns a clean RGB picture (:mod:`playground.images`) or None; conversions are listed
    under the picture and unusable files are refused with a message, never a traceback. The
    last photo a student uploaded or took is reused on the other image pages."""
    src = where.radio("Image source", list(IMAGE_SOURCES), format_func=IMAGE_SOURCES.get,
                      horizontal=True, key=wkey(prefix, "img_src"))
    _store(prefix)["img_src"] = src
    clean = None
    if src == "sample":
        names = list(_img.SAMPLES)
        k = wkey(prefix, "img_sample")
        st.session_state.setdefault(k, default_sample if default_sample in names else names[0])
        name = where.selectbox("Sample image", names, key=k)
        _store(prefix)["img_sample"] = name
        clean = _img.load_sample(name)
    else:
        if src == "upload":
            up = where.file_uploader("Your photo (PNG, JPEG, WebP, GIF or BMP)",
                                     type=_img.UPLOAD_TYPES, key=f"{prefix}_img_file",
                                     on_change=_forget_photo,
                                     max_upload_size=_img.MAX_BYTES // 2**20)
        else:
            up = where.camera_input("Take a photo", key=f"{prefix}_img_cam",
                                    on_change=_forget_photo)
        if up is not None:
            res = _clean_upload(prefix, src, up)
            if isinstance(res, str):
                where.error(res)
                return None
            clean = res
        elif "img__last_photo" in st.session_state:
            clean = st.session_state["img__last_photo"]
            where.caption(f"Using your last photo, “{clean.name}”. Upload or take another to "
                          "replace it.")
        else:
            where.info("Upload a photo or take one with your camera (or pick a sample image).")
            return None
    w, h = clean.image.size
    where.image(clean.image, caption=f"{clean.name} · {w}×{h}", width="stretch")
    for note in clean.notes:
        where.caption(note)
    return clean


def _load_model(key: str, source: str, _data: bytes | None = None) -> "_vm.Loaded":
    """One copy per server of each model, in the shared size-bounded store; ``source`` names
    the weights' origin."""
    spec = _vm.REGISTRY[key]

    def load():
        return _vm.load_local(spec, _data) if _data is not None else _vm.load_torchvision(spec)
    return model_store().get(("vision", key, source), load, lambda m: _cost.size_bytes(m.model))


def model_label(key: str) -> str:
    """A model's name and weight size, for pickers (static, so the choice never resets)."""
    spec = _vm.REGISTRY[key]
    return f"{spec.label} · {spec.size_mb:.0f} MB"


def model_status(key: str) -> str:
    if st.session_state.get(f"vision__local__{key}"):
        return "using your own weights"
    if _vm.weights_cached(_vm.REGISTRY[key]):
        return "weights on this server"
    return "weights not downloaded yet"


def _offline_help(spec: "_vm.ModelSpec", where, reason: str):
    where.info(
        f"**{spec.label}** needs its pretrained weights, a {spec.size_mb:.0f} MB file downloaded "
        f"once per server from {_vm.DOWNLOAD_HOST}. {reason}\n\n"
        f"To use it without internet, provide the torchvision weights file `{spec.file_name}`:\n"
        "- copy it into `$TORCH_HOME/hub/checkpoints/` on the server (where torchvision looks; "
        "`TORCH_HOME` defaults to `~/.cache/torch`) and reload, or\n"
        + ("- give its path on this server or upload it under “Use a local weights file” "
           if _paths.enabled() else "- upload it under “Use a local weights file” ")
        + "below.\n\n"
        "Any `state_dict` of this architecture works (`torch.save(model.state_dict(), path)` or "
        "safetensors). It is loaded with `torch.load(..., weights_only=True)`: no code in the file "
        "can run.", icon=":material/download:")
    with where.expander(f"Use a local weights file for {spec.label}"):
        with st.form(key=f"vision_local_{spec.key}"):
            path = ""
            if _paths.enabled():
                path = st.text_input("Path on this server", key=f"vision_local_path_{spec.key}",
                                     max_chars=_paths.MAX_PATH_CHARS,
                                     placeholder=f"/data/{spec.file_name}")
            up = st.file_uploader("Upload it (up to 200 MB)" if not _paths.enabled() else
                                  "…or upload it (up to 200 MB)",
                                  key=f"vision_local_up_{spec.key}",
                                  type=[s.lstrip(".") for s in _vm.LOCAL_SUFFIXES])
            if st.form_submit_button("Load these weights", key=f"vision_local_go_{spec.key}"):
                try:
                    if up is not None:
                        data = _inputs.check_upload(up.name, up.getvalue(), _vm.MAX_LOCAL_BYTES)
                    elif path.strip():
                        data = _vm.read_local_path(path)
                    else:
                        raise _vm.WeightsError("Choose a file first." if not _paths.enabled()
                                               else "Enter a path or choose a file first.")
                    digest = _hashlib.sha256(data).hexdigest()[:12]
                    _load_model(spec.key, f"local:{digest}", data)      # validates the file
                    st.session_state[f"vision__local__{spec.key}"] = {"digest": digest,
                                                                       "data": data}
                    st.rerun()
                except (_vm.WeightsError, _inputs.InputError) as exc:
                    st.error(str(exc))


def vision_model(key: str, where=st) -> "_vm.Loaded | None":
    """The shared, read-only model ``key`` (see playground.vision.models.REGISTRY), loaded on
    first use: downloaded with a progress bar when online, else a clear message with how to
    provide local weights. Returns None when it is not available (the page carries on)."""
    spec = _vm.REGISTRY[key]
    local = st.session_state.get(f"vision__local__{key}")
    if local:
        try:
            loaded = _load_model(key, f"local:{local['digest']}", local["data"])
        except _vm.WeightsError as exc:
            st.session_state.pop(f"vision__local__{key}", None)
            where.error(str(exc))
            return None
        c1, c2 = where.columns([3, 1])
        c1.caption(f"{spec.label}: using your own weights file (sha256 {local['digest']}…).")
        if c2.button("Forget", key=f"vision_forget_{key}", help="Back to torchvision's weights"):
            st.session_state.pop(f"vision__local__{key}", None)
            st.rerun()
        return loaded
    path = _vm.checkpoint_path(spec)
    if not path.is_file():
        if not _vm.can_download():
            _offline_help(spec, where, "This server cannot reach the internet right now.")
            return None
        bar = where.progress(0.0, text=f"Downloading {spec.label} weights ({spec.size_mb:.0f} MB, "
                                       "once per server)…")
        seen = [0.0]

        def on_chunk(done: int, total: int | None):
            frac = done / total if total else 0.0
            if frac - seen[0] >= 0.01 or frac >= 1:
                seen[0] = frac
                bar.progress(min(frac, 1.0), text=f"Downloading {spec.label}: "
                                                  f"{done / 2**20:.1f} of "
                                                  f"{(total or 0) / 2**20:.1f} MB")
        try:
            _vm.download_weights(spec, on_chunk)
        except Exception as exc:   # network errors of every kind, a bad checksum, a full disk
            bar.empty()
            _guard.log.warning("download of %s failed", spec.key, exc_info=True)
            _offline_help(spec, where, f"The download failed ({type(exc).__name__}).")
            return None
        bar.empty()
    try:
        with where.spinner(f"Loading {spec.label} into memory (once per server)…"):
            return _load_model(key, f"torchvision:{path}:{path.stat().st_mtime_ns}")
    except _vm.WeightsError as exc:
        _offline_help(spec, where, str(exc))
        return None
    except MemoryError:
        where.error(f"This server does not have enough free memory for {spec.label} right now; "
                    "please choose a smaller model.")
        return None


