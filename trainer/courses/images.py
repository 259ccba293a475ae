"""Course images: files in courses/<slug>/images/ for shipped courses, database rows for
courses authored in the browser or imported as a zip (so they travel with the database)."""

from pathlib import Path
from typing import Any

from flask import current_app

from trainer.core import audit
from trainer.core.i18n import _
from trainer.courses.fileformat import IMAGE_NAME, IMAGE_TYPES
from trainer.courses.models import SOURCE_FILES, Course, CourseImage
from trainer.extensions import db

MAX_IMAGE_BYTES = 2 * 1024 * 1024
SIGNATURES = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
}


class ImageError(ValueError):
    """An upload that is not an acceptable image."""


def content_type_for(name: str) -> str | None:
    """The MIME type for an allowed image name, else None."""
    if not IMAGE_NAME.match(name):
        return None
    return IMAGE_TYPES[name.rsplit(".", 1)[1].lower()]


def looks_like(content_type: str, data: bytes) -> bool:
    """True when the bytes start like the claimed image type (no SVG, no HTML in disguise)."""
    if content_type == "image/webp":
        return data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    return data.startswith(SIGNATURES[content_type])


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
    content_type = content_type_for(name)
    if content_type is None:
        return _("Images must be PNG, JPEG, GIF or WebP files with a simple name.")
    if not data or len(data) > MAX_IMAGE_BYTES:
        return _("An image may be at most 2 MB.")
    if not looks_like(content_type, data):
        return _("The file is not the image its name says it is.")
    return None


def save_image(course: Course, name: str, data: bytes, actor: Any) -> CourseImage:
    """Store (or replace) an image of the course after checking its name, size and bytes."""
    name = Path(name or "").name.replace(" ", "-")
    problem = image_problem(name, data)
    if problem:
        raise ImageError(problem)
    content_type = content_type_for(name)
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
