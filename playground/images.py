"""Turn any uploaded file into a clean RGB picture, or refuse it with a clear message.

Shared by every image page (through :func:`playground.ui.image_input`). Pure Pillow/NumPy, no
Streamlit: EXIF orientation applied; alpha, palette, grayscale, CMYK and 16-bit images converted
to 8-bit RGB; animations reduced to their first frame; huge pictures downscaled; decompression
bombs, corrupt files and non-images refused with an :class:`ImageError` whose text is meant for
the student.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

# What the upload widget accepts (file extensions) and what Pillow may decode (formats).
UPLOAD_TYPES = ["png", "jpg", "jpeg", "webp", "gif", "bmp"]
FORMATS = ("PNG", "JPEG", "MPO", "WEBP", "GIF", "BMP")
MAX_BYTES = 25 * 1024 * 1024      # bigger uploads are refused before decoding
MAX_SIDE = 1024                   # longer side after cleaning; bigger pictures are downscaled
BACKGROUND = (255, 255, 255)      # transparent parts are shown on white

SAMPLE_DIR = Path(__file__).resolve().parent / "samples"
# name -> (file, caption, licence). All from scikit-image's data directory (see README).
SAMPLES = {
    "Cat": ("cat.jpg", "Chelsea the cat", "CC0, photo by Stefan van der Walt (scikit-image)"),
    "Coffee": ("coffee.jpg", "A cup of coffee",
               "CC0, photo by Rachel Michetti, courtesy of Pikolo Espresso Bar (scikit-image)"),
    "Astronaut": ("astronaut.jpg", "Astronaut Eileen Collins",
                  "Public domain, NASA (scikit-image)"),
    "Rocket": ("rocket.jpg", "Falcon 9 launch of DSCOVR", "Public domain, SpaceX (scikit-image)"),
}


class ImageError(ValueError):
    """A file we cannot use; ``str(exc)`` is the message for the student."""


@dataclass
class CleanImage:
    image: Image.Image                 # RGB, 8-bit, longer side <= max_side
    name: str = "image"
    notes: list[str] = field(default_factory=list)   # what was converted, for the student
    digest: str = ""                   # identifies the pixels (for caching results)

    def __post_init__(self):
        if not self.digest:
            self.digest = image_digest(self.image)


def image_digest(img: Image.Image) -> str:
    h = hashlib.sha1(f"{img.mode}{img.size}".encode())
    h.update(img.tobytes())
    return h.hexdigest()[:16]


def _max_pixels() -> int:
    # Pillow's decompression-bomb guard: warns above MAX_IMAGE_PIXELS and raises above twice
    # that. We refuse from the warning level on (read at call time so tests can lower it).
    return int(Image.MAX_IMAGE_PIXELS or 89_478_485)


def _to_8bit_gray(arr: np.ndarray) -> np.ndarray:
    """Scale a 16/32-bit or float single-channel array to 0..255."""
    a = np.nan_to_num(arr.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    lo, hi = float(a.min()), float(a.max())
    if lo >= 0 and hi <= 255 and np.issubdtype(arr.dtype, np.integer) and hi > 1:
        scaled = a                       # already 8-bit values in a wide container
    elif lo >= 0 and hi <= 65535 and np.issubdtype(arr.dtype, np.integer):
        scaled = a / 257.0               # 16-bit → 8-bit
    elif hi > lo:
        scaled = (a - lo) / (hi - lo) * 255.0
    else:
        scaled = np.zeros_like(a)
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def to_rgb(im: Image.Image, notes: list[str] | None = None) -> Image.Image:
    """Any Pillow mode → 8-bit RGB (transparent pixels composited on white)."""
    notes = notes if notes is not None else []
    mode = im.mode
    if mode == "RGB":
        return im
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I", "F"):
        notes.append(f"{'16-bit' if mode.startswith('I;16') else mode + '-mode'} grayscale image "
                     "converted to 8-bit colour.")
        return Image.fromarray(_to_8bit_gray(np.asarray(im)), "L").convert("RGB")
    if mode == "P" or mode == "PA":
        has_alpha = mode == "PA" or "transparency" in im.info
        im = im.convert("RGBA" if has_alpha else "RGB")
        notes.append("Palette image converted to RGB.")
        if not has_alpha:
            return im
        mode = "RGBA"
    if mode in ("RGBA", "LA", "La", "RGBa"):
        rgba = im.convert("RGBA")
        alpha = np.asarray(rgba)[..., 3]
        if alpha.min() < 255:
            notes.append("Transparent parts placed on a white background.")
        bg = Image.new("RGBA", rgba.size, BACKGROUND + (255,))
        return Image.alpha_composite(bg, rgba).convert("RGB")
    if mode == "CMYK":
        notes.append("CMYK image converted to RGB.")
        return im.convert("RGB")
    if mode in ("L", "1"):
        notes.append("Grayscale image converted to RGB (three equal channels).")
        return im.convert("RGB")
    notes.append(f"{mode} image converted to RGB.")
    return im.convert("RGB")


def clean_image(data: bytes, name: str = "image", max_side: int = MAX_SIDE) -> CleanImage:
    """Decode untrusted bytes into a :class:`CleanImage` or raise :class:`ImageError`."""
    if not data:
        raise ImageError(f"“{name}” is empty (0 bytes).")
    if len(data) > MAX_BYTES:
        raise ImageError(f"“{name}” is {len(data) / 2**20:.0f} MB; the limit is "
                         f"{MAX_BYTES // 2**20} MB. Please use a smaller picture.")
    Image.init()                       # register every plugin, so the formats below exist
    try:
        im = Image.open(io.BytesIO(data), formats=[f for f in FORMATS if f in Image.OPEN])
    except Image.DecompressionBombError:
        raise ImageError(f"“{name}” claims to be enormous (far more than "
                         f"{_max_pixels() / 1e6:.0f} million pixels). It was refused to protect "
                         "the server (a possible decompression bomb).") from None
    except UnidentifiedImageError:
        raise ImageError(f"“{name}” is not an image we can read. Please upload a PNG, JPEG, "
                         "WebP, GIF or BMP picture.") from None
    except (OSError, ValueError, SyntaxError) as exc:   # broken headers
        raise ImageError(f"“{name}” looks damaged and cannot be opened "
                         f"({type(exc).__name__}).") from None
    notes: list[str] = []
    with im:
        w, h = im.size
        if w < 1 or h < 1:
            raise ImageError(f"“{name}” has no pixels ({w}×{h}).")
        if w * h > _max_pixels():
            raise ImageError(f"“{name}” is {w}×{h} = {w * h / 1e6:.0f} million pixels, more "
                             f"than the {_max_pixels() / 1e6:.0f} million we accept "
                             "(decompression-bomb guard). Please downscale it first.")
        if getattr(im, "n_frames", 1) > 1:
            notes.append(f"Animated {im.format} image: using its first frame only.")
        try:
            # Decode at a reduced size when the format allows it (JPEG draft mode): fast and frugal.
            if im.format in ("JPEG", "MPO") and max(w, h) > 2 * max_side:
                im.draft("RGB", (max_side, max_side))
            im.load()
            oriented = ImageOps.exif_transpose(im)
        except Image.DecompressionBombError:
            raise ImageError(f"“{name}” was refused by the decompression-bomb guard.") from None
        except (OSError, ValueError, SyntaxError, EOFError, MemoryError) as exc:
            raise ImageError(f"“{name}” is damaged or truncated and cannot be decoded "
                             f"({type(exc).__name__}).") from None
        if _exif_rotated(im):
            notes.append("Turned upright using the camera's EXIF orientation tag.")
        rgb = to_rgb(oriented, notes)
    if max(rgb.size) > max_side:
        before = rgb.size
        rgb = ImageOps.contain(rgb, (max_side, max_side), Image.Resampling.LANCZOS)
        notes.append(f"Downscaled from {before[0]}×{before[1]} to {rgb.size[0]}×{rgb.size[1]}.")
    if min(rgb.size) < 16:
        notes.append(f"Very small image ({rgb.size[0]}×{rgb.size[1]}); the models will see it "
                     "enlarged and blurry.")
    rgb = rgb.copy()   # detach from the file and from lazily loaded data
    return CleanImage(rgb, name=name, notes=notes)


def _exif_rotated(im: Image.Image) -> bool:
    try:
        return im.getexif().get(0x0112, 1) not in (1, None)
    except Exception:   # malformed EXIF: exif_transpose already ignored it
        return False


def load_sample(name: str, max_side: int = MAX_SIDE) -> CleanImage:
    file, caption, licence = SAMPLES[name]
    clean = clean_image((SAMPLE_DIR / file).read_bytes(), name=caption, max_side=max_side)
    clean.notes.append(f"Sample image: {caption} — {licence}.")
    return clean
