"""Course images: files in courses/<slug>/images/ for shipped courses, database rows for
courses authored in the browser or imported as a zip (so they travel with the database).

Every image is opened with Pillow before it is accepted: a real PNG/JPEG/GIF/WebP of the type
its name says, at most 2 MB and within pixel limits (read from the header before decoding, so a
decompression bomb is refused unopened). Uploads and zip images are stored re-encoded, which
drops EXIF (GPS position, camera, author), XMP and text chunks; shipped files are checked by
`flask content check`.
"""

import io
import warnings
from pathlib import Path
from typing import Any

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from trainer.core import audit
from trainer.core.i18n import _
from trainer.courses.fileformat import IMAGE_NAME, IMAGE_TYPES
from trainer.courses.models import SOURCE_FILES, Course, CourseImage
from trainer.extensions import db

MAX_IMAGE_BYTES = 2 * 1024 * 1024
# Pixels of every frame together: a small file can unpack into gigabytes (a decompression bomb).
MAX_IMAGE_PIXELS = 24_000_000
MAX_IMAGE_SIDE = 10_000
FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "GIF": "image/gif", "WEBP": "image/webp"}
# Only what drawing the picture needs survives re-encoding; EXIF, GPS, XMP, comments do not.
KEPT_INFO = ("transparency", "duration", "loop", "background", "icc_profile")


class ImageError(ValueError):
    """An upload that is not an acceptable image."""


def content_type_for(name: str) -> str | None:
    """The MIME type for an allowed image name, else None."""
    if not IMAGE_NAME.match(name):
        return None
    return IMAGE_TYPES[name.rsplit(".", 1)[1].lower()]


def _open(data: bytes) -> Image.Image:
    """The decoded image, refusing non-images and decompression bombs (size read first)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
            width, height = image.size
            frames = getattr(image, "n_frames", 1)
            if max(width, height) > MAX_IMAGE_SIDE or width * height * frames > MAX_IMAGE_PIXELS:
                raise ImageError(
                    _(
                        "The image is too large: at most %(side)d pixels a side and "
                        "%(mp)d megapixels in all.",
                        side=MAX_IMAGE_SIDE,
                        mp=MAX_IMAGE_PIXELS // 1_000_000,
                    )
                )
            image.load()
            return image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(_("The image is too large to open safely.")) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        if isinstance(error, ImageError):
            raise
        raise ImageError(
            _("The file is not a PNG, JPEG, GIF or WebP image (perhaps another file renamed).")
        ) from None


def _encode(image: Image.Image) -> bytes:
    """The picture saved afresh in its own format, without metadata (EXIF, GPS, XMP, text)."""
    fmt = image.format
    out = io.BytesIO()
    info = {k: v for k, v in image.info.items() if k in KEPT_INFO}
    if fmt == "JPEG":
        upright = ImageOps.exif_transpose(image)  # the EXIF rotation goes, so apply it first
        if upright.mode not in ("RGB", "L"):
            upright = upright.convert("RGB")
        upright.info = {}  # Pillow would carry the comment (COM) over from here
        upright.save(out, "JPEG", quality=88, optimize=True, icc_profile=info.get("icc_profile"))
    elif getattr(image, "n_frames", 1) > 1:  # animated GIF / WebP: keep the frames
        image.info = info
        image.save(out, fmt, save_all=True, **info)
    else:
        image.info = info
        image.save(out, fmt, optimize=fmt in ("PNG", "GIF"), **info)
    return out.getvalue()


def clean_image(name: str, data: bytes) -> tuple[str, bytes]:
    """Check an image (name, size, real picture of the named type, pixel limits) and return its
    MIME type and the re-encoded bytes without metadata; raises ImageError (user's language)."""
    content_type = content_type_for(name)
    if content_type is None:
        raise ImageError(_("Images must be PNG, JPEG, GIF or WebP files with a simple name."))
    if not data or len(data) > MAX_IMAGE_BYTES:
        raise ImageError(_("An image may be at most 2 MB."))
    image = _open(data)
    if FORMATS.get(image.format or "") != content_type:
        raise ImageError(_("The file is not the image its name says it is."))
    try:
        cleaned = _encode(image)
    except (OSError, ValueError) as error:
        raise ImageError(_("The image could not be saved again: %(error)s", error=error)) from None
    if len(cleaned) > MAX_IMAGE_BYTES:
        raise ImageError(_("An image may be at most 2 MB."))
    return content_type, cleaned


def folder_images(course: Course) -> Path | None:
    """The images/ folder of a shipped course, if it has one."""
    if course.source != SOURCE_FILES:
        return None
    folder = Path(current_app.config["CONTENT_ROOT"]) / "courses" / course.slug / "images"
    return folder if folder.is_dir() else None


def image_names(course: Course) -> set[str]:
    """Every image name the course's lessons may use."""
    names = set(
        db.session.scalars(
            db.select(CourseImage.filename).where(CourseImage.course_id == course.id)
        )
    )
    folder = folder_images(course)
    if folder is not None:
        names |= {p.name for p in folder.iterdir() if p.is_file() and IMAGE_NAME.match(p.name)}
    return names


def uploaded_names(course: Course) -> set[str]:
    """Names of the images uploaded to the course (the ones authors may remove)."""
    return set(
        db.session.scalars(
            db.select(CourseImage.filename).where(CourseImage.course_id == course.id)
        )
    )


def stored_image(course: Course, name: str) -> CourseImage | None:
    """The uploaded image of that name, if any."""
    return db.session.scalar(
        db.select(CourseImage).where(
            CourseImage.course_id == course.id, CourseImage.filename == name
        )
    )


def image_problem(name: str, data: bytes) -> str | None:
    """Why `data` cannot be stored as image `name` (in the user's language), or None."""
    try:
        clean_image(name, data)
    except ImageError as error:
        return str(error)
    return None


def save_image(course: Course, name: str, data: bytes, actor: Any) -> CourseImage:
    """Store (or replace) an image of the course: checked, re-encoded, metadata stripped."""
    name = Path(name or "").name.replace(" ", "-")
    content_type, data = clean_image(name, data)
    image = stored_image(course, name)
    if image is None:
        image = CourseImage(course_id=course.id, filename=name)
        db.session.add(image)
    image.content_type, image.data = content_type, data
    db.session.flush()
    audit.record(actor, "course.image", course, filename=name, size=len(data))
    return image


def delete_image(course: Course, name: str, actor: Any) -> bool:
    """Remove an uploaded image; False when there was none of that name."""
    image = stored_image(course, name)
    if image is None:
        return False
    db.session.delete(image)
    audit.record(actor, "course.image_delete", course, filename=name)
    db.session.flush()
    return True
