"""Export a course as a zip in the folder format (course.yaml + NN-<lesson>.md + images/) and
import such a zip: round-trippable with the files in courses/<slug>/.

An import is checked whole first (same parser as `flask content check`, editor rules for
length and checks); any problem means nothing changes.
"""

import io
import zipfile
from pathlib import PurePosixPath
from typing import Any

import yaml

from trainer.core import audit
from trainer.core.i18n import _
from trainer.core.problems import Problem, ProblemsError
from trainer.courses import images
from trainer.courses.apply import ApplyCounts, import_package
from trainer.courses.fileformat import IMAGE_NAME, CoursePackage, find_cycle
from trainer.courses.models import Course, CourseImage
from trainer.courses.parser import CourseParser
from trainer.extensions import db

MAX_FILES = 300
MAX_UNCOMPRESSED = 40 * 1024 * 1024
# One course.yaml or lesson: the largest shipped lesson is about 10 KB.
MAX_TEXT_BYTES = 512 * 1024


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def course_yaml(course: Course) -> str:
    """course.yaml for the course, in the documented field order."""
    return _dump(
        {
            "slug": course.slug,
            "title": dict(course.title),
            "summary": dict(course.summary),
            "category": course.category,
            "estimated_minutes": course.estimated_minutes,
            "prerequisites": list(course.prerequisites or []),
            "level": course.level,
            "require_reading": course.require_reading,
        }
    )


def lesson_markdown(lesson: Any) -> str:
    """A lesson file: YAML front matter, a blank line, the Markdown body."""
    front: dict[str, Any] = {"title": dict(lesson.title), "minutes": lesson.minutes}
    if lesson.checks:
        front["checks"] = [dict(c) for c in lesson.checks]
    return f"---\n{_dump(front)}---\n\n{lesson.body}"


def export_course(course: Course) -> bytes:
    """The course's current lessons (renumbered 01, 02, …) and images as a zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{course.slug}/course.yaml", course_yaml(course))
        current = [lesson for lesson in course.lessons if lesson.retired_at is None]
        for number, lesson in enumerate(current, start=1):
            name = f"{course.slug}/{number:02d}-{lesson.slug}.md"
            archive.writestr(name, lesson_markdown(lesson))
        written = set()
        for image in db.session.scalars(
            db.select(CourseImage).where(CourseImage.course_id == course.id)
        ):
            archive.writestr(f"{course.slug}/images/{image.filename}", image.data)
            written.add(image.filename)
        folder = images.folder_images(course)
        if folder is not None:
            for path in sorted(folder.iterdir()):
                if path.is_file() and IMAGE_NAME.match(path.name) and path.name not in written:
                    archive.writestr(f"{course.slug}/images/{path.name}", path.read_bytes())
    return buffer.getvalue()


def read_zip(data: bytes) -> tuple[dict[str, bytes], dict[str, bytes], str]:
    """(texts by name, images by name, folder label) from a course zip; raises ProblemsError."""

    def refuse(message: str) -> ProblemsError:
        return ProblemsError([Problem("zip", 1, message)])

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise refuse(_("The file is not a zip archive.")) from error
    if len(infos) > MAX_FILES or sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
        raise refuse(_("The zip is too large (at most %(n)d files, 40 MB unpacked).", n=MAX_FILES))
    names = [PurePosixPath(i.filename) for i in infos]
    if any(p.is_absolute() or ".." in p.parts or "\\" in str(p) for p in names):
        raise refuse(_("The zip contains unsafe paths."))
    names = [p for p in names if not any(part.startswith((".", "__MACOSX")) for part in p.parts)]
    tops = {p.parts[0] for p in names if len(p.parts) > 1}
    prefix = tops.pop() if len(tops) == 1 and all(len(p.parts) > 1 for p in names) else ""
    texts, pictures = {}, {}
    sizes = {PurePosixPath(i.filename): i.file_size for i in infos}
    try:
        for path in names:
            rel = PurePosixPath(*path.parts[1:]) if prefix else path
            if len(rel.parts) == 1 and (rel.name == "course.yaml" or rel.suffix == ".md"):
                target, limit = texts, MAX_TEXT_BYTES
            elif len(rel.parts) == 2 and rel.parts[0] == "images":
                target, limit = pictures, images.MAX_IMAGE_BYTES
            else:
                continue
            # Checked on the declared size before inflating, and again while reading (the
            # declared size can lie): a small zip cannot make us unpack megabytes of YAML.
            if sizes[path] > limit:
                raise _too_big(str(path), limit)
            with archive.open(str(path)) as member:
                content = member.read(limit + 1)
            if len(content) > limit:
                raise _too_big(str(path), limit)
            target[rel.name] = content
    except (zipfile.BadZipFile, OSError, RuntimeError) as error:
        raise refuse(_("The zip is damaged or encrypted.")) from error
    return texts, pictures, prefix


def _too_big(where: str, limit: int) -> ProblemsError:
    return ProblemsError(
        [Problem(where, 1, _("This file is too large (at most %(kb)d KB).", kb=limit // 1024))]
    )


def parse_zip(data: bytes) -> tuple[CoursePackage, dict[str, bytes]]:
    """The checked course package and its images; raises ProblemsError."""
    texts, pictures, prefix = read_zip(data)
    parser = CourseParser(prefix, strict=False)
    package = parser.parse(texts, set(pictures), None)
    problems = list(parser.problems)
    for name, content in pictures.items():
        problem = images.image_problem(name, content)
        if problem and images.content_type_for(name):
            problems.append(Problem(f"{prefix}/images/{name}", 1, problem))
    if package is not None:
        problems += _prerequisite_problems(package, prefix)
    if problems or package is None:
        raise ProblemsError(problems)
    return package, pictures


def _prerequisite_problems(package: CoursePackage, prefix: str) -> list[Problem]:
    graph = {
        s: list(p or [])
        for s, p in db.session.execute(db.select(Course.slug, Course.prerequisites))
    }
    where = f"{prefix}/course.yaml" if prefix else "course.yaml"
    problems = [
        Problem(
            where, package.prerequisites_line, _("Prerequisite %(slug)s is not a course.", slug=s)
        )
        for s in package.prerequisites
        if s not in graph
    ]
    graph[package.slug] = package.prerequisites
    cycle = find_cycle(package.slug, graph)
    if cycle:
        problems.append(
            Problem(
                where,
                package.prerequisites_line,
                _("Prerequisites form a cycle: %(cycle)s.", cycle=" → ".join(cycle)),
            )
        )
    return problems


def import_course(data: bytes, actor: Any) -> tuple[Course, ApplyCounts]:
    """Create or update the course in the zip; all or nothing (the caller commits)."""
    package, pictures = parse_zip(data)
    course, counts = import_package(package, actor)
    for name, content in pictures.items():
        images.save_image(course, name, content, actor)
    audit.record(actor, "course.import", course, **counts.as_dict())
    return course, counts
