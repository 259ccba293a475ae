"""Lesson Markdown to safe HTML (through core.markdown), with course image URLs."""

import functools

from flask import url_for
from markupsafe import Markup

from trainer.core.i18n import current_language
from trainer.core.markdown import render_markdown
from trainer.courses.fileformat import IMAGE_NAME


def image_url(course_slug: str, src: str) -> str:
    """URL of a lesson image written as images/NAME; anything else points nowhere."""
    name = src.removeprefix("images/")
    if not src.startswith("images/") or not IMAGE_NAME.match(name):
        return ""
    return url_for("courses.image", slug=course_slug, name=name)


def render_lesson_body(course_slug: str, body: str) -> Markup:
    """Sanitised HTML of a lesson body; relative image paths point at the course's images."""
    return render_markdown(body, rewrite_src=lambda src: image_url(course_slug, src))


@functools.lru_cache(maxsize=512)
def _cached(course_slug: str, content_hash: str, language: str, body: str) -> Markup:
    return render_lesson_body(course_slug, body)


def lesson_html(course_slug: str, lesson) -> Markup:
    """Rendered lesson, cached per version and language (callout titles are translated)."""
    return _cached(course_slug, lesson.content_hash, current_language(), lesson.body)
