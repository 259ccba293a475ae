"""Write a checked `CoursePackage` into the database: from the files (sync) or from a zip (import).

Sync rules (keyed by slug): a lesson whose file changed gets a new version; unchanged lessons
keep their version and everyone's progress; a lesson whose file is gone is retired (its
versions and progress stay in the history). Browser edits survive a sync until the file
itself changes (`synced_hash` remembers the file as last synced).
"""

from dataclasses import dataclass, field
from typing import Any

from trainer.core.clock import utcnow
from trainer.courses.fileformat import CoursePackage, LessonPackage
from trainer.courses.models import SOURCE_EDITOR, SOURCE_FILES, Course, Lesson
from trainer.courses.progress import refresh_completions
from trainer.courses.versioning import create_lesson, save_lesson_version
from trainer.extensions import db

META_FIELDS = ("title", "summary", "category", "estimated_minutes", "prerequisites", "level")
META_FIELDS += ("require_reading",)


@dataclass
class ApplyCounts:
    """What a sync or import changed."""

    courses_created: int = 0
    courses_updated: int = 0
    courses_retired: int = 0
    lessons_created: int = 0
    lessons_versioned: int = 0
    lessons_retired: int = 0
    lessons_unchanged: int = 0
    changed_courses: list[Course] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        """The counts `flask content sync` prints."""
        return {k: v for k, v in vars(self).items() if isinstance(v, int)}


def courses_by_slug(slugs: list[str] | None = None) -> dict[str, Course]:
    """Existing courses (retired ones too) with their lessons, by slug."""
    query = db.select(Course).options(db.selectinload(Course.lessons))
    if slugs is not None:
        query = query.where(Course.slug.in_(slugs))
    return {c.slug: c for c in db.session.scalars(query)}


def sync_packages(packages: list[CoursePackage]) -> ApplyCounts:
    """Make the database match the course folders; file courses that vanished are retired."""
    counts = ApplyCounts()
    existing = courses_by_slug()
    for package in packages:
        _sync_course(package, existing.get(package.slug), counts)
    present = {p.slug for p in packages}
    for course in existing.values():
        if (
            course.source == SOURCE_FILES
            and course.slug not in present
            and course.retired_at is None
        ):
            course.retired_at = utcnow()
            counts.courses_retired += 1
    db.session.flush()
    for course in counts.changed_courses:
        refresh_completions(course)
    return counts


def _sync_course(package: CoursePackage, course: Course | None, counts: ApplyCounts) -> None:
    file_hash = package.meta_hash
    if course is None:
        course = Course(slug=package.slug, published=True, source=SOURCE_FILES)
        _set_meta(course, package)
        db.session.add(course)
        counts.courses_created += 1
    elif course.synced_hash != file_hash or course.retired_at is not None:
        _set_meta(course, package)
        course.retired_at = None
        course.source = SOURCE_FILES
        counts.courses_updated += 1
    order_changed = course.synced_hash != file_hash
    course.synced_hash = file_hash
    lessons = {lesson.slug: lesson for lesson in course.lessons}
    for lp in package.lessons:
        _sync_lesson(course, lessons.get(lp.slug), lp, counts)
    if order_changed:
        _apply_order(course, [lp.slug for lp in package.lessons])
    wanted = {lp.slug for lp in package.lessons}
    for lesson in course.lessons:
        if lesson.synced_hash is not None and lesson.slug not in wanted:
            lesson.retired_at = utcnow()
            lesson.synced_hash = None
            counts.lessons_retired += 1
    counts.changed_courses.append(course)


def _sync_lesson(
    course: Course, lesson: Lesson | None, lp: LessonPackage, counts: ApplyCounts
) -> None:
    file_hash = lp.content_hash
    if lesson is None:
        create_lesson(course, **_lesson_fields(lp), source=SOURCE_FILES, synced_hash=file_hash)
        counts.lessons_created += 1
        return
    if lesson.synced_hash == file_hash:
        counts.lessons_unchanged += 1  # file as last synced: keep browser edits, if any
        return
    fields = _lesson_fields(lp)
    fields.pop("slug")
    fields.pop("position")
    if save_lesson_version(lesson, **fields, source=SOURCE_FILES):
        counts.lessons_versioned += 1
    else:
        counts.lessons_unchanged += 1
    lesson.synced_hash = file_hash
    lesson.retired_at = None


def _apply_order(course: Course, slugs: list[str]) -> None:
    """Lessons in the files' order; lessons made in the browser keep their order after them."""
    rank = {slug: index for index, slug in enumerate(slugs)}
    ordered = sorted(course.lessons, key=lambda ls: (rank.get(ls.slug, len(rank)), ls.position))
    for position, lesson in enumerate(ordered, start=1):
        lesson.position = position


def _set_meta(course: Course, package: CoursePackage) -> None:
    for name in META_FIELDS:
        setattr(course, name, getattr(package, name))


def _lesson_fields(lp: LessonPackage) -> dict[str, Any]:
    return {
        "slug": lp.slug,
        "position": lp.position,
        "title": lp.title,
        "minutes": lp.minutes,
        "body": lp.body,
        "checks": lp.checks,
    }


def import_package(package: CoursePackage, actor: Any) -> tuple[Course, ApplyCounts]:
    """Create or update a course from an imported zip: the zip is the whole course.

    A new course starts unpublished. Changed lessons get new versions, lessons missing from
    the zip are retired, and the lesson order follows the zip.
    """
    counts = ApplyCounts()
    course = courses_by_slug([package.slug]).get(package.slug)
    if course is None:
        course = Course(slug=package.slug, published=False, source=SOURCE_EDITOR)
        db.session.add(course)
        counts.courses_created += 1
    else:
        counts.courses_updated += 1
    _set_meta(course, package)
    course.retired_at = None
    lessons = {lesson.slug: lesson for lesson in course.lessons}
    for lp in package.lessons:
        lesson = lessons.get(lp.slug)
        if lesson is None:
            create_lesson(course, **_lesson_fields(lp), source="import", actor=actor)
            counts.lessons_created += 1
            continue
        fields = _lesson_fields(lp)
        fields.pop("slug")
        fields.pop("position")
        changed = save_lesson_version(lesson, **fields, source="import", actor=actor)
        counts.lessons_versioned += int(changed)
        counts.lessons_unchanged += int(not changed)
        lesson.retired_at = None
    wanted = [lp.slug for lp in package.lessons]
    for lesson in course.lessons:
        if lesson.slug not in wanted and lesson.retired_at is None:
            lesson.retired_at = utcnow()
            counts.lessons_retired += 1
    _apply_order(course, wanted)
    db.session.flush()
    refresh_completions(course)
    return course, counts
