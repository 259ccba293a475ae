"""Real little images for tests (Pillow), with or without metadata."""

import io

from PIL import Image


def png_bytes(width: int = 4, height: int = 3, color=(200, 80, 20)) -> bytes:
    """A real PNG of the given size, encoded as the app re-encodes (so it comes back the same)."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG", optimize=True)  # as re-encoded
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    """A JPEG whose EXIF names a camera, an author and a GPS position (Shenzhen)."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x013B] = "张三"  # Artist
    exif[0x8825] = {1: "N", 2: (22.0, 32.0, 0.0), 3: "E", 4: (114.0, 3.0, 0.0)}  # GPS IFD
    out = io.BytesIO()
    Image.new("RGB", (16, 8), (10, 120, 200)).save(out, "JPEG", exif=exif, comment=b"secret")
    return out.getvalue()
