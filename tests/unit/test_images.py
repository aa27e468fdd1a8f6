"""The shared image cleaner: every odd or broken file becomes clean RGB or a clear message."""
import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from playground import images as I


def encode(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **kw)
    return buf.getvalue()


def png_header_only(w: int, h: int) -> bytes:
    """A tiny PNG file that claims to be w×h (a decompression bomb's header)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def rgb(clean) -> np.ndarray:
    assert clean.image.mode == "RGB"
    return np.asarray(clean.image)


def test_plain_rgb_jpeg_passes_unchanged():
    im = Image.new("RGB", (64, 48), (200, 30, 40))
    c = I.clean_image(encode(im, "JPEG", quality=95), "a.jpg")
    assert c.image.size == (64, 48) and c.notes == []
    assert np.abs(rgb(c).astype(int) - [200, 30, 40]).max() < 6
    assert len(c.digest) == 16


def test_rgba_transparent_parts_become_white():
    a = np.zeros((10, 20, 4), np.uint8)
    a[:, :10] = (255, 0, 0, 255)     # opaque red left half, fully transparent right half
    c = I.clean_image(encode(Image.fromarray(a, "RGBA"), "PNG"), "a.png")
    px = rgb(c)
    assert tuple(px[5, 2]) == (255, 0, 0) and tuple(px[5, 15]) == (255, 255, 255)
    assert any("Transparent" in n for n in c.notes)


def test_palette_with_and_without_transparency():
    src = Image.new("RGB", (8, 8), (10, 200, 30)).convert("P", palette=Image.Palette.ADAPTIVE)
    c = I.clean_image(encode(src, "PNG"), "p.png")
    assert np.abs(rgb(c).astype(int) - [10, 200, 30]).max() <= 2
    assert any("Palette" in n for n in c.notes)
    p = Image.new("P", (4, 4), 1)
    p.putpalette([0, 0, 0, 0, 0, 255] + [0] * 762)
    c2 = I.clean_image(encode(p, "PNG", transparency=1), "pt.png")
    assert tuple(rgb(c2)[0, 0]) == (255, 255, 255)      # the transparent index → white


def test_grayscale_l_la_and_1bit():
    for mode, value in (("L", 90), ("LA", (90, 255)), ("1", 1)):
        c = I.clean_image(encode(Image.new(mode, (6, 5), value), "PNG"), f"{mode}.png")
        px = rgb(c)
        assert px.shape == (5, 6, 3) and (px[..., 0] == px[..., 1]).all() and \
            (px[..., 1] == px[..., 2]).all()


def test_cmyk_jpeg_becomes_rgb():
    c = I.clean_image(encode(Image.new("CMYK", (16, 16), (0, 255, 255, 0)), "JPEG"), "cmyk.jpg")
    r, g, b = rgb(c)[8, 8].astype(int)
    assert r > 200 and g < 60 and b < 60                  # pure magenta + yellow = red
    assert any("CMYK" in n for n in c.notes)


def test_16_bit_grayscale_is_scaled_not_clipped():
    a = np.array([[0, 32896, 65535]], dtype=np.uint16)
    im = Image.fromarray(a)
    assert im.mode.startswith("I")
    c = I.clean_image(encode(im, "PNG"), "16.png")
    assert rgb(c)[0, :, 0].tolist() == [0, 128, 255]
    assert any("16-bit" in n or "I-mode" in n for n in c.notes)


def test_32bit_and_float_modes_are_rescaled():
    f = Image.fromarray(np.array([[-1.0, 0.0, 3.0]], np.float32), "F")
    out = np.asarray(I.to_rgb(f))[0, :, 0]
    assert out[0] == 0 and out[-1] == 255 and 0 < out[1] < 255


def test_exif_orientation_is_applied():
    a = np.zeros((20, 40, 3), np.uint8)
    a[:, :20] = (255, 0, 0)          # red left, blue right (landscape as stored)
    a[:, 20:] = (0, 0, 255)
    exif = Image.Exif()
    exif[0x0112] = 6                 # "rotate 90° clockwise to display"
    c = I.clean_image(encode(Image.fromarray(a), "JPEG", exif=exif, quality=95), "exif.jpg")
    assert c.image.size == (20, 40)  # portrait now
    px = rgb(c).astype(int)
    assert px[5, 10, 0] > 200 and px[35, 10, 2] > 200   # red on top, blue below
    assert any("EXIF" in n for n in c.notes)


def test_huge_image_is_downscaled():
    c = I.clean_image(encode(Image.new("RGB", (3000, 1500), (1, 2, 3)), "PNG"), "big.png")
    assert c.image.size == (1024, 512)
    assert any("Downscaled from 3000×1500" in n for n in c.notes)
    c2 = I.clean_image(encode(Image.new("RGB", (4000, 2000), (9, 9, 9)), "JPEG"), "big.jpg")
    assert max(c2.image.size) == 1024


def test_decompression_bomb_is_refused_with_a_message():
    with pytest.raises(I.ImageError, match="decompression bomb"):
        I.clean_image(png_header_only(30000, 30000), "bomb.png")      # Pillow's own error


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_images_above_pillows_warning_level_are_refused(monkeypatch):
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)
    with pytest.raises(I.ImageError, match="million pixels"):
        I.clean_image(encode(Image.new("RGB", (40, 30)), "PNG"), "biggish.png")


@pytest.mark.parametrize("data, match", [
    (b"", "empty"),
    (b"hello, this is a text file\n" * 20, "not an image"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "not an image|damaged"),
    (bytes(range(256)) * 8, "not an image"),
], ids=["empty", "text", "png-signature-only", "binary-garbage"])
def test_non_images_and_garbage_are_refused(data, match):
    with pytest.raises(I.ImageError, match=match):
        I.clean_image(data, "file.png")


def test_truncated_files_are_refused():
    big = Image.fromarray(np.random.default_rng(0).integers(0, 255, (200, 200, 3), np.uint8))
    for fmt in ("PNG", "JPEG"):
        data = encode(big, fmt)
        with pytest.raises(I.ImageError, match="damaged|truncated"):
            I.clean_image(data[: len(data) // 2], f"half.{fmt.lower()}")


def test_other_formats_and_too_many_bytes_are_refused(monkeypatch):
    with pytest.raises(I.ImageError, match="not an image"):
        I.clean_image(encode(Image.new("RGB", (8, 8)), "TIFF"), "x.tiff")
    monkeypatch.setattr(I, "MAX_BYTES", 100)
    with pytest.raises(I.ImageError, match="limit"):
        I.clean_image(b"x" * 101, "big.png")


def test_webp_bmp_and_animated_gif():
    for fmt in ("WEBP", "BMP"):
        im = Image.new("RGB", (9, 7), (5, 6, 7))
        assert I.clean_image(encode(im, fmt), "x").image.size == (9, 7)
    frames = [Image.new("RGB", (12, 12), c) for c in ((255, 0, 0), (0, 255, 0))]
    buf = io.BytesIO()
    frames[0].save(buf, format="GIF", save_all=True, append_images=frames[1:])
    c = I.clean_image(buf.getvalue(), "anim.gif")
    assert tuple(rgb(c)[6, 6]) == (255, 0, 0)
    assert any("first frame" in n for n in c.notes)


def test_tiny_image_gets_a_note():
    c = I.clean_image(encode(Image.new("RGB", (3, 2)), "PNG"), "tiny.png")
    assert c.image.size == (3, 2) and any("small" in n for n in c.notes)


def test_random_corruptions_never_raise_anything_else():
    rng = np.random.default_rng(1)
    good = [encode(Image.fromarray(rng.integers(0, 255, (40, 50, 3), np.uint8)), f)
            for f in ("PNG", "JPEG", "GIF", "WEBP", "BMP")]
    for data in good:
        for _ in range(25):
            b = bytearray(data)
            for pos in rng.integers(0, len(b), 4):
                b[pos] = int(rng.integers(0, 256))
            try:
                c = I.clean_image(bytes(b[: int(rng.integers(8, len(b) + 1))]), "fuzz")
                assert c.image.mode == "RGB"
            except I.ImageError:
                pass


def test_bundled_samples_are_small_licensed_and_clean():
    for name, (file, caption, licence) in I.SAMPLES.items():
        assert (I.SAMPLE_DIR / file).stat().st_size < 300_000
        c = I.load_sample(name)
        assert c.image.mode == "RGB" and min(c.image.size) >= 224
        assert licence in c.notes[-1] and ("CC0" in licence or "Public domain" in licence)
